"""The README's "Try it" steps, performed against the whole stack: a refused proposal, fixed and saved."""

from __future__ import annotations

from webtest import TestApp

from swapdemo.stack import make_app
from tests.apps.pyramid_forms.conftest import VALID, fill
from tests.conftest import ROOT, try_it

STEPS = try_it(ROOT / "apps" / "pyramid_forms" / "README.md")


def test_try_it(config) -> None:
    visitor = TestApp(make_app(config), extra_environ={"HTTP_HOST": "127.0.0.1:8000"})
    empty, refused, saved, german = STEPS
    page = visitor.get(empty.paths[0])
    assert empty.quoted[0] in page.text

    again = fill(page, title="").submit()
    title = again.html.select_one("#id_title").find_parent("div")
    assert refused.quoted[0] in title.get_text()  # beside the title
    assert again.forms["proposal"]["speaker"].value == VALID["speaker"]  # what was typed is kept

    landed = fill(again).submit().follow()
    assert saved.quoted[0] in landed.text and saved.quoted[1] in landed.text
    assert landed.html.select_one("article.proposal h2").get_text().endswith(VALID["title"])

    page = visitor.get(empty.paths[0], headers={"Accept-Language": "de"})
    refused_de = fill(page, title="").submit(headers={"Accept-Language": "de"})
    assert german.quoted[0] in refused_de.text
