"""The suite's configuration: environment strings become typed values here, once.

Nothing else in the suite reads ``os.environ``.  Factories take a
:class:`Config`; :func:`from_environment` builds the one the process uses.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import socket
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

from swapdemo.kernel import datadir, parse
from wsgi_stack.postmortem.redact import sensitive_name

if TYPE_CHECKING:
    from collections.abc import Mapping

logger = logging.getLogger("swapdemo")

API_STYLES = ("builtin", "drf", "json-server")
# Variables whose names sound secret (API, KEY, ...) but whose values are not: left in crash reports.
PUBLIC_NAMES = frozenset({"SWAPDEMO_API_STYLE", "SWAPDEMO_API_URL", "SSH_AUTH_SOCK", "XAUTHORITY"})
# The one client the built-in development provider (/idp/) registers; published, like its users' password.
DEVELOPMENT_CLIENT_ID, DEVELOPMENT_CLIENT_SECRET = "swapdemo-auth", "development-only-secret"


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
    redis_url: str | None = dataclasses.field(default=None, repr=False)
    profile: bool = False
    profile_token: str | None = dataclasses.field(default=None, repr=False)
    profile_sample_every: int = 1
    profile_dir: Path | None = None
    profile_flush_seconds: int = 10
    profile_sampler_ms: int = 5
    # This host's name in the profiler's records (hosts sharing Redis must differ).
    host_name: str = "localhost"
    postmortem: bool = False
    postmortem_token: str | None = dataclasses.field(default=None, repr=False)
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = dataclasses.field(default=None, repr=False)
    api_url: str | None = dataclasses.field(default=None, repr=False)
    api_style: str = "builtin"
    # Where the key came from when SWAPDEMO_SECRET_KEY is not set: the data folder's secret_key file.
    secret_key_file: Path | None = None
    # The values of environment variables whose names say they are secret: kept out of crash reports.
    sensitive_environment: tuple[str, ...] = dataclasses.field(default=(), repr=False)

    def replace(self, **changes: Any) -> Config:
        return dataclasses.replace(self, **changes)

    def warn_about_defaults(self) -> None:
        """Log what a server operator should know about this configuration; servers call it at start."""
        if self.secret_key_file:
            logger.info(
                "SWAPDEMO_SECRET_KEY is not set: signing with the key in %s, shared by this host's "
                "workers and restarts (several hosts need one SWAPDEMO_SECRET_KEY)",
                self.secret_key_file,
            )


def load(environ: Mapping[str, str]) -> Config:
    """Parse ``environ``; a wrong value or combination raises ``ImproperlyConfigured`` naming it.

    Without ``SWAPDEMO_SECRET_KEY`` the key comes from (or is made in) the data folder.
    """
    secret_key = parse.secret(environ, "SWAPDEMO_SECRET_KEY", shortest=32)
    data_home = environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    data_dir = Path(environ.get("SWAPDEMO_DATA_DIR") or Path(data_home) / "swapdemo")
    database = parse.database(environ, "DATABASE_URL", f"sqlite:///{data_dir / 'swapdemo.sqlite3'}")
    oidc = [environ.get(f"SWAPDEMO_OIDC_{part}") or None for part in ("ISSUER", "CLIENT_ID", "CLIENT_SECRET")]
    if any(oidc[:2]) and not all(oidc[:2]):
        raise ImproperlyConfigured("set SWAPDEMO_OIDC_ISSUER and SWAPDEMO_OIDC_CLIENT_ID together")
    issuer = parse.url(environ, "SWAPDEMO_OIDC_ISSUER")
    return Config(
        secret_key=secret_key or datadir.secret_key(data_dir),
        secret_key_file=None if secret_key else data_dir / datadir.KEY_FILE,
        data_dir=data_dir,
        database=database,
        debug=parse.flag(environ, "SWAPDEMO_DEBUG"),
        https=parse.flag(environ, "SWAPDEMO_HTTPS"),
        trusted_proxy=parse.address(environ, "SWAPDEMO_TRUSTED_PROXY"),
        allowed_hosts=parse.hosts(environ, "SWAPDEMO_ALLOWED_HOSTS", Config.allowed_hosts),
        cache_url=parse.redis_url(environ, "SWAPDEMO_CACHE_URL"),
        redis_url=parse.redis_url(environ, "SWAPDEMO_REDIS_URL"),
        profile=parse.flag(environ, "SWAPDEMO_PROFILE"),
        profile_token=parse.secret(environ, "SWAPDEMO_PROFILE_TOKEN", shortest=16),
        profile_sample_every=parse.whole(environ, "SWAPDEMO_PROFILE_SAMPLE", 1, low=0),
        profile_flush_seconds=parse.whole(environ, "SWAPDEMO_PROFILE_FLUSH", 10, high=3600),
        profile_sampler_ms=parse.whole(environ, "SWAPDEMO_PROFILE_SAMPLER_MS", 5, high=1000, low=0),
        host_name=parse.name(environ, "SWAPDEMO_HOST_NAME", socket.gethostname()),
        postmortem=parse.flag(environ, "SWAPDEMO_POSTMORTEM"),
        postmortem_token=parse.secret(environ, "SWAPDEMO_POSTMORTEM_TOKEN", shortest=16),
        oidc_issuer=issuer,
        oidc_client_id=oidc[1] if issuer else DEVELOPMENT_CLIENT_ID,
        oidc_client_secret=oidc[2] if issuer else DEVELOPMENT_CLIENT_SECRET,
        api_url=parse.url(environ, "SWAPDEMO_API_URL"),
        api_style=parse.choice(environ, "SWAPDEMO_API_STYLE", API_STYLES),
        sensitive_environment=tuple(
            value
            for name, value in environ.items()
            if sensitive_name(name) and name not in PUBLIC_NAMES and len(value) >= 8
        ),
    )


@functools.cache
def from_environment() -> Config:
    """The process's configuration, read from ``os.environ`` on first use."""
    return load(os.environ)
