"""Two hosts behind a real load balancer: what one host starts, the other finishes.

Two gunicorn masters (two sync workers each) with data folders of their own stand for two machines;
they share one PostgreSQL database, one Redis and one ``SWAPDEMO_SECRET_KEY``, behind HAProxy from
the system packages running ``deploy/haproxy.cfg`` (round-robin).  Each step may name the host
that must answer it (``X-Swapdemo-Host``), and HAProxy says which did (``X-Served-By``).
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import shutil
import time
from collections.abc import Iterator
from urllib.parse import urljoin

import pytest
import requests

from apps.oidc_provider.clients import DEMO_PASSWORD
from apps.talks_api.app import TalksAPI
from swapdemo.servers import Balancer, ServerProcess, ThreadedServer, gunicorn
from tests.apps.api_datasource.conftest import ALL, Recorder
from tests.conftest import KEY, PG, csrf, empty_postgres_database, proposal, slow

REDIS = os.environ.get("SWAPDEMO_TEST_REDIS_URL")
pytestmark = [
    slow,
    pytest.mark.skipif(
        not (PG and REDIS), reason="set SWAPDEMO_TEST_DATABASE_URL and SWAPDEMO_TEST_REDIS_URL"
    ),
    pytest.mark.skipif(
        not shutil.which("haproxy"), reason="apt-get install haproxy to run the multi-host test"
    ),
]


class Site:
    """The load balancer's URL, and requests that may name the host that must answer."""

    def __init__(self, url: str) -> None:
        self.url, self.session = url, requests.Session()

    def send(self, method: str, path: str, host: str, **options: object) -> requests.Response:
        headers = {"X-Swapdemo-Host": host}
        answer = self.session.request(
            method, urljoin(self.url, path), headers=headers, allow_redirects=False, timeout=20, **options
        )
        assert answer.headers.get("X-Served-By") == host, (path, answer.headers)
        return answer


@pytest.fixture(scope="module")
def upstream() -> Iterator[Recorder]:
    api = Recorder(TalksAPI(ALL))
    with ThreadedServer(api) as server:
        api.url = server.url
        yield api


@pytest.fixture(scope="module")
def site(tmp_path_factory, upstream: Recorder) -> Iterator[Site]:
    import redis

    folder = tmp_path_factory.mktemp("hosts")
    cache = REDIS.rsplit("/", 1)[0] + "/13"
    redis.Redis.from_url(cache).flushdb()
    with contextlib.ExitStack() as stack:
        shared = {
            "SWAPDEMO_SECRET_KEY": KEY,
            "DATABASE_URL": PG.rsplit("/", 1)[0] + "/" + stack.enter_context(empty_postgres_database()),
            "SWAPDEMO_CACHE_URL": cache,
            "SWAPDEMO_REDIS_URL": cache,
            "SWAPDEMO_API_URL": upstream.url + "/",
            "SWAPDEMO_PROFILE": "1",
            "SWAPDEMO_PROFILE_FLUSH": "1",
        }
        hosts = []
        for host in "ab":
            command = gunicorn(["swapdemo.stack:application"])
            own = {**shared, "SWAPDEMO_DATA_DIR": str(folder / host), "SWAPDEMO_HOST_NAME": f"host-{host}"}
            hosts.append(stack.enter_context(ServerProcess(command, "/", own, folder / f"{host}.log")))
        balancer = Balancer(folder / "haproxy.log").start(*hosts)
        stack.callback(balancer.stop)  # first: the stack unwinds last in, first out
        yield Site(balancer.url + "/")


def test_round_robin_reaches_both_hosts(site: Site) -> None:
    served = [requests.get(site.url, timeout=10).headers["X-Served-By"] for _ in range(4)]
    assert sorted(served) == ["a", "a", "b", "b"]


def test_a_sign_in_started_on_host_a_completes_on_host_b(site: Site) -> None:
    login = site.send("GET", "/auth/login/?next=/auth/members/", "a")
    form = site.send("GET", login.headers["Location"], "a")
    assert form.status_code == 200 and "Development only" in form.text
    fields = {"csrfmiddlewaretoken": csrf(form), "username": "ada", "password": DEMO_PASSWORD, "approve": ""}
    approved = site.send("POST", login.headers["Location"], "b", data=fields)
    assert approved.status_code == 302 and "/auth/callback/" in approved.headers["Location"]
    callback = site.send("GET", approved.headers["Location"], "b")
    assert callback.status_code == 302, callback.text[:2000]
    members = site.send("GET", callback.headers["Location"], "a")
    assert members.status_code == 200 and "Ada Lovelace" in members.text


def test_every_form_served_by_one_host_is_accepted_by_the_other_and_listed_there(site: Site) -> None:
    titles = []
    for number, (served, posted) in enumerate([("a", "b"), ("b", "a")] * 3):
        page = site.send("GET", "/forms/", served)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        titles.append(f"Across hosts {number}")
        fields = proposal(token, titles[-1], "Served by one host, posted to the other.")
        answer = site.send("POST", "/forms/", posted, data=fields)
        assert answer.status_code == 303, answer.text[:2000]
        listed = site.send("GET", answer.headers["Location"], served)
        assert titles[-1] in listed.text


def test_an_apidata_page_cached_by_host_a_is_served_by_host_b_without_asking_upstream(
    site: Site, upstream: Recorder
) -> None:
    first = site.send("GET", "/apidata/?order=title", "a")
    assert first.status_code == 200 and upstream.calls
    upstream.calls.clear()
    second = site.send("GET", "/apidata/?order=title", "b")
    assert second.status_code == 200 and min(talk.title for talk in ALL) in second.text
    assert upstream.calls == []


def _talk_calls(site: Site, **selection: str) -> int:
    """The merged call count of the /jinja/talks/<id>/ view, as host a's profiler page shows it."""
    summary = site.send("GET", "/__profile__", "a", params=selection)
    link = re.search(
        r'href="(/__profile__/function\?[^"]*jinja_templates%2Fviews.py[^"]*name=talk)"', summary.text
    )
    if link is None:
        return 0
    page = site.send("GET", html.unescape(link[1]), "a")
    return int(re.search(r"<p>(\d+) calls in", page.text)[1])


def test_one_profile_counts_every_request_on_every_worker_and_host_exactly(site: Site) -> None:
    served = [requests.get(site.url + "jinja/talks/1/", timeout=10) for _ in range(12)]
    assert all(answer.status_code == 200 for answer in served)
    by_host = {host: sum(a.headers["X-Served-By"] == host for a in served) for host in "ab"}
    for _ in range(100):  # every worker flushes within a second of its last request
        if _talk_calls(site) >= 12:
            break
        time.sleep(0.2)
    assert _talk_calls(site) == 12
    assert {host: _talk_calls(site, host=f"host-{host}") for host in "ab"} == by_host
    summary = site.send("GET", "/__profile__", "b").text
    assert "host-a" in summary and "host-b" in summary and "<svg" in summary
