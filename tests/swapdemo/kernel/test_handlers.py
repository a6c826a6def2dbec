"""Django's error pages are the site's, in every Django demo: 400, 403 (CSRF), 404, 413, 500, 503."""

from __future__ import annotations

import logging
import os
from urllib.parse import urlsplit

import pytest
import requests
from webtest import TestApp

from swapdemo.kernel.site import django_app
from swapdemo.stack import layers, make_app
from tests.conftest import TcpProxy, csrf, run_server
from wsgi_stack import build
from wsgi_stack.mount import Mount


def site_look(page) -> bool:
    """The page has the site's header, nav and stylesheet."""
    header = page.html.select_one("header.site-header")
    stylesheets = [link["href"] for link in page.html.select("link[rel=stylesheet]")]
    return (
        header is not None
        and header.select_one("a.site-name")["href"] == "/"
        and stylesheets == ["/static/swapdemo.css"]
    )


@pytest.fixture
def stack(config) -> TestApp:
    return TestApp(make_app(config), extra_environ={"HTTP_HOST": "127.0.0.1:8000"})


@pytest.mark.parametrize("path", ["/jinja/nope/", "/auth/nope/", "/apidata/nope/", "/idp/nope/"])
def test_an_unknown_path_under_a_django_demo_is_the_site_s_404(stack: TestApp, path: str) -> None:
    page = stack.get(path, status=404)
    assert site_look(page) and page.html.h1.text == "Page not found"
    assert f"There is nothing at {path}." in page.text


def test_a_host_outside_allowed_hosts_is_the_site_s_400(stack: TestApp) -> None:
    page = stack.get("/jinja/", headers={"Host": "evil.example"}, status=400)
    assert "does not answer to the host name" in page.text and page.html.select_one("header.site-header")
    assert "evil.example" not in page.text  # the visitor's Host is not echoed back


def test_a_form_over_the_upload_limit_is_a_413_stating_it(stack: TestApp) -> None:
    page = stack.get("/jinja/")
    fields = {"csrfmiddlewaretoken": page.forms[0]["csrfmiddlewaretoken"].value, "track": "x" * (3 * 2**20)}
    refused = stack.post("/jinja/", fields, status=413)
    assert site_look(refused) and "A form sent here may be at most 2.5 MiB." in refused.text


def test_a_csrf_failure_at_the_provider_says_what_to_do_and_keeps_the_sign_in_request(stack: TestApp) -> None:
    login = stack.get("/auth/login/").follow()
    refused = stack.post(login.request.path_qs, {"username": "ada"}, status=403)
    assert site_look(refused) and refused.html.h1.text == "This form has expired"
    assert "Reload the form and send it again." in refused.text
    back = refused.html.find("a", string="Back to the form")["href"]
    assert back == login.request.path_qs and "Sign in to continue" in stack.get(back).text
    assert "password" not in back


def test_a_crash_is_the_site_s_500_with_the_request_id_the_access_log_carries(config, caplog) -> None:
    app = build(Mount({"/boom": django_app("tests.swapdemo.kernel.crash_urls")}), layers(config))
    with caplog.at_level(logging.INFO, logger="wsgi_stack.access"):
        page = TestApp(app).get("/boom/boom/", status=500)
    request_id = page.headers["X-Request-ID"]
    assert site_look(page) and page.html.h1.text == "Something went wrong"
    assert page.html.select_one("main code").text == request_id
    assert (
        "Traceback" not in page.text and "must-not-show" not in page.text and "RuntimeError" not in page.text
    )
    (line,) = [r.getMessage() for r in caplog.records if r.name == "wsgi_stack.access"]
    assert line.startswith(f"{request_id} ") and " 500 " in line


PG = os.environ.get("SWAPDEMO_TEST_DATABASE_URL")


@pytest.mark.skipif(not PG, reason="set SWAPDEMO_TEST_DATABASE_URL to run the PostgreSQL outage test")
def test_postgresql_going_away_after_start_is_a_503_and_the_other_demos_go_on(
    fresh_database, tmp_path
) -> None:
    database = urlsplit(PG)
    proxy = TcpProxy(database.port or 5432)
    url = f"postgresql://{database.username}@127.0.0.1:{proxy.port}/{fresh_database}"
    env = {"DATABASE_URL": url, "SWAPDEMO_DATA_DIR": str(tmp_path)}
    try:
        with run_server(["-m", "swapdemo.stack", "--port", "{port}"], "/", tmp_path / "log", env) as site:
            browser = requests.Session()
            page = browser.get(f"{site}/auth/login/", params={"next": "/auth/members/"}, timeout=10)
            fields = {"csrfmiddlewaretoken": csrf(page), "username": "ada", "password": "demo", "approve": ""}
            assert "Members only" in browser.post(page.url, data=fields, timeout=10).text
            proxy.stop()
            members = browser.get(f"{site}/auth/members/", timeout=10)
            assert members.status_code == 503 and members.headers["Retry-After"] == "30"
            assert (
                "The database is not answering just now." in members.text and "Traceback" not in members.text
            )
            assert '<header class="site-header">' in members.text
            proposals = browser.get(f"{site}/forms/proposals/", timeout=10)
            assert proposals.status_code == 503 and '<header class="site-header">' in proposals.text
            assert browser.get(f"{site}/jinja/", timeout=10).status_code == 200  # the rest goes on
            assert browser.get(f"{site}/api/talks/1/", timeout=10).status_code == 200
    finally:
        proxy.stop()
