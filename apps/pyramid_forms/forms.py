"""The "propose a talk" form: a plain ``django.forms.Form`` that knows nothing of Pyramid.

Its fields cover what a form library must handle: text, an email address,
a choice, a multiple choice, a bounded integer, a date and a file upload.
Validation and messages are Django's (and so are their translations); the
slides' size and PDF signature, which Django has no validator for, raise
Django ``ValidationError``\\ s with codes of their own.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import (
    FileExtensionValidator,
    MaxValueValidator,
    MinValueValidator,
)
from django.template.defaultfilters import filesizeformat

from apps.conference.data import LEVELS, load_talks

if TYPE_CHECKING:
    import datetime as dt

    from django.core.files.uploadedfile import UploadedFile

MAX_SLIDES_BYTES = 2 * 1024 * 1024
TOPICS = (
    ("orm", "The ORM"),
    ("templates", "Templates"),
    ("forms", "Forms"),
    ("testing", "Testing"),
    ("deployment", "Deployment"),
    ("security", "Security"),
    ("async", "Async views"),
)


@functools.cache
def track_choices() -> tuple[tuple[str, str], ...]:
    """The conference's tracks that take proposals: every track but the keynotes."""
    return tuple((track, track) for track in sorted({talk.track for talk in load_talks()} - {"Keynotes"}))


@functools.cache
def first_day() -> dt.date:
    return min(talk.day for talk in load_talks())


@functools.cache
def last_day() -> dt.date:
    return max(talk.day for talk in load_talks())


def validate_slides(upload: UploadedFile) -> None:
    """At most :data:`MAX_SLIDES_BYTES`, and a PDF by content, not just by name."""
    if upload.size is not None and upload.size > MAX_SLIDES_BYTES:
        raise ValidationError(
            "Slides may be at most %(limit)s; this file has %(size)d bytes.",
            code="file_too_large",
            params={"limit": filesizeformat(MAX_SLIDES_BYTES), "size": upload.size},
        )
    upload.seek(0)
    signature = upload.read(5)
    upload.seek(0)
    if signature != b"%PDF-":
        raise ValidationError("This file does not look like a PDF.", code="not_pdf")


class ProposalForm(forms.Form):
    """A talk proposal; ``cleaned_data`` is what :meth:`ProposalStore.add` stores."""

    title = forms.CharField(max_length=120)
    speaker = forms.CharField(max_length=80, label="Your name")
    email = forms.EmailField(help_text="Only the programme committee sees it.")
    track = forms.ChoiceField(choices=track_choices)
    level = forms.ChoiceField(
        choices=[(level, level.capitalize()) for level in LEVELS], widget=forms.RadioSelect
    )
    topics = forms.MultipleChoiceField(
        choices=TOPICS, widget=forms.CheckboxSelectMultiple, help_text="Tick every topic it covers."
    )
    duration = forms.IntegerField(min_value=5, max_value=50, label="Duration (minutes)")
    preferred_day = forms.DateField(
        validators=[MinValueValidator(first_day), MaxValueValidator(last_day)],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    abstract = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 6}))
    slides = forms.FileField(
        required=False,
        validators=[FileExtensionValidator(["pdf"]), validate_slides],
        widget=forms.FileInput(attrs={"accept": ".pdf,application/pdf"}),
        help_text=f"Optional: a PDF of at most {MAX_SLIDES_BYTES // (1024 * 1024)} MB.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["preferred_day"].widget.attrs.update(
            min=first_day().isoformat(), max=last_day().isoformat()
        )
