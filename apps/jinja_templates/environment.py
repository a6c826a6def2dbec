"""The swap: a Jinja2 environment that gives Django views what the template language gave them.

Django's own backend, ``django.template.backends.jinja2.Jinja2``, loads
templates from each app's ``jinja2/`` folder and puts ``request``,
``csrf_input`` and ``csrf_token`` in the context.  Everything else a Django
template author reaches for is missing; :func:`environment`, the factory the
backend calls with its ``OPTIONS``, adds it::

    TEMPLATES = [
        {"BACKEND": "django.template.backends.django.DjangoTemplates", ...},
        {"BACKEND": "django.template.backends.jinja2.Jinja2", "NAME": "jinja2", "APP_DIRS": True,
         "OPTIONS": {"environment": "apps.jinja_templates.environment.environment"}},
    ]

Globals ``url(name, *args, **kwargs)`` (``reverse()``, so links include the
mount prefix), ``static(path)``, ``get_messages(request)`` and
``get_language()``; ``_``, ``gettext``, ``ngettext``, ``pgettext``,
``npgettext`` and ``{% trans %}`` blocks (``jinja2.ext.i18n``) answered by
Django's catalogs in the active language; filters ``date`` and ``time``
(Django's formats, aware datetimes shown in the current time zone),
``pluralize`` and ``naturaltime``.  Undefined variables raise when
``settings.DEBUG`` is on and render empty otherwise, attributes of them included.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import jinja2
from django.conf import settings
from django.contrib.messages import get_messages
from django.template import TemplateDoesNotExist, defaultfilters
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.translation import (
    get_language,
    gettext,
    ngettext,
    npgettext,
    pgettext,
)

if TYPE_CHECKING:
    from types import TracebackType


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """``{% url %}`` as a function: ``url("talk", 7)`` or ``url("talk", talk_id=7)``."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


def date(value: dt.date | dt.datetime | None, format: str | None = None) -> str:
    """Django's ``date`` filter: ``DATE_FORMAT`` of the active language unless ``format`` is given."""
    return defaultfilters.date(timezone.template_localtime(value), format)


def time(value: dt.time | dt.datetime | None, format: str | None = None) -> str:
    """Django's ``time`` filter: ``TIME_FORMAT`` of the active language unless ``format`` is given."""
    return defaultfilters.time(timezone.template_localtime(value), format)


def naturaltime(value: dt.datetime, now: dt.datetime | None = None) -> str:
    """``"3 hours ago"``, ``"in 2 days"`` or ``"now"``, translated; ``now`` defaults to the clock."""
    now = now or (timezone.now() if timezone.is_aware(value) else dt.datetime.now())
    if abs(now - value) < dt.timedelta(minutes=1):
        return gettext("now")
    if value < now:
        return gettext("%(delta)s ago") % {"delta": timesince(value, now)}
    return gettext("in %(delta)s") % {"delta": timeuntil(value, now)}


def _template_line(tb: TracebackType | None) -> str:
    """``"name.html, line 3"`` for the innermost template frame of a traceback."""
    # Compiled templates keep their Template in this global; jinja2/debug.py finds them the same way.
    where = "outside any template"
    while tb is not None:
        template = tb.tb_frame.f_globals.get("__jinja_template__")
        if template is not None:
            where = f"{template.name}, line {template.get_corresponding_lineno(tb.tb_lineno)}"
        tb = tb.tb_next
    return where


class Environment(jinja2.Environment):
    """A ``jinja2.Environment`` whose missing ``{% include %}``/``{% extends %}`` is Django's error.

    Django's backend turns ``TemplateNotFound`` into ``TemplateDoesNotExist``
    only for the template a view asks for; one missing mid-render would leak
    out as Jinja2's own exception, past code that catches Django's.
    """

    def handle_exception(self, source: str | None = None) -> NoReturn:
        where = _template_line(sys.exc_info()[2])
        try:
            super().handle_exception(source)
        except jinja2.TemplateNotFound as exc:
            raise TemplateDoesNotExist(f"{exc.name} (asked for by {where})") from exc


def environment(**options: Any) -> Environment:
    """The Jinja2 environment for Django's backend; ``options`` are its ``OPTIONS`` and defaults."""
    # Django's backend defaults to DebugUndefined under DEBUG, which prints "{{ name }}" into the
    # page instead of failing, and to Undefined otherwise, which still fails on "{{ name.attr }}".
    if options.get("undefined") in (None, jinja2.DebugUndefined, jinja2.Undefined):
        options["undefined"] = jinja2.StrictUndefined if settings.DEBUG else jinja2.ChainableUndefined
    options["extensions"] = [*options.get("extensions", ()), "jinja2.ext.i18n"]
    env = Environment(**options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True, pgettext=pgettext, npgettext=npgettext)  # type: ignore[attr-defined]
    env.globals.update(url=url, static=static, get_messages=get_messages, get_language=get_language)
    env.filters.update(date=date, time=time, pluralize=defaultfilters.pluralize, naturaltime=naturaltime)
    return env
