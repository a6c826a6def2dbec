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
``settings.DEBUG`` is on and render empty otherwise, attributes of them and
these filters' results included.  Django's backend always passes an
``undefined`` option, so ``Undefined`` and ``DebugUndefined`` (its defaults)
are replaced by that policy; pass another class to keep your own.  A syntax
error is Django's ``TemplateSyntaxError`` with the template and line in its
message (``errors.py``).
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import TYPE_CHECKING, Any

import jinja2
from django.conf import settings
from django.contrib.messages import get_messages
from django.template import defaultfilters
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince, timeuntil
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in django-stubs
from django.utils.translation import get_language, gettext, ngettext, npgettext, pgettext

from apps.jinja_templates.errors import Environment

if TYPE_CHECKING:
    from collections.abc import Callable


def environment(**options: Any) -> Environment:
    """The Jinja2 environment for Django's backend; ``options`` are its ``OPTIONS`` and defaults."""
    # Django's backend defaults to DebugUndefined under DEBUG, which prints "{{ name }}" into the
    # page instead of failing, and to Undefined otherwise, which still fails on "{{ name.attr }}".
    if options.get("undefined") in (None, jinja2.DebugUndefined, jinja2.Undefined):
        options["undefined"] = jinja2.StrictUndefined if settings.DEBUG else jinja2.ChainableUndefined
    options["extensions"] = [*options.get("extensions", ()), "jinja2.ext.i18n"]
    env = Environment(**options)
    install = env.install_gettext_callables  # type: ignore[attr-defined]  # added by jinja2.ext.i18n
    install(gettext, ngettext, newstyle=True, pgettext=pgettext, npgettext=npgettext)
    env.globals.update(url=url, static=static, get_messages=get_messages, get_language=get_language)
    pluralize = _undefined_renders_as_itself(defaultfilters.pluralize)
    env.filters.update(date=date, time=time, pluralize=pluralize, naturaltime=naturaltime)
    return env


def _undefined_renders_as_itself(filter: Callable[..., Any]) -> Callable[..., Any]:
    """An undefined value skips ``filter``: it renders empty, or raises under ``StrictUndefined``."""

    @functools.wraps(filter)
    def checked(value: Any, *args: Any, **kwargs: Any) -> Any:
        return str(value) if jinja2.is_undefined(value) else filter(value, *args, **kwargs)

    return checked


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """``{% url %}`` as a function: ``url("talk", 7)`` or ``url("talk", talk_id=7)``."""
    return reverse(name, args=args or None, kwargs=kwargs or None)


@_undefined_renders_as_itself
def date(value: dt.date | dt.datetime | None, format: str | None = None) -> str:
    """Django's ``date`` filter: ``DATE_FORMAT`` of the active language unless ``format`` is given."""
    return defaultfilters.date(template_localtime(value), format)


@_undefined_renders_as_itself
def time(value: dt.time | dt.datetime | None, format: str | None = None) -> str:
    """Django's ``time`` filter: ``TIME_FORMAT`` of the active language unless ``format`` is given."""
    return defaultfilters.time(template_localtime(value), format)


@_undefined_renders_as_itself
def naturaltime(value: object, now: dt.datetime | None = None) -> Any:
    """``"3 hours ago"``, ``"in 2 days"`` or ``"now"``, translated; ``now`` defaults to the clock.

    ``None`` is ``""``; anything else that is not a datetime comes back unchanged, as in ``humanize``.
    """
    if not isinstance(value, dt.datetime):
        return "" if value is None else value
    now = now or (timezone.now() if timezone.is_aware(value) else dt.datetime.now())
    if abs(now - value) < dt.timedelta(minutes=1):
        return gettext("now")
    if value < now:
        return gettext("%(delta)s ago") % {"delta": timesince(value, now)}
    return gettext("in %(delta)s") % {"delta": timeuntil(value, now)}
