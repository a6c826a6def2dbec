"""Proposals in a real database: an SQLite file that outlives the app, or PostgreSQL."""

from __future__ import annotations

import os

import pytest
from webtest import TestApp, Upload

from swapdemo.stack import make_app
from tests.apps.pyramid_forms.conftest import PDF, fill, listed_titles


def test_proposals_survive_a_new_app_instance(config) -> None:
    first = TestApp(make_app(config, ("pyramid_forms",)))
    fill(first.get("/forms/")).submit()
    second = TestApp(make_app(config, ("pyramid_forms",)))
    assert listed_titles(second) == ["#1 Forms without the framework"]
    assert (config.data_dir / "pyramid_forms.sqlite3").is_file()


@pytest.fixture
def postgres_config(config):
    url = os.environ.get("SWAPDEMO_TEST_DATABASE_URL")
    if not url:
        pytest.skip("set SWAPDEMO_TEST_DATABASE_URL to run the PostgreSQL tests")
    import dj_database_url
    import psycopg

    def drop() -> None:
        with psycopg.connect(url) as connection:
            connection.execute("DROP TABLE IF EXISTS proposal")

    drop()
    yield config.replace(database=dj_database_url.parse(url))
    drop()


def test_with_database_url_on_postgresql_proposals_are_stored_there(postgres_config) -> None:
    first = TestApp(make_app(postgres_config, ("pyramid_forms",)))
    fill(first.get("/forms/"), slides=Upload("talk.pdf", PDF, "application/pdf")).submit().follow()
    second = TestApp(make_app(postgres_config, ("pyramid_forms",)))
    assert listed_titles(second) == ["#1 Forms without the framework"]
    assert second.get("/forms/proposals/1/slides").body == PDF
    assert not (postgres_config.data_dir / "pyramid_forms.sqlite3").exists()
