"""Plain Django views; ``using=`` is the only place that names a template engine.

``schedule`` serves ``/jinja/`` with Jinja2 and ``/jinja/dtl/`` with the
Django template language (see ``urls.py``): the same code, the same context,
the same template name, looked up in ``jinja2/`` or ``templates/``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from apps.conference import TIME_ZONE, load_talks
from apps.jinja_templates.forms import ScheduleFilter, renderer_for

if TYPE_CHECKING:
    from collections.abc import Iterable

    from apps.conference import Talk

SCHEDULE = "jinja_templates/schedule.html"
TALK = "jinja_templates/talk.html"


@dataclasses.dataclass(frozen=True)
class Track:
    name: str
    talks: list[Talk]


@dataclasses.dataclass(frozen=True)
class Day:
    date: dt.date
    tracks: list[Track]


def by_day_and_track(talks: Iterable[Talk]) -> list[Day]:
    """Group talks (already in schedule order) by day, then by track in order of first slot."""
    grouped: dict[dt.date, dict[str, list[Talk]]] = {}
    for talk in talks:
        grouped.setdefault(talk.day, {}).setdefault(talk.track, []).append(talk)
    return [Day(day, [Track(name, rows) for name, rows in tracks.items()]) for day, tracks in grouped.items()]


def schedule_context(form: ScheduleFilter, talks: tuple[Talk, ...]) -> dict[str, object]:
    """What the schedule template gets: the form, the talks it lets through, grouped, and the zone."""
    shown = form.apply(talks) if form.is_valid() else list(talks)
    zone = dt.datetime.combine(talks[0].day, dt.time(12), TIME_ZONE).tzname() if talks else ""
    return {"form": form, "days": by_day_and_track(shown), "count": len(shown), "zone": zone}


@require_http_methods(["GET", "HEAD", "POST"])
def schedule(request: HttpRequest, using: str) -> HttpResponse:
    """The schedule by day and track, with the filter form.

    A valid POST flashes how many talks match and redirects to the filtered
    schedule's URL (``?track=…&day=…&level=…``); an invalid one shows the
    errors.  CSRF is enforced by Django's middleware, as on any Django form.
    """
    talks = load_talks()
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = ScheduleFilter(talks, data, renderer=renderer_for(using))
    if request.method == "POST" and form.is_valid():
        count = len(form.apply(talks))
        messages.success(
            request, ngettext("%(count)d talk matches.", "%(count)d talks match.", count) % {"count": count}
        )
        query = form.query()
        return redirect(f"{request.path}?{query}" if query else request.path)
    response = render(request, SCHEDULE, schedule_context(form, talks), using=using)
    response["X-Template-Engine"] = using
    return response


@require_GET
def talk(request: HttpRequest, talk_id: int) -> HttpResponse:
    """One talk, with links to the talks before and after it in the schedule."""
    talks = load_talks()
    index = next((i for i, candidate in enumerate(talks) if candidate.id == talk_id), None)
    if index is None:
        raise Http404(f"No talk has the id {talk_id}.")
    current = talks[index]
    context = {
        "talk": current,
        "starts_at": dt.datetime.combine(current.day, current.start, TIME_ZONE),
        "previous": talks[index - 1] if index > 0 else None,
        "next": talks[index + 1] if index + 1 < len(talks) else None,
    }
    with timezone.override(TIME_ZONE):  # shown in the conference's time, whatever the server's
        return render(request, TALK, context, using="jinja2")
