"""The README's "Try it" steps, performed against the whole stack: the index, a filtered list, a 400."""

from __future__ import annotations

from webtest import TestApp

from swapdemo.stack import make_app
from tests.conftest import ROOT, try_it

STEPS = try_it(ROOT / "apps" / "talks_api" / "README.md")


def test_try_it(config) -> None:
    visitor = TestApp(make_app(config), extra_environ={"HTTP_HOST": "127.0.0.1:8000"})
    index, filtered, refused = STEPS
    assert visitor.get(index.paths[0]).json["talks"] == index.quoted[0]
    answer = visitor.get(filtered.paths[0]).json
    assert str(answer["count"]) == filtered.quoted[0] and len(answer["results"]) == 2
    assert answer["results"][0]["title"] == filtered.quoted[1]
    error = visitor.get(refused.paths[0], status=400).json
    assert refused.quoted[0] in error["error"] and error["parameter"] == "limit"
