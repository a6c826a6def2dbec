"""Django's error pages are the site's, in every Django demo: 400, 403 (CSRF), 404, 413, 500, 503."""

from __future__ import annotations

import logging

import pytest
from webtest import TestApp

from swapdemo.kernel.site import django_app
from swapdemo.stack import layers, make_app
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
