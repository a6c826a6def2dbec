"""The README's "Try it" steps, performed against the whole stack: the text they quote is on the pages."""

from __future__ import annotations

import pytest
from webtest import TestApp

from swapdemo.stack import make_app
from tests.conftest import ROOT, try_it

STEPS = try_it(ROOT / "apps" / "jinja_templates" / "README.md")


@pytest.fixture
def visitor(config) -> TestApp:
    return TestApp(make_app(config), extra_environ={"HTTP_HOST": "127.0.0.1:8000"})


def test_try_it(visitor: TestApp) -> None:
    schedule, filtered, dtl, talk, german = STEPS
    page = visitor.get(schedule.paths[0])
    assert schedule.quoted[0] in page.text

    track, button, message = filtered.quoted
    form = page.forms[0]
    form["track"] = track
    assert button in page.text
    landed = form.submit().follow()
    assert landed.request.path_qs == filtered.paths[0]
    assert message in landed.text

    twin = visitor.get(dtl.paths[0])
    assert dtl.quoted[0] in twin.text and twin.headers["X-Template-Engine"] == "django"
    assert talk.quoted[0] in visitor.get(talk.paths[0]).text
    assert german.quoted[0] in visitor.get(schedule.paths[0], headers={"Accept-Language": "de"}).text
