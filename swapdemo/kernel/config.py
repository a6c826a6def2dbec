"""The suite's configuration: environment strings become typed values here, once.

Nothing else in the suite reads ``os.environ``.  Factories take a
:class:`Config`; :func:`from_environment` builds the one the process uses.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import logging
import os
import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from wsgi_stack.numbers import whole_number

if TYPE_CHECKING:
    from collections.abc import Mapping

logger = logging.getLogger("swapdemo")

API_STYLES = ("builtin", "drf", "json-server")
# The one client the built-in development provider (/idp/) registers; published, like its users' password.
DEVELOPMENT_CLIENT_ID, DEVELOPMENT_CLIENT_SECRET = "swapdemo-auth", "development-only-secret"
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}


@dataclasses.dataclass(frozen=True)
class Config:
    """Everything a demo may be configured with; see the README's table.

    Fields that can carry a secret (a key, a password inside a URL, a token) are left out of its repr.
    """

    secret_key: str = dataclasses.field(repr=False)
    data_dir: Path
    database: dict[str, Any] = dataclasses.field(repr=False)
    debug: bool = False
    https: bool = False
    trusted_proxy: str | None = None
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "[::1]")
    cache_url: str | None = dataclasses.field(default=None, repr=False)
    profile: bool = False
    profile_token: str | None = dataclasses.field(default=None, repr=False)
    profile_sample_every: int = 1
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = dataclasses.field(default=None, repr=False)
    api_url: str | None = dataclasses.field(default=None, repr=False)
    api_style: str = "builtin"
    secret_key_generated: bool = False

    def replace(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes)

    def warn_about_defaults(self) -> None:
        """Log what a server operator should know about this configuration; servers call it at start."""
        if self.secret_key_generated:
            logger.warning(
                "SWAPDEMO_SECRET_KEY is not set: using a random key for this process. "
                "Sessions and signed values will not survive a restart or be shared between workers."
            )


def _flag(environ: Mapping[str, str], name: str) -> bool:
    value = environ.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: use 1/0, true/false, yes/no or on/off")


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name, "").strip()
    if not value:
        return default
    number = whole_number(value, 1, 999_999_999)
    if number is None:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number from 1 to 999999999")
    return number


def load(environ: Mapping[str, str]) -> Config:
    """Parse ``environ``; a wrong value or combination raises ``ImproperlyConfigured``."""
    secret_key = environ.get("SWAPDEMO_SECRET_KEY", "")
    data_home = environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    data_dir = Path(environ.get("SWAPDEMO_DATA_DIR") or Path(data_home) / "swapdemo")
    database_url = environ.get("DATABASE_URL") or f"sqlite:///{data_dir / 'swapdemo.sqlite3'}"
    try:
        database = dj_database_url.parse(database_url)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL Django can use: {exc}") from exc
    cache_url = environ.get("SWAPDEMO_CACHE_URL") or None
    if cache_url and not cache_url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("SWAPDEMO_CACHE_URL must be a redis:// URL (or unset for local memory)")
    if cache_url and importlib.util.find_spec("redis") is None:
        raise ImproperlyConfigured("SWAPDEMO_CACHE_URL needs the redis package: pip install -e '.[redis]'")
    oidc = [environ.get(f"SWAPDEMO_OIDC_{part}") or None for part in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET")]
    if any(oidc[:2]) and not all(oidc[:2]):
        raise ImproperlyConfigured("set SWAPDEMO_OIDC_ISSUER and SWAPDEMO_OIDC_CLIENT_ID together")
    api_style = environ.get("SWAPDEMO_API_STYLE") or "builtin"
    if api_style not in API_STYLES:
        raise ImproperlyConfigured(f"SWAPDEMO_API_STYLE={api_style!r}: choose one of {', '.join(API_STYLES)}")
    hosts = tuple(h.strip() for h in environ.get("SWAPDEMO_ALLOWED_HOSTS", "").split(",") if h.strip())
    return Config(
        secret_key=secret_key or secrets.token_urlsafe(50),
        secret_key_generated=not secret_key,
        data_dir=data_dir,
        database=dict(database),
        debug=_flag(environ, "SWAPDEMO_DEBUG"),
        https=_flag(environ, "SWAPDEMO_HTTPS"),
        trusted_proxy=environ.get("SWAPDEMO_TRUSTED_PROXY", "").strip() or None,
        allowed_hosts=hosts or Config.allowed_hosts,
        cache_url=cache_url,
        profile=_flag(environ, "SWAPDEMO_PROFILE"),
        profile_token=environ.get("SWAPDEMO_PROFILE_TOKEN") or None,
        profile_sample_every=_positive_int(environ, "SWAPDEMO_PROFILE_SAMPLE", 1),
        oidc_issuer=oidc[0],
        oidc_client_id=oidc[1] if oidc[0] else DEVELOPMENT_CLIENT_ID,
        oidc_client_secret=oidc[2] if oidc[0] else DEVELOPMENT_CLIENT_SECRET,
        api_url=environ.get("SWAPDEMO_API_URL") or None,
        api_style=api_style,
    )


@functools.cache
def from_environment() -> Config:
    """The process's configuration, read from ``os.environ`` on first use."""
    return load(os.environ)
