"""The README's "Try it" steps, performed against the whole stack: the list, its pages, a search, a talk."""

from __future__ import annotations

from webtest import TestApp

from swapdemo.stack import make_app
from tests.conftest import ROOT, try_it

STEPS = try_it(ROOT / "apps" / "api_datasource" / "README.md")


def test_try_it(config) -> None:
    visitor = TestApp(make_app(config), extra_environ={"HTTP_HOST": "127.0.0.1:8000"})
    listing, second, search, talk = STEPS
    page = visitor.get(listing.paths[0])
    assert all(text in page.text for text in listing.quoted)
    assert second.quoted[1] in page.click(second.quoted[0]).text

    form = page.forms[0]
    form["q"], form["order"] = search.quoted[0], search.quoted[1]
    found = form.submit()
    assert search.quoted[2] in found.text
    durations = [int(row.select("td")[4].text) for row in found.html.select("tbody tr")]
    assert len(durations) == 10 and durations == sorted(durations, reverse=True)  # the longest first

    assert talk.quoted[0] in page.click(talk.quoted[0]).text
