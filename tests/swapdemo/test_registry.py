"""A demo registered once appears in ``python -m swapdemo`` and on the landing page."""

from __future__ import annotations

from webtest import TestApp

from swapdemo import registry
from swapdemo.__main__ import main as list_demos
from swapdemo.stack import make_app


def test_a_registered_demo_appears_in_the_listing_and_on_the_landing_page(
    config, monkeypatch, capsys
) -> None:
    extra = registry.Entry(
        name="example",
        title="An example swap",
        swaps="the example piece",
        read_first="apps/example/views.py",
        prefix="/example",
    )
    monkeypatch.setattr(registry, "ENTRIES", (*registry.ENTRIES, extra))
    list_demos([])
    listed = capsys.readouterr().out
    assert "python -m swapdemo.example" in listed and "An example swap" in listed
    page = TestApp(make_app(config), lint=False).get("/").text
    assert "An example swap" in page and "apps/example/views.py" in page
    for entry in registry.demos():
        assert entry.title in listed and entry.title in page
