"""The bridge between Pyramid and django.forms: repeated keys, uploads, the visitor's language, and
the settings it uses or configures.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.core.files.uploadedfile import UploadedFile
from pyramid.request import Request
from webob.multidict import MultiDict
from webtest import TestApp

from apps.pyramid_forms.bridge import form_data
from swapdemo.stack import make_app
from tests.apps.pyramid_forms.conftest import PDF, errors, fill
from tests.conftest import ROOT, _environ_without_django_settings


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
