"""Every demo in one process, behind the middleware stack.

Usage::

    python -m swapdemo.stack [--host 127.0.0.1] [--port 8000] [--profile]
    gunicorn -w 2 swapdemo.stack:application

:func:`layers` is the stack as data, outermost first; the README's diagram is
the same list.  :func:`make_app` folds it over a :class:`~wsgi_stack.mount.Mount`
of the registered apps, with the landing page at ``/``.
"""

from __future__ import annotations

import functools
import threading
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from swapdemo import registry, runner
from swapdemo.kernel import crashes, pages
from swapdemo.kernel.config import Config, from_environment
from swapdemo.kernel.layout import SITE_KEY, Section, Site
from swapdemo.kernel.logs import configure_logging
from swapdemo.landing import make_landing
from wsgi_stack import Layer, build
from wsgi_stack.access_log import AccessLog
from wsgi_stack.environ import WithEnviron
from wsgi_stack.errors import ErrorPages
from wsgi_stack.mount import Mount
from wsgi_stack.pages import ERROR_KEY, PAGE_KEY
from wsgi_stack.request_id import RequestId
from wsgi_stack.static import StaticFiles

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

PACKAGE_DIR = Path(__file__).resolve().parent


def static_roots() -> list[Path]:
    """The suite's static folders: this package's, then each app's."""
    apps_dir = PACKAGE_DIR.parent / "apps"
    return [PACKAGE_DIR / "static", *sorted(p for p in apps_dir.glob("*/static") if p.is_dir())]


def site(config: Config, names: tuple[str, ...] | None = None, also: tuple[str, ...] = ()) -> Site:
    """The registry as the pages present it: every demo in the nav, marked when this process serves it
    (``also``: demos the server answers itself, beside the stack: Tornado's ``realtime``)."""
    served = {entry.name for entry in _mounted(config, names)} | set(also)
    part_of = {need: entry.name for entry in registry.ENTRIES for need in entry.needs}
    sections = [
        Section(e.name, e.title, e.prefix, e.swaps, e.read_first, e.name in served, part_of.get(e.name))
        for e in registry.ENTRIES
    ]
    return Site(tuple(sections))


def look(config: Config, names: tuple[str, ...] | None = None, also: tuple[str, ...] = ()) -> dict[str, Any]:
    """What every request's environ gets for the site's look: the nav, the page and error renderers."""
    return {SITE_KEY: site(config, names, also), PAGE_KEY: pages.render_page, ERROR_KEY: pages.error_page}


def layers(config: Config, names: tuple[str, ...] | None = None, also: tuple[str, ...] = ()) -> list[Layer]:
    """The middleware stack, outermost first."""
    stack: list[Layer] = [
        (RequestId, {"trust_incoming": False}),
        (AccessLog, {}),
        (WithEnviron, {"values": look(config, names, also)}),
        (ErrorPages, {}),
    ]
    if config.postmortem:
        stack.append(crashes.layer(config))
    if config.profile:
        from wsgi_stack.profiling import Profiler

        stack.append((Profiler, profiler_options(config)))
    stack.append((StaticFiles, {"roots": static_roots()}))
    return stack


def profiler_options(config: Config) -> dict[str, Any]:
    """The Profiler's options: this host's workers share the stats folder, hosts share Redis."""
    from wsgi_stack.profile_store import redis_client

    return {
        "token": config.profile_token,
        "sample_every": config.profile_sample_every,
        "stats_dir": config.profile_dir or config.data_dir / "profile",
        "host": config.host_name,
        "redis": redis_client(config.redis_url) if config.redis_url else None,
        "flush_every": config.profile_flush_seconds,
        "sampler_interval": config.profile_sampler_ms / 1000 or None,
    }


def mount(config: Config, names: tuple[str, ...] | None = None, also: tuple[str, ...] = ()) -> Mount:
    """The registered apps (or ``names`` and what they need) at their prefixes; the landing page also
    links the demos named in ``also``, which the server answers itself.

    A service whose real counterpart is configured (``Entry.replaced_by``) is left out.
    """
    with warnings.catch_warnings():
        # Pyramid 2.1 imports pkg_resources, which setuptools 81+ deprecates: noise at every start.
        warnings.filterwarnings("ignore", "pkg_resources is deprecated", UserWarning)
        apps = {entry.prefix: entry.load()(config) for entry in _mounted(config, names) if entry.prefix}
    linked = [*apps, *(registry.get(name).prefix or "" for name in also)]
    return Mount(apps, default=make_landing(linked, config.profile, config.postmortem))


def _mounted(config: Config, names: tuple[str, ...] | None) -> list[registry.Entry]:
    entries = registry.closure(names) if names else registry.ENTRIES
    return [entry for entry in entries if entry.prefix and entry.factory and not _replaced(entry, config)]


def _replaced(entry: registry.Entry, config: Config) -> bool:
    return entry.replaced_by is not None and getattr(config, entry.replaced_by) is not None


def make_app(
    config: Config | None = None, names: tuple[str, ...] | None = None, also: tuple[str, ...] = ()
) -> WSGIApplication:
    """The whole stack; ``names`` limits it to some demos (``python -m swapdemo.<name>``)."""
    config = config or from_environment()
    config.warn_about_defaults()
    return build(mount(config, names, also), layers(config, names, also))


class _BuiltOnFirstRequest:
    def __init__(self) -> None:
        self._app: WSGIApplication | None = None
        self._lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if self._app is None:
            with self._lock:
                if self._app is None:
                    configure_logging()
                    self._app = make_app()
        return self._app(environ, start_response)


# Built on the first request, not at import, so importing this module configures nothing.
application = _BuiltOnFirstRequest()


def serve(names: tuple[str, ...] | None, what: str, argv: Sequence[str] | None = None) -> int:
    """``python -m swapdemo.<name>``: serve ``names`` (every demo when ``None``) from the command line."""
    prog = "python -m swapdemo." + (names[0] if names else "stack")
    return runner.main(functools.partial(make_app, names=names), prog, what, argv)


if __name__ == "__main__":
    raise SystemExit(serve(None, "every demo"))
