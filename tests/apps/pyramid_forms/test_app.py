"""The Pyramid app's factory: wsgiref's validator has nothing to say about it."""

from __future__ import annotations

from wsgiref.validate import validator

from webtest import TestApp, Upload

from swapdemo.stack import make_app
from tests.apps.pyramid_forms.conftest import PDF, fill


def test_the_app_passes_wsgiref_validate(config) -> None:
    client = TestApp(validator(make_app(config, ("pyramid_forms",))), lint=False)
    fill(client.get("/forms/"), slides=Upload("talk.pdf", PDF, "application/pdf")).submit().follow()
    client.get("/forms/proposals/1/slides")
    client.get("/forms/nowhere", status=404)
