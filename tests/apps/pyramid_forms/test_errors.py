"""The Pyramid app's error pages are the site's, as the Django demos': 404, 500 with the request id."""

from __future__ import annotations

import logging

from webtest import TestApp

from apps.pyramid_forms.store import ProposalStore
from swapdemo.stack import make_app
from tests.swapdemo.kernel.test_handlers import site_look


def test_an_unknown_path_is_the_site_s_404_as_in_django(config) -> None:
    client = TestApp(make_app(config))
    pyramid = client.get("/forms/nope", status=404)
    django = client.get("/jinja/nope/", status=404)
    assert site_look(pyramid) and pyramid.html.h1.text == django.html.h1.text == "Page not found"
    assert pyramid.html.select_one(".problem").text == "There is nothing at /forms/nope."


def test_a_crash_is_the_site_s_500_with_the_request_id_the_access_log_carries(
    config, monkeypatch, caplog
) -> None:
    def fails(store):
        raise ZeroDivisionError("a planted crash")

    monkeypatch.setattr(ProposalStore, "all", fails)
    client = TestApp(make_app(config))
    with caplog.at_level(logging.INFO, logger="wsgi_stack.access"):
        page = client.get("/forms/proposals/", status=500)
    request_id = page.headers["X-Request-ID"]
    assert site_look(page) and page.html.h1.text == "Something went wrong"
    assert page.html.select_one("main code").text == request_id
    assert "ZeroDivisionError" not in page.text and "planted" not in page.text
    assert any(
        r.getMessage().startswith(f"{request_id} ") for r in caplog.records if r.name == "wsgi_stack.access"
    )
