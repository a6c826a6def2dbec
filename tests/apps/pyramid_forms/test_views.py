"""The Pyramid views whose form is a django.forms.Form, tested through the stack with WebTest."""

from __future__ import annotations

from urllib.parse import quote

from webtest import TestApp, Upload

from apps.pyramid_forms.forms import TOPICS
from swapdemo.stack import make_app
from tests.apps.pyramid_forms.conftest import PDF, VALID, errors, fill, listed_titles


def test_the_form_page_is_pyramid_rendering_django_widgets(client) -> None:
    page = client.get("/forms/")
    assert page.content_type == "text/html" and "Accept-Language" in page.headers["Vary"]
    assert (page.headers["X-Frame-Options"], page.headers["X-Content-Type-Options"]) == ("DENY", "nosniff")
    assert page.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    form = page.forms["proposal"]
    assert (
        form.method.upper() == "POST" and form.enctype == "multipart/form-data" and form["csrf_token"].value
    )
    day = page.html.select_one("input[name=preferred_day]")
    assert (day["type"], day["min"], day["max"]) == ("date", "2009-09-08", "2009-09-10")
    assert page.html.select_one("input[name=slides]")["accept"] == ".pdf,application/pdf"
    assert len(page.html.select("input[type=checkbox][name=topics]")) == len(TOPICS)


def test_a_valid_proposal_is_stored_then_redirected_to_the_list_once(client) -> None:
    response = fill(client.get("/forms/")).submit()
    assert response.status_int == 303 and response.location == "http://localhost/forms/proposals/"
    listing = response.follow()
    assert "“Forms without the framework” is saved as proposal #1" in listing.text
    assert listing.html.select_one("article h2").get_text() == "#1 Forms without the framework"
    assert "is saved as proposal" not in client.get("/forms/proposals/").text


def test_invalid_input_comes_back_with_django_messages_the_values_kept_and_nothing_stored(client) -> None:
    wrong = {"email": "not-an-address", "duration": "90", "preferred_day": "2009-09-30"}
    page = fill(client.get("/forms/"), topics=("orm", "testing"), **wrong).submit()
    assert page.status_int == 200
    assert set(errors(page)) == {
        "Enter a valid email address.",
        "Ensure this value is less than or equal to 50.",
        "Ensure this value is less than or equal to 2009-09-10.",
    }
    form = page.forms["proposal"]
    assert [form[name].value for name in ("title", "email", "duration")] == [
        VALID["title"],
        "not-an-address",
        "90",
    ]
    assert form["level"].value == "intermediate" and form["track"].value == "Core"
    assert [box.checked for box in form.fields["topics"]] == [
        code in ("orm", "testing") for code, _ in TOPICS
    ]
    assert listed_titles(client) == []


def test_every_value_of_a_multi_value_field_is_kept(client) -> None:
    fill(client.get("/forms/"), topics=("forms", "testing", "security")).submit().follow()
    topics = [tag.get_text() for tag in client.get("/forms/proposals/").html.select(".topic")]
    assert topics == ["Forms", "Testing", "Security"]
    token = client.get("/forms/").forms["proposal"]["csrf_token"].value
    tampered = client.post(
        "/forms/", [("csrf_token", token), *VALID.items(), ("topics", "forms"), ("topics", "cobol")]
    )
    assert errors(tampered) == ["Select a valid choice. cobol is not one of the available choices."]


def test_slides_are_stored_and_downloadable_under_their_unicode_name(client) -> None:
    fill(client.get("/forms/"), slides=Upload("Überblick 2009.pdf", PDF, "application/pdf")).submit().follow()
    link = client.get("/forms/proposals/").html.select_one("article a")
    assert link.get_text() == "Überblick 2009.pdf"
    download = client.get(link["href"])
    assert download.body == PDF and download.content_type == "application/pdf"
    assert (
        download.headers["Content-Disposition"]
        == f"attachment; filename*=UTF-8''{quote('Überblick 2009.pdf')}"
    )
    client.get("/forms/proposals/99/slides", status=404)
    client.get("/forms/proposals/99999999999999999999/slides", status=404)  # past SQLite's integers


def test_a_post_without_or_with_a_wrong_csrf_token_shows_the_form_again_with_what_was_typed(
    client, config
) -> None:
    page = client.post("/forms/", VALID, status=403)
    assert page.content_type == "text/html" and "Nothing was saved" in page.html.select_one(".problem").text
    assert "send it again" in page.text
    again = page.forms["proposal"]
    assert again["title"].value == VALID["title"] and again["abstract"].value == VALID["abstract"]
    form = fill(client.get("/forms/"), topics=("forms", "testing"))
    form["csrf_token"] = "forged"
    kept = form.submit(status=403).forms["proposal"]
    assert [kept.get("topics", index=i).checked for i in range(2, 4)] == [True, True]  # forms, testing
    stranger = TestApp(make_app(config, ("pyramid_forms",)))
    token = client.get("/forms/").forms["proposal"]["csrf_token"].value
    stranger.post("/forms/", {**VALID, "csrf_token": token}, status=403)
    assert listed_titles(client) == []
    kept.submit().follow()  # sent again from the page that came back: it has a good token now
    assert listed_titles(client) == [f"#1 {VALID['title']}"]


def test_non_ascii_and_markup_round_trip_as_text(client) -> None:
    title = "Ünïcödé — フォームの検証 🐍 <script>alert(1)</script>"
    fill(
        client.get("/forms/"), title=title, speaker="José Dvořák", abstract="Ça marche, 很好."
    ).submit().follow()
    listing = client.get("/forms/proposals/")
    assert listing.html.select_one("article h2").get_text() == f"#1 {title}"
    assert "José Dvořák" in listing.text and "Ça marche, 很好." in listing.text
    assert "<script>alert(1)</script>" not in listing.text


def test_a_database_failure_keeps_the_visitors_input_and_says_so(client, config) -> None:
    (config.data_dir / "pyramid_forms.sqlite3").unlink()
    page = fill(client.get("/forms/")).submit(status=503)
    assert (
        "could not be saved just now" in page.text and page.forms["proposal"]["title"].value == VALID["title"]
    )
    listing = client.get("/forms/proposals/", status=503)
    assert listing.html.h1.get_text() == "Temporarily unavailable" and "sqlite" not in listing.text.lower()
    assert "proposals cannot be read" in listing.text and listing.headers["Retry-After"] == "30"


def test_a_hundred_proposals_in_one_session_never_outgrow_the_cookie(client) -> None:
    # A client that posts without following the redirects: every flash message would stay queued.
    for number in range(1, 101):
        form = fill(client.get("/forms/"), title=f"Proposal number {number} with a long enough title")
        form.submit(status=303)
    assert len(client.cookies["swapdemo_forms"]) < 4000
    listing = client.get("/forms/proposals/")
    assert [flash.text for flash in listing.html.select(".flash")] == [
        "Thank you! “Proposal number 100 with a long enough title” is saved as proposal #100."
    ]
