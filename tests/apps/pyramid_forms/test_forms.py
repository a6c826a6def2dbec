"""The proposal form's own validators: the slides' size and type."""

from __future__ import annotations

from webtest import Upload

from apps.pyramid_forms.forms import MAX_SLIDES_BYTES
from tests.apps.pyramid_forms.conftest import PDF, errors, fill, listed_titles


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
