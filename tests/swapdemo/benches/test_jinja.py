"""The Jinja2 benchmarks' engine-only rows are the same table in both engines."""

from __future__ import annotations

from wsgiref.validate import validator

import pytest
from webtest import TestApp

from swapdemo.stack import make_app
from tests.conftest import TALKS, Canonical


@pytest.fixture
def client(config) -> TestApp:
    """The Jinja2 demo alone, as its own tests build it."""
    return TestApp(validator(make_app(config, names=("jinja",))), lint=False)


@pytest.mark.usefixtures("client")  # the app factory sets Django up
def test_the_benchs_engine_only_rows_are_the_same_table_in_both_engines() -> None:
    from django.template import engines

    from swapdemo.benches.jinja import ROWS

    rendered = [
        Canonical(engines[using].from_string(ROWS).render({"talks": TALKS})).items
        for using in ("django", "jinja2")
    ]
    assert rendered[0] == rendered[1]
    assert sum(item[:2] == ("<", "tr") for item in rendered[0]) == len(TALKS)
    assert ("text", TALKS[-1].title) in rendered[1]
