"""The Jinja2 schedule at /jinja/ and its DTL twin at /jinja/dtl/, as a visitor meets them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from wsgiref.validate import validator

import pytest
from django.utils import timezone
from webtest import TestApp

from apps.jinja_templates import views
from apps.jinja_templates.app import make_app as jinja_app
from swapdemo.stack import make_app
from tests.conftest import TALKS, TOKEN, Canonical
from wsgi_stack.mount import Mount


def texts(html: str) -> list[str]:
    return [item[1] for item in Canonical(html).items if item[0] == "text"]


def hrefs(html: str, tag: str = "a") -> list[str]:
    """The ``href``s of a page's ``tag``s; of its links, those in its own content, not the site's header."""
    if tag == "a":
        html = html.partition("<main>")[2].partition("</main>")[0]
    return [
        attr.removeprefix("href=")
        for item in Canonical(html).items
        if item[:2] == ("<", tag)
        for attr in item[2:]
        if attr.startswith("href=")
    ]


@pytest.fixture
def client(config) -> TestApp:
    return TestApp(validator(make_app(config, names=("jinja",))), lint=False)


@pytest.fixture(params=["alone", "in the stack"])
def anywhere(request, config) -> TestApp:
    names = ("jinja",) if request.param == "alone" else None
    return TestApp(validator(make_app(config, names=names)), lint=False)


def test_schedule_lists_every_talk_by_day_and_track_rendered_by_jinja2(client: TestApp) -> None:
    page = client.get("/jinja/")
    assert page.headers["X-Template-Engine"] == "jinja2"
    assert page.text.count('<td class="title">') == len(TALKS) >= 120
    shown = texts(page.text)
    assert "120 talks" in shown
    assert "Tuesday, Sept. 8, 2009" in shown and "Thursday, Sept. 10, 2009" in shown
    assert "Keynotes (1 session)" in " ".join(shown) and "Core (9 sessions)" in " ".join(shown)
    assert "9 a.m. – 9:50 a.m." in shown
    assert all(title in shown for title in (talk.title for talk in TALKS))


@pytest.mark.parametrize(
    "query", ["", "?track=Core&level=advanced", "?day=2009-09-09", "?day=1999-01-01&level=expert"]
)
@pytest.mark.parametrize("language", ["en", "de"])
def test_jinja2_and_dtl_render_equivalent_html(client: TestApp, query: str, language: str) -> None:
    jinja = client.get("/jinja/" + query, headers={"Accept-Language": language})
    dtl = client.get("/jinja/dtl/" + query, headers={"Accept-Language": language})
    assert (jinja.headers["X-Template-Engine"], dtl.headers["X-Template-Engine"]) == ("jinja2", "django")
    assert jinja.html.html["lang"] == dtl.html.html["lang"] == language
    assert Canonical(jinja.text).items == Canonical(dtl.text).items
    assert jinja.text != dtl.text  # two engines did render: their whitespace and entities differ


def test_urls_and_static_paths_include_the_mount(anywhere: TestApp) -> None:
    schedule = anywhere.get("/jinja/")
    engines, links = hrefs(schedule.text)[:2], hrefs(schedule.text)[2:]
    assert engines == ["/jinja/", "/jinja/dtl/"]  # the same page in each engine
    assert len(links) == len(TALKS) and {f"/jinja/talks/{talk.id}/" for talk in TALKS} == set(links)
    assert hrefs(schedule.text, "link") == ["/static/swapdemo.css", "/static/favicon.svg"]
    assert anywhere.get("/static/swapdemo.css").content_type == "text/css"
    assert anywhere.get("/static/favicon.svg").content_type == "image/svg+xml"
    second = anywhere.get("/jinja/talks/2/")
    assert hrefs(second.text) == ["/jinja/talks/1/", "/jinja/", "/jinja/talks/3/"]
    assert anywhere.get("/jinja").location.endswith("/jinja/")
    assert anywhere.get("/jinja/dtl/").headers["X-Template-Engine"] == "django"


@pytest.fixture
def frozen_now(monkeypatch) -> None:
    """The clock the pages' naturaltime reads, stopped at 2030-03-15 12:00 UTC."""
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2030, 3, 15, 12, 0, tzinfo=dt.UTC))


def test_links_follow_whatever_prefix_the_app_is_mounted_at(config) -> None:

    client = TestApp(validator(Mount({"/elsewhere": jinja_app(config)})), lint=False)
    for path in ("/elsewhere/", "/elsewhere/dtl/"):
        links = hrefs(client.get(path).text)
        assert f"/elsewhere/talks/{TALKS[0].id}/" in links and all(
            link.startswith("/elsewhere/") for link in links
        )
    assert hrefs(client.get("/elsewhere/talks/2/").text) == [
        "/elsewhere/talks/1/",
        "/elsewhere/",
        "/elsewhere/talks/3/",
    ]


@pytest.mark.usefixtures("frozen_now")
def test_talk_page_shows_the_talk_with_dates_in_the_conference_time_zone(client: TestApp) -> None:
    talk = TALKS[1]
    page = client.get(f"/jinja/talks/{talk.id}/")
    assert page.html.h1.text == talk.title
    assert page.html.time["datetime"] == "2009-09-08T10:00:00-07:00"
    assert "Tuesday, Sept. 8, 2009, 10 a.m. – 10:40 a.m. PDT" in texts(page.text)  # the zone, named
    assert "(20\xa0years, 6\xa0months ago; 40 minutes)" in page.html.find(class_="when").text
    assert (
        page.html.find(rel="prev")["href"] == "/jinja/talks/1/"
        and page.html.find(rel="next")["href"] == "/jinja/talks/3/"
    )


def test_unknown_talk_is_a_plain_404(client: TestApp) -> None:
    page = client.get("/jinja/talks/99999/", status=404)
    assert "Traceback" not in page.text


@pytest.mark.parametrize("path", ["/jinja/", "/jinja/dtl/"])
def test_filter_form_posts_with_csrf_flashes_a_message_and_redirects_to_a_filter_url(
    client: TestApp, path: str
) -> None:
    form = client.get(path).forms[0]
    form["track"] = "Core"
    form["level"] = "advanced"
    posted = form.submit(status=302)
    assert posted.location.endswith(f"{path}?track=Core&level=advanced")
    page = posted.follow()
    expected = [talk for talk in TALKS if talk.track == "Core" and talk.level == "advanced"]
    assert page.text.count('<td class="title">') == len(expected) > 0
    assert page.html.find(class_="messages").li.text == f"{len(expected)} talks match."
    assert page.html.find(class_="messages").li["class"] == ["success"]
    assert page.html.find("option", selected=True, value="Core")
    assert not client.get(path).html.find(class_="messages")  # shown once


def test_invalid_filter_is_shown_with_its_error_and_nothing_is_filtered(client: TestApp) -> None:
    form = client.get("/jinja/").forms[0]
    form["day"].force_value("1999-01-01")
    page = form.submit(status=200)
    assert (
        page.html.find(class_="field invalid")
        .find(class_="errorlist")
        .text.startswith("Select a valid choice.")
    )
    assert page.text.count('<td class="title">') == len(TALKS)


def test_post_without_the_csrf_token_is_refused(client: TestApp) -> None:
    client.post("/jinja/", {"track": "Core"}, status=403)
    page = client.get("/jinja/")
    assert client.cookies.get("csrftoken") and page.html.find("input", attrs={"name": TOKEN})
    refused = client.post("/jinja/", {"track": "Core"}, status=403)
    assert refused.html.h1.text == "This form has expired" and "security token" in refused.text
    assert "Reload the form and send it again." in refused.text and "Traceback" not in refused.text
    back = refused.html.find("a", string="Back to the form")["href"]
    assert back == "/jinja/?track=Core"  # what was chosen is not lost
    assert client.get(back).html.find("option", selected=True, value="Core") is not None
    client.post("/jinja/dtl/", {"track": "Core"}, status=403)


def test_a_script_in_a_title_is_escaped_by_both_engines(client: TestApp, monkeypatch) -> None:
    evil = dataclasses.replace(
        TALKS[0], id=666, title='<script>alert("pwned")</script> & more', speaker="<b>Mallory</b>"
    )
    monkeypatch.setattr(views, "load_talks", lambda: (evil, *TALKS[1:]))
    for path in ("/jinja/", "/jinja/dtl/", "/jinja/talks/666/"):
        page = client.get(path)
        assert "<script>" not in page.text and "<b>" not in page.text, path
        assert "&lt;script&gt;" in page.text and "&amp;lt;" not in page.text, path
        assert evil.title in texts(page.text) and "<b>Mallory</b>" in " ".join(texts(page.text)), path


@pytest.mark.usefixtures("frozen_now")
def test_a_german_browser_gets_the_translations_and_german_formats(client: TestApp) -> None:
    german = {"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}
    schedule = client.get("/jinja/", headers=german)
    form = schedule.forms[0]
    form["track"] = "Keynotes"
    form["day"] = "2009-09-09"
    flashed = form.submit(headers=german).follow(headers=german)
    talk = client.get(f"/jinja/talks/{TALKS[1].id}/", headers=german)
    shown = texts(schedule.text)
    assert schedule.html.html["lang"] == "de"
    assert {
        "Konferenzprogramm",
        "120 Vorträge",
        "Filtern",
        "Dienstag, 8. September 2009",
        "09:00 – 09:50",
    } <= set(shown)
    assert "Tag:" in shown and "Alle Tracks" in shown
    assert flashed.html.find(class_="messages").li.text == "1 Vortrag passt."
    assert "1 Vortrag" in texts(flashed.text)
    assert "Zurück zum Programm" in texts(talk.text)
    assert "20\xa0Jahre, 6\xa0Monate her; 40 Minuten" in talk.html.find(class_="when").text


def test_a_talk_in_the_future_counts_down(client: TestApp, monkeypatch) -> None:
    soon = dataclasses.replace(TALKS[0], day=dt.date.today() + dt.timedelta(days=3))
    monkeypatch.setattr(views, "load_talks", lambda: (soon,))
    when = client.get(f"/jinja/talks/{soon.id}/").html.find(class_="when").text
    assert re.search(r"\(in \d\xa0days?(, \d+\xa0hours?)?; 50 minutes\)", when)
