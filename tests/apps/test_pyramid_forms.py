"""The Pyramid app whose form is a django.forms.Form, tested through the stack with WebTest."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote, urlencode
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pytest
import requests
from django.core.files.uploadedfile import UploadedFile
from pyramid.request import Request
from webob.multidict import MultiDict
from webtest import TestApp, Upload

from apps.pyramid_forms.app import MAX_BODY_BYTES
from apps.pyramid_forms.bridge import form_data
from apps.pyramid_forms.forms import MAX_SLIDES_BYTES, TOPICS
from swapdemo.kernel.config import from_environment
from swapdemo.stack import make_app

ROOT = Path(__file__).resolve().parents[2]
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
def config(tmp_path):
    return from_environment().replace(data_dir=tmp_path)


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


def test_the_bridge_keeps_repeated_keys_and_turns_uploads_into_django_files() -> None:
    post = MultiDict(
        [
            ("topics", "a"),
            ("topics", "b"),
            ("slides", ("../talk.pdf", PDF)),
            ("topics", "c"),
            ("slides", ("..", b"x")),
        ]
    )
    request = Request.blank("/", POST=post)
    data, files = form_data(request)
    assert data.getlist("topics") == ["a", "b", "c"]
    (upload,) = files.getlist("slides")
    assert isinstance(upload, UploadedFile) and (upload.name, upload.size, upload.read()) == (
        "talk.pdf",
        len(PDF),
        PDF,
    )
    request._process_finished_callbacks()  # what Pyramid's router does once the response is ready
    assert upload.closed


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


def test_slides_over_the_size_limit_are_refused_with_a_form_error(client) -> None:
    too_big = PDF + b"0" * (MAX_SLIDES_BYTES + 1 - len(PDF))
    page = fill(client.get("/forms/"), slides=Upload("big.pdf", too_big, "application/pdf")).submit()
    limit = "2.0\N{NO-BREAK SPACE}MB"  # Django's filesizeformat
    assert errors(page) == [f"Slides may be at most {limit}; this file has {MAX_SLIDES_BYTES + 1} bytes."]
    assert "choose your slides again" in page.text and listed_titles(client) == []


def test_slides_of_the_wrong_type_are_refused_by_name_and_by_content(client) -> None:
    page = fill(client.get("/forms/"), slides=Upload("notes.txt", b"plain text", "text/plain")).submit()
    assert "File extension “txt” is not allowed. Allowed extensions are: pdf." in errors(page)
    page = fill(
        client.get("/forms/"), slides=Upload("slides.pdf", b"\x89PNG\r\n\x1a\n", "application/pdf")
    ).submit()
    assert errors(page) == ["This file does not look like a PDF."]
    assert listed_titles(client) == []


def test_a_body_over_the_limit_is_refused_before_parsing_with_a_readable_413(client) -> None:
    huge = Upload("huge.pdf", PDF + b"0" * MAX_BODY_BYTES, "application/pdf")
    page = fill(client.get("/forms/"), slides=huge).submit(status=413)
    assert page.content_type == "text/html" and "too large" in page.html.select_one(".problem").get_text()
    assert listed_titles(client) == []


@pytest.mark.parametrize("padding", [0, MAX_BODY_BYTES], ids=["fits", "too large"])
def test_a_body_without_a_length_is_held_to_the_same_limit_and_kept_when_it_fits(
    client, padding: int
) -> None:
    form = fill(client.get("/forms/"))
    fields = [(name, value) for name, value in form.submit_fields() if name != "slides"]
    body = urlencode(fields).encode() + b"&padding=" + b"0" * padding
    # How gunicorn hands over a chunked body: no CONTENT_LENGTH, and wsgi.input_terminated.
    stream = io.BytesIO(body)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/forms/",
        "CONTENT_TYPE": "application/x-www-form-urlencoded",
        "HTTP_COOKIE": "; ".join(f"{name}={value}" for name, value in client.cookies.items()),
        "wsgi.input": stream,
        "wsgi.input_terminated": True,
    }
    setup_testing_defaults(environ)
    response = Request(environ).get_response(client.app)
    if padding:
        assert response.status_code == 413 and stream.tell() <= MAX_BODY_BYTES + 1
        assert listed_titles(client) == []
    else:
        assert response.status_code == 303 and listed_titles(client) == [f"#1 {VALID['title']}"]


def test_a_post_without_or_with_a_wrong_csrf_token_gets_a_readable_400(client, config) -> None:
    page = client.post("/forms/", VALID, status=400)
    assert page.content_type == "text/html" and page.html.h1.get_text() == "This form has expired"
    assert "Nothing was saved" in page.text
    form = fill(client.get("/forms/"))
    form["csrf_token"] = "forged"
    form.submit(status=400)
    stranger = TestApp(make_app(config, ("pyramid_forms",)))
    token = client.get("/forms/").forms["proposal"]["csrf_token"].value
    stranger.post("/forms/", {**VALID, "csrf_token": token}, status=400)
    assert listed_titles(client) == []


@pytest.mark.parametrize(
    ("accept_language", "required"),
    [
        ("de", "Dieses Feld ist zwingend erforderlich."),
        ("de-AT,de;q=0.9,en;q=0.5", "Dieses Feld ist zwingend erforderlich."),
        ("fr-FR, de;q=0.4", "Dieses Feld ist zwingend erforderlich."),
        ("de;q=0, en", "This field is required."),
        (None, "This field is required."),
    ],
)
def test_error_messages_speak_the_language_of_accept_language(client, accept_language, required) -> None:
    headers = {"Accept-Language": accept_language} if accept_language else {}
    page = fill(client.get("/forms/"), title="", email="kaputt").submit(headers=headers)
    assert errors(page)[0] == required
    german = required.startswith("Dieses")
    assert ("Bitte gültige E-Mail-Adresse eingeben." if german else "Enter a valid email address.") in errors(
        page
    )
    assert page.html.html["lang"] == ("de" if german else "en")


def test_non_ascii_and_markup_round_trip_as_text(client) -> None:
    title = "Ünïcödé — フォームの検証 🐍 <script>alert(1)</script>"
    fill(
        client.get("/forms/"), title=title, speaker="José Dvořák", abstract="Ça marche, 很好."
    ).submit().follow()
    listing = client.get("/forms/proposals/")
    assert listing.html.select_one("article h2").get_text() == f"#1 {title}"
    assert "José Dvořák" in listing.text and "Ça marche, 很好." in listing.text
    assert "<script>alert(1)</script>" not in listing.text


def test_proposals_survive_a_new_app_instance(config) -> None:
    first = TestApp(make_app(config, ("pyramid_forms",)))
    fill(first.get("/forms/")).submit()
    second = TestApp(make_app(config, ("pyramid_forms",)))
    assert listed_titles(second) == ["#1 Forms without the framework"]
    assert (config.data_dir / "pyramid_forms.sqlite3").is_file()


def test_a_database_failure_keeps_the_visitors_input_and_says_so(client, config) -> None:
    (config.data_dir / "pyramid_forms.sqlite3").unlink()
    page = fill(client.get("/forms/")).submit(status=503)
    assert (
        "could not be saved just now" in page.text and page.forms["proposal"]["title"].value == VALID["title"]
    )
    listing = client.get("/forms/proposals/", status=503)
    assert listing.html.h1.get_text() == "Proposals are unavailable" and "sqlite" not in listing.text.lower()


def test_the_app_passes_wsgiref_validate(config) -> None:
    client = TestApp(validator(make_app(config, ("pyramid_forms",))), lint=False)
    fill(client.get("/forms/"), slides=Upload("talk.pdf", PDF, "application/pdf")).submit().follow()
    client.get("/forms/proposals/1/slides")
    client.get("/forms/nowhere", status=404)


def test_next_to_the_django_demos_it_uses_the_process_settings(config) -> None:
    from django.conf import settings

    client = TestApp(make_app(config))
    page = fill(client.get("/forms/"), title="").submit(headers={"Accept-Language": "de"})
    assert errors(page) == ["Dieses Feld ist zwingend erforderlich."]
    assert settings.SETTINGS_MODULE == "swapdemo.settings"
    assert client.get("/jinja/").status_int == 200


ALONE = """
import json
from django.conf import settings
from webtest import TestApp
from apps.pyramid_forms.app import make_app
from swapdemo.kernel.config import from_environment

client = TestApp(make_app(from_environment()))
form = client.get("/").forms["proposal"]
page = form.submit(headers={"Accept-Language": "de"})
errors = [item.get_text() for item in page.html.select("ul.errorlist li")]
print(json.dumps({"errors": errors, "module": settings.SETTINGS_MODULE, "apps": settings.INSTALLED_APPS,
                  "languages": [code for code, _ in settings.LANGUAGES]}))
"""


def _environ_without_django_settings(data_dir: Path) -> dict[str, str]:
    environ = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    return {**environ, "SWAPDEMO_DATA_DIR": str(data_dir)}


def test_alone_it_configures_only_what_forms_need(tmp_path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", ALONE],
        cwd=ROOT,
        env=_environ_without_django_settings(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["module"] is None and report["apps"] == [] and report["languages"] == ["en", "de"]
    assert report["errors"][0] == "Dieses Feld ist zwingend erforderlich."


def test_python_m_swapdemo_pyramid_forms_serves_the_demo_alone(tmp_path) -> None:
    command = [sys.executable, "-m", "swapdemo.pyramid_forms", "--port", "0"]
    environ = _environ_without_django_settings(tmp_path)
    output = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
    with subprocess.Popen(command, cwd=ROOT, env=environ, **output) as server:
        try:
            started = (
                re.search(r"http://127\.0\.0\.1:\d+/", line) for line in server.stdout
            )  # warnings may come first
            url = next(match for match in started if match).group(0)
            session = requests.Session()
            page = session.get(url + "forms/", timeout=10)
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            german = {"Accept-Language": "de"}
            answer = session.post(url + "forms/", data={"csrf_token": token}, headers=german, timeout=10)
            assert answer.status_code == 200 and "Dieses Feld ist zwingend erforderlich." in answer.text
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=15) == 0
        finally:
            server.kill()


@pytest.fixture
def postgres_config(config):
    url = os.environ.get("SWAPDEMO_TEST_DATABASE_URL")
    if not url:
        pytest.skip("set SWAPDEMO_TEST_DATABASE_URL to run the PostgreSQL tests")
    import dj_database_url
    import psycopg

    def drop() -> None:
        with psycopg.connect(url) as connection:
            connection.execute("DROP TABLE IF EXISTS proposal")

    drop()
    yield config.replace(database=dj_database_url.parse(url))
    drop()


def test_with_database_url_on_postgresql_proposals_are_stored_there(postgres_config) -> None:
    first = TestApp(make_app(postgres_config, ("pyramid_forms",)))
    fill(first.get("/forms/"), slides=Upload("talk.pdf", PDF, "application/pdf")).submit().follow()
    second = TestApp(make_app(postgres_config, ("pyramid_forms",)))
    assert listed_titles(second) == ["#1 Forms without the framework"]
    assert second.get("/forms/proposals/1/slides").body == PDF
    assert not (postgres_config.data_dir / "pyramid_forms.sqlite3").exists()
