"""The one command line every server entry point shares.

``python -m swapdemo.stack`` and each ``python -m swapdemo.<demo>`` call :func:`main` (through
:func:`swapdemo.stack.serve`): ``--host``, ``--port``, ``--profile``, ``--help``; it prints the URL
it serves and stops cleanly on Ctrl-C and SIGTERM.  It is handed the function that builds the app,
so it knows nothing of the demos.
"""

from __future__ import annotations

import argparse
import logging
import signal
from typing import TYPE_CHECKING

import waitress

from swapdemo.kernel.config import from_environment
from swapdemo.kernel.logs import configure_logging

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from types import FrameType

    from _typeshed.wsgi import WSGIApplication

    from swapdemo.kernel.config import Config

logger = logging.getLogger("swapdemo")


def parser(prog: str, what: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description=f"Serve {what} with waitress, behind the swapdemo stack."
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)")
    parser.add_argument(
        "--port", type=int, default=8000, help="port to listen on, 0 for any free one (default: %(default)s)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="switch the profiler on (UI at /__profile__: loopback only; with SWAPDEMO_PROFILE_TOKEN, "
        "token holders only)",
    )
    return parser


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def main(
    build: Callable[[Config], WSGIApplication], prog: str, what: str, argv: Sequence[str] | None = None
) -> int:
    """Parse the command line, build the app from the configuration with ``build`` and serve it."""
    args = parser(prog, what).parse_args(argv)
    configure_logging()
    config = from_environment()
    if args.profile:
        config = config.replace(profile=True)
    if config.profile and config.trusted_proxy and not config.profile_token:
        logger.warning(
            "the profiler is on behind a proxy without SWAPDEMO_PROFILE_TOKEN: "
            "a proxy on this host makes every "
            "visitor look like loopback. Set a token."
        )
    if config.https and not config.trusted_proxy:
        logger.warning(
            "SWAPDEMO_HTTPS=1 without SWAPDEMO_TRUSTED_PROXY: "
            "waitress drops X-Forwarded-Proto from peers it does "
            "not trust, so Django will redirect every request to https. Set it to your TLS proxy's address."
        )
    # Waitress passes X-Forwarded-Proto on (and sets wsgi.url_scheme from it) only from the trusted proxy.
    proxy = (
        {"trusted_proxy": config.trusted_proxy, "trusted_proxy_headers": {"x-forwarded-proto"}}
        if config.trusted_proxy
        else {}
    )
    server = waitress.create_server(build(config), host=args.host, port=args.port, threads=4, **proxy)
    print(
        f"swapdemo: serving {what} on http://{args.host}:{server.effective_port}/ (Ctrl-C to stop)",
        flush=True,
    )
    signal.signal(signal.SIGTERM, _stop)
    try:
        server.run()
    finally:
        server.close()
        print("swapdemo: stopped", flush=True)
    return 0
