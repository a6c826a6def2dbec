"""StaticFiles: files served under the prefix, every other request passed on."""

from __future__ import annotations

from pathlib import Path
from wsgiref.validate import validator

from webtest import TestApp

from tests.wsgi_stack.conftest import Streaming
from wsgi_stack.static import StaticFiles


def test_static_files_are_served_under_the_prefix_and_the_rest_passes(tmp_path: Path) -> None:
    (tmp_path / "site.css").write_text("body { color: red }")
    client = TestApp(validator(StaticFiles(Streaming(1), roots=[tmp_path])), lint=False)
    css = client.get("/static/site.css")
    assert css.text == "body { color: red }" and css.content_type == "text/css"
    assert "max-age=60" in css.headers["Cache-Control"]
    assert client.get("/elsewhere").text == "chunk 0\n"
    assert client.get("/static/missing.css").text == "chunk 0\n"
