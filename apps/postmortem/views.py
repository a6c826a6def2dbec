"""The demo's Django views: the index (DTL) and the lightning talk's page (Jinja2), which crashes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.shortcuts import render

from apps.postmortem.crashes import LIGHTNING, SLIDES
from wsgi_stack.postmortem.layer import CAPTURE_KEY  # set by the post-mortem layer when it is on

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse


def index(request: HttpRequest) -> HttpResponse:
    """The three crashing pages, and where their snapshots go."""
    return render(
        request, "postmortem/index.html", {"capturing": CAPTURE_KEY in request.META}, using="django"
    )


def talk(request: HttpRequest) -> HttpResponse:
    """The lightning talks' page; a POST is feedback on them, shown back. Both crash in the template."""
    feedback = request.POST.get("comment", "") if request.method == "POST" else ""
    context = {"talk": LIGHTNING, "slides": SLIDES, "feedback": feedback}
    return render(request, "postmortem/talk.html", context, using="jinja2")
