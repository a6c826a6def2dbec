"""The /apidata/ factory: the API style it needs, the API mounted in the same process, gunicorn under load."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured

from apps.api_datasource.app import make_app
from apps.api_datasource.client import ApiClient, make_session
from apps.talks_api.app import TalksAPI
from swapdemo.kernel.config import from_environment
from swapdemo.servers import gunicorn
from tests.apps.api_datasource.conftest import ALL, Recorder
from tests.conftest import LiveServer, run_server
from wsgi_stack.mount import Mount


def test_a_style_other_than_builtin_needs_an_api_url() -> None:
    with pytest.raises(ImproperlyConfigured, match="needs SWAPDEMO_API_URL"):
        make_app(from_environment().replace(api_style="drf"))


def test_with_api_mounted_in_the_same_process_the_page_reads_it_in_process(calls) -> None:
    api = Recorder(TalksAPI(ALL))
    client = ApiClient(make_session(retries=0))
    with LiveServer(Mount({"/api": api, "/apidata": make_app(from_environment(), client=client)})) as server:
        page = requests.get(server.url + "/apidata/", timeout=10)
        detail = requests.get(server.url + f"/apidata/talks/{ALL[0].id}/", timeout=10)
    assert page.status_code == 200 and ALL[0].title in page.text and detail.status_code == 200
    assert len(api.calls) == 3 and all(c.in_process for c in api.calls)
    assert calls == []


def test_gunicorn_with_two_sync_workers_serves_apidata_under_load_without_timeouts(tmp_path: Path) -> None:
    env = {
        "SWAPDEMO_SECRET_KEY": "tests-only-" + "k" * 40,
        "SWAPDEMO_DATA_DIR": str(tmp_path),
        "SWAPDEMO_API_URL": "",
        "SWAPDEMO_API_STYLE": "",
        "SWAPDEMO_CACHE_URL": "",
    }
    with run_server(
        gunicorn(["swapdemo.stack:application"]), "/api/", tmp_path / "gunicorn.log", env
    ) as base:

        def client(number: int) -> list[tuple[int, bool]]:
            with requests.Session() as session:
                return [
                    (r.status_code, "talks, page" in r.text)
                    for page in range(1, 7)
                    for r in [
                        session.get(
                            f"{base}/apidata/",
                            params={"page": page, "order": ("schedule", "title")[number % 2]},
                            timeout=10,
                        )
                    ]
                ]

        with ThreadPoolExecutor(8) as pool:
            results = [result for answers in pool.map(client, range(8)) for result in answers]
    assert results == [(200, True)] * 48
