"""The layer: one snapshot per crash whichever hooks see it, the 500 page shows only the id, the
crash pages answer only loopback or the token, escape everything and run nothing."""

from __future__ import annotations

import importlib.util
import re
import sys

import pytest
from webtest import TestApp

from wsgi_stack.errors import ErrorPages
from wsgi_stack.postmortem.layer import CAPTURE_KEY, PostMortem
from wsgi_stack.postmortem.redact import Redactor
from wsgi_stack.postmortem.store import FileStore
from wsgi_stack.request_id import RequestId

LOCAL = {"REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "localhost"}


def failing(environ, start_response):
    shown = "<script>alert('x')</script>"  # noqa: F841 (a local the page must escape)
    raise LookupError("no talk <b>7</b>")


def reports_twice(environ, start_response):
    """A framework that calls the hook from its own error handling, then lets the exception go on."""
    try:
        raise KeyError("reported")
    except KeyError as exc:
        environ[CAPTURE_KEY]((type(exc), exc, exc.__traceback__), environ)
        raise


def fails_while_streaming(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    yield b"first part"
    raise RuntimeError("half-way")


def stack(app, tmp_path, token=None) -> tuple[TestApp, FileStore]:
    store = FileStore(tmp_path / "crashes")
    wrapped = RequestId(ErrorPages(PostMortem(app, store, Redactor(), token=token)))
    return TestApp(wrapped, extra_environ=LOCAL), store


def test_a_crash_is_stored_once_and_the_visitor_sees_only_the_request_id(tmp_path) -> None:
    visitor, store = stack(failing, tmp_path)
    page = visitor.get("/talks/7", status=500)
    (group,) = store.groups()
    assert group.count == 1 and group.request_ids == [page.headers["X-Request-ID"]]
    assert page.headers["X-Request-ID"] in page.text
    assert "LookupError" not in page.text and "alert" not in page.text


def test_two_hooks_seeing_one_crash_store_it_once(tmp_path) -> None:
    visitor, store = stack(reports_twice, tmp_path)
    visitor.get("/", status=500)
    assert [g.count for g in store.groups()] == [1]


def test_a_body_that_fails_while_streaming_is_captured(tmp_path) -> None:
    visitor, store = stack(fails_while_streaming, tmp_path)
    with pytest.raises(RuntimeError):
        visitor.get("/")
    assert store.groups()[0].title == "RuntimeError: half-way"


def test_the_crash_pages_escape_every_value(tmp_path) -> None:
    visitor, _ = stack(failing, tmp_path)
    visitor.get("/talks/7?q=<i>x</i>", status=500)
    listing = visitor.get("/__postmortem__")
    assert "no talk &lt;b&gt;7&lt;/b&gt;" in listing.text and "<b>7</b>" not in listing.text
    (link,) = re.findall(r'href="(/__postmortem__/[^"]+)"', listing.text)
    page = visitor.get(link)
    assert "&lt;script&gt;" in page.text and "<script>" not in page.text and "<i>x</i>" not in page.text
    assert "shown" in page.text and "failing" in page.text and "/talks/7" in page.text


def test_only_loopback_clients_see_the_pages_without_a_token(tmp_path) -> None:
    visitor, _ = stack(failing, tmp_path)
    assert visitor.get("/__postmortem__").status_int == 200
    remote = {"REMOTE_ADDR": "203.0.113.9"}
    refused = visitor.get("/__postmortem__", extra_environ=remote, status=403)
    assert "loopback" in refused.text
    rebinding = visitor.get("/__postmortem__", extra_environ={"HTTP_HOST": "evil.example"}, status=403)
    assert rebinding.status_int == 403
    assert visitor.post("/__postmortem__", status=405).headers["Allow"] == "GET, HEAD"


def test_with_a_token_every_client_needs_it(tmp_path) -> None:
    visitor, _ = stack(failing, tmp_path, token="t" * 24)
    visitor.get("/__postmortem__", status=403)
    headers = {"X-Postmortem-Token": "t" * 24}
    assert (
        visitor.get(
            "/__postmortem__", headers=headers, extra_environ={"REMOTE_ADDR": "203.0.113.9"}
        ).status_int
        == 200
    )
    visitor.get("/__postmortem__/nope", headers=headers, status=404)


def test_a_frame_whose_source_changed_since_the_crash_says_so(tmp_path) -> None:
    module = tmp_path / "drifting.py"
    module.write_text("def app(environ, start_response):\n    raise ValueError('old code')\n")
    spec = importlib.util.spec_from_file_location("drifting", module)
    drifting = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(drifting)
    visitor, store = stack(drifting.app, tmp_path)
    visitor.get("/", status=500)
    link = f"/__postmortem__/{store.groups()[0].samples[0]}"
    warning = '<p class="warning">The source changed since the crash'
    assert warning not in visitor.get(link).text
    module.write_text("def app(environ, start_response):\n    return []  # fixed\n")
    page = visitor.get(link)
    assert warning in page.text and "old code" in page.text
    sys.modules.pop("drifting", None)
