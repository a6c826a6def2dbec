"""The schedule filter: an ordinary Django form, shown and validated on a Jinja2 page.

A form prints through its renderer (``{{ form.track }}`` in either engine
calls it).  Django's default renderer uses the template language for widgets,
so :func:`renderer_for` picks Django's ``Jinja2`` form renderer for the
Jinja2 page: there the widgets are Jinja2 templates too.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlencode

from django import forms
from django.forms.renderers import BaseRenderer, Jinja2
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from apps.conference.data import LEVELS

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from apps.conference import Talk


@functools.cache
def _jinja2_renderer() -> Jinja2:
    return Jinja2()


def renderer_for(using: str) -> BaseRenderer | None:
    """The form renderer matching the template engine ``using``; ``None`` is Django's default."""
    return _jinja2_renderer() if using == "jinja2" else None


class ScheduleFilter(forms.Form):
    """Narrow the schedule to a track, a day and a level; every field may be left empty.

    :param talks: the talks to choose from; the track and day choices come from them.
    """

    track = forms.ChoiceField(label=_("Track"), required=False)
    day = forms.TypedChoiceField(
        label=_("Day"), required=False, coerce=dt.date.fromisoformat, empty_value=None
    )
    level = forms.ChoiceField(label=_("Level"), required=False)

    def __init__(self, talks: Sequence[Talk], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        tracks = dict.fromkeys(talk.track for talk in talks)
        days = dict.fromkeys(talk.day for talk in talks)
        choices = {name: cast("forms.ChoiceField", self.fields[name]) for name in ("track", "day", "level")}
        choices["track"].choices = [("", _("All tracks")), *((track, track) for track in tracks)]
        choices["day"].choices = [
            ("", _("All days")),
            *((day.isoformat(), date_format(day, "l")) for day in days),
        ]
        choices["level"].choices = [("", _("All levels")), *((level, level) for level in LEVELS)]

    def apply(self, talks: Iterable[Talk]) -> list[Talk]:
        """The talks that match the cleaned data; call after ``is_valid()``."""
        wanted = {name: value for name, value in self.cleaned_data.items() if value}
        return [talk for talk in talks if all(getattr(talk, name) == value for name, value in wanted.items())]

    def query(self) -> str:
        """The cleaned data as a query string, so a filtered schedule has a URL."""
        return urlencode({name: str(value) for name, value in self.cleaned_data.items() if value})
