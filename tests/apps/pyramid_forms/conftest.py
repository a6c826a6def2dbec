"""Shared by the Pyramid forms tests: the demo in the stack, and its proposal form filled in as a
visitor would.
"""

from __future__ import annotations

import pytest
from webtest import TestApp

from apps.pyramid_forms.forms import TOPICS
from swapdemo.stack import make_app

PDF = b"%PDF-1.4\n% a tiny but well-signed PDF\n%%EOF\n"
VALID = {
    "title": "Forms without the framework",
    "speaker": "Ada Castillo",
    "email": "ada@example.org",
    "track": "Core",
    "level": "intermediate",
    "duration": "25",
    "preferred_day": "2009-09-09",
    "abstract": "Django's forms, served by Pyramid.",
}


@pytest.fixture
def client(config):
    return TestApp(make_app(config, ("pyramid_forms",)))


def fill(page, topics=("forms",), slides=None, **fields):
    """The page's proposal form, filled in like a visitor would."""
    form = page.forms["proposal"]
    for name, value in {**VALID, **fields}.items():
        form[name] = value
    for index, (code, _label) in enumerate(TOPICS):
        form.set("topics", code in topics, index=index)
    if slides is not None:
        form["slides"] = slides
    return form


def errors(page) -> list[str]:
    return [item.get_text() for item in page.html.select("ul.errorlist li")]


def listed_titles(client) -> list[str]:
    return [heading.get_text() for heading in client.get("/forms/proposals/").html.select("article h2")]
