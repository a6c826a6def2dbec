"""The three bugs the demo's pages trip over, one per framework, each a mistake real code makes.

- **Django + Jinja2** (``talk/``): the lightning-talk slot was entered with a duration of 0
  minutes, and the talk template divides the slide count by it (``jinja2/postmortem/talk.html``).
- **Pyramid + a Django form** (``rate/?track=keynote``): :class:`RatingForm` offers the keynote
  track, but its ``clean()`` weighs the stars by a table that forgot it: ``KeyError``.
- **Plain WSGI** (``feed/``): :func:`titles` was written for a JSON:API server (``{"data":
  [{"attributes": ...}]}``) and meets the built-in API's ``{"results": [...]}``: ``KeyError``.

Each page's crash is stored by the hook its framework offers (``swapdemo/kernel/crashes.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from apps.conference.data import Talk

LIGHTNING = Talk(
    id=0,
    title="Lightning talks",
    speaker="Everyone",
    track="Community",
    room="Main hall",
    day=dt.date(2026, 9, 9),
    start=dt.time(17, 30),
    duration=0,  # the mistake: the slot's length was never filled in
    level="beginner",
    abstract="Five minutes each, on anything. Sign up at the registration desk.",
)
SLIDES = 40

TRACKS = [("web", "Web"), ("data", "Data"), ("community", "Community"), ("keynote", "Keynote")]
TRACK_WEIGHTS = {"web": 1.0, "data": 1.0, "community": 1.2}  # the mistake: no "keynote"


class RatingForm(forms.Form):
    """Rate a track's talks; the score is the stars weighed by the track."""

    track = forms.ChoiceField(choices=TRACKS)
    stars = forms.IntegerField(min_value=1, max_value=5)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if "track" in cleaned and "stars" in cleaned:
            cleaned["score"] = cleaned["stars"] * TRACK_WEIGHTS[cleaned["track"]]
        return cleaned


def titles(answer: dict[str, Any]) -> list[str]:
    """The talk titles of a JSON:API page of talks."""
    return [row["attributes"]["title"] for row in answer["data"]]
