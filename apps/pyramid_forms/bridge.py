"""The adapter between Pyramid and ``django.forms``, and nothing else.

Django's forms need three things a Pyramid request does not give them:

* **settings**, for the active language, the message catalogues and the form
  renderer.  :func:`configure_django` uses the process's settings when it has
  any (next to the Django demos, ``swapdemo.settings``); otherwise it
  configures the few that forms read.  Django settings are process-global,
  so this runs once, on the first request rather than in the factory: in the
  stack every app is built before the first request, so a Django demo built
  after this one still gets its own settings.
* **their data types**: :func:`form_data` turns WebOb's ``request.POST`` (a
  ``MultiDict``) into Django's ``MultiValueDict`` pair ``(data, files)``,
  keeping every value of a repeated key, and each uploaded ``FieldStorage``
  into a Django ``UploadedFile``, closed when the request is finished.
* **a language**: :func:`language_for`, the app's Pyramid locale negotiator,
  picks the best of Django's ``LANGUAGES`` for the request's
  ``Accept-Language``; :func:`django_language_tween` activates it for the
  whole request, so validation and rendering speak it.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

import django
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import UploadedFile
from django.utils import translation
from django.utils.datastructures import MultiValueDict

if TYPE_CHECKING:
    from collections.abc import Callable

    from pyramid.registry import Registry
    from pyramid.request import Request
    from pyramid.response import Response

FORMS_ONLY_SETTINGS = {
    "USE_I18N": True,
    "LANGUAGE_CODE": "en",
    "LANGUAGES": [("en", "English"), ("de", "Deutsch")],
}
_lock = threading.Lock()


def form_data(request: Request) -> tuple[MultiValueDict, MultiValueDict]:
    """Django's ``(data, files)`` from WebOb's ``request.POST``, a ``MultiDict``.

    Every ``(key, value)`` pair is kept, in order, so ``getlist()`` returns
    all the values of a repeated key.  Values with a ``filename`` (WebOb's
    ``FieldStorage``) go to ``files`` as :func:`uploaded_file`\\ s, which are
    closed when the request is finished, as Django closes its own.
    """
    data: MultiValueDict = MultiValueDict()
    files: MultiValueDict = MultiValueDict()
    streams = []
    for key, value in request.POST.items():
        if hasattr(value, "filename") and hasattr(value, "file"):
            streams.append(value.file)
            if (upload := uploaded_file(value)) is not None:
                files.appendlist(key, upload)
        else:
            data.appendlist(key, value)
    if streams:

        def close_uploads(request: Request) -> None:
            for stream in streams:
                stream.close()

        request.add_finished_callback(close_uploads)
    return data, files


def uploaded_file(field: Any) -> UploadedFile | None:
    """A Django ``UploadedFile`` over WebOb's upload ``field``, without copying it.

    ``None`` when the part names no usable file, as Django's own parser
    skips it: an empty ``filename``, ``.`` or ``..`` after dropping any path.
    """
    name = str(field.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(char for char in name if char.isprintable())
    if name in ("", ".", ".."):
        return None
    stream = field.file
    stream.seek(0, 2)
    size = stream.tell()
    stream.seek(0)
    options = getattr(field, "type_options", None) or {}
    return UploadedFile(stream, name, getattr(field, "type", None), size, options.get("charset"))


def language_for(request: Request) -> str:
    """Pyramid locale negotiator: the request's most wanted of Django's ``LANGUAGES``.

    ``LANGUAGE_CODE`` when none is acceptable.  WebOb parses ``Accept-Language`` (quality values included);
    ``get_supported_language_variant`` maps ``de-AT`` to ``de``.
    """
    ranked = sorted(request.accept_language.parsed or (), key=lambda pair: -pair[1])
    for tag, quality in ranked:
        if quality > 0:
            try:
                return translation.get_supported_language_variant(tag.lower())
            except LookupError:
                continue
    return settings.LANGUAGE_CODE


def django_language_tween(
    handler: Callable[[Request], Response], registry: Registry
) -> Callable[[Request], Response]:
    """Pyramid tween: set Django up, then handle the request in its language.

    The language is Pyramid's ``request.locale_name``, which :func:`language_for`
    decides once it is the app's locale negotiator.  Adds ``Vary:
    Accept-Language``, since the same URL answers in several languages.
    """

    def tween(request: Request) -> Response:
        configure_django()
        with translation.override(request.locale_name):
            response = handler(request)
        response.vary = (*(response.vary or ()), "Accept-Language")
        return response

    return tween


def configure_django() -> None:
    """Make Django usable for forms, once per process; cheap after the first call.

    Accessing a setting makes Django load ``DJANGO_SETTINGS_MODULE`` if the
    process names one; only when there is none are :data:`FORMS_ONLY_SETTINGS`
    configured.  Then the app registry is populated if nobody did it yet
    (translations need it).
    """
    if apps.ready:
        return
    with _lock:
        try:
            _ = settings.USE_I18N  # Django loads DJANGO_SETTINGS_MODULE here, or raises.
        except ImproperlyConfigured:
            settings.configure(**FORMS_ONLY_SETTINGS)
        if not apps.ready:
            django.setup(set_prefix=False)
