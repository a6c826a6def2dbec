"""One parser per kind of environment value; a bad value is ImproperlyConfigured naming it and the fix.

:func:`swapdemo.kernel.config.load` reads each variable through one of these, so a mistake stops
the command at start-up with one sentence (the runner prints it), not at the first request.
"""

from __future__ import annotations

import importlib
import ipaddress
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from wsgi_stack.numbers import whole_number

if TYPE_CHECKING:
    from collections.abc import Mapping

_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}
_HOST = re.compile(r"\*|\.?[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]")
_NAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
_DRIVERS = {"sqlite3": None, "postgresql": ("psycopg", "postgres")}


def flag(environ: Mapping[str, str], name: str) -> bool:
    value = environ.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: use 1/0, true/false, yes/no or on/off")


def whole(environ: Mapping[str, str], name: str, default: int, high: int = 999_999_999, low: int = 1) -> int:
    value = environ.get(name, "").strip()
    if not value:
        return default
    number = whole_number(value, low, high)
    if number is None:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number from {low} to {high}")
    return number


def name(environ: Mapping[str, str], key: str, default: str) -> str:
    """A short name (a host's, say): letters, digits, ``.``, ``-`` and ``_``, at most 64."""
    value = environ.get(key) or default
    if not _NAME.fullmatch(value):
        raise ImproperlyConfigured(
            f"{key}={value[:80]!r}: use letters, digits, '.', '-' and '_' (64 at most)"
        )
    return value


def secret(environ: Mapping[str, str], name: str, shortest: int) -> str | None:
    value = environ.get(name) or None
    if value is not None and (len(value) < shortest or not value.isascii() or not value.isprintable()):
        raise ImproperlyConfigured(
            f"{name} must be at least {shortest} printable ASCII characters; make one with "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
        )
    return value


def url(environ: Mapping[str, str], name: str) -> str | None:
    """An ``http(s)://host/...`` URL, or ``None`` when unset."""
    value = environ.get(name, "").strip() or None
    if value is None:
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ImproperlyConfigured(f"{name}={value!r} is not an http:// or https:// URL with a host name")
    return value


def hosts(environ: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    names = tuple(h.strip() for h in environ.get(name, "").split(",") if h.strip())
    for host in names:
        if not _HOST.fullmatch(host):
            raise ImproperlyConfigured(
                f"{name}: {host!r} is not a host name; list names such as example.org or .example.org "
                "(a subdomain wildcard), comma-separated, without scheme or port"
            )
    return names or default


def address(environ: Mapping[str, str], name: str) -> str | None:
    value = environ.get(name, "").strip() or None
    if value is not None and value != "*":
        try:
            ipaddress.ip_address(value)
        except ValueError:
            raise ImproperlyConfigured(f"{name}={value!r} is not an IP address (or *)") from None
    return value


def database(environ: Mapping[str, str], name: str, default: str) -> dict[str, Any]:
    """A ``DATABASES`` entry from a URL; only SQLite and PostgreSQL, whose drivers must be installed."""
    value = environ.get(name) or default
    try:
        parsed = dict(dj_database_url.parse(value))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a database URL: {exc}") from exc
    vendor = str(parsed.get("ENGINE", "")).rpartition(".")[2]
    if vendor not in _DRIVERS:
        raise ImproperlyConfigured(
            f"{name} names {vendor or 'an unknown database'}, which swapdemo does not run on: "
            "use sqlite:///PATH or postgresql://USER@HOST/NAME"
        )
    driver = _DRIVERS[vendor]
    if driver and importlib.util.find_spec(driver[0]) is None:
        raise ImproperlyConfigured(
            f"{name} names PostgreSQL, which needs psycopg: pip install -e '.[{driver[1]}]'"
        )
    return parsed


def redis_url(environ: Mapping[str, str], name: str, extra: str = "redis") -> str | None:
    value = environ.get(name) or None
    if value and not value.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured(f"{name} must be a redis://, rediss:// or unix:// URL (or unset)")
    if value and not _installed("redis"):
        raise ImproperlyConfigured(f"{name} needs the redis package: pip install -e '.[{extra}]'")
    return value


def choice(environ: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    value = environ.get(name) or choices[0]
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r}: choose one of {', '.join(choices)}")
    return value


def _installed(package: str) -> bool:
    try:
        importlib.import_module(package)
    except ImportError:
        return False
    return True
