"""The one command line every server entry point shares.

``python -m swapdemo.stack`` and each ``python -m swapdemo.<demo>`` call :func:`main` (through
:func:`swapdemo.stack.serve`): ``--host``, ``--port``, ``--profile``, ``--postmortem``, ``--help``;
it prints the URL it serves and stops cleanly on Ctrl-C and SIGTERM.  It is handed the function
that builds the app, so it knows nothing of the demos.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import tempfile
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import waitress

from swapdemo import startup
from swapdemo.kernel import datadir
from swapdemo.kernel.config import from_environment
from swapdemo.kernel.logs import configure_logging
from wsgi_stack.numbers import whole_number

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from types import FrameType

    from _typeshed.wsgi import WSGIApplication

    from swapdemo.kernel.config import Config

logger = logging.getLogger("swapdemo")


def port(text: str) -> int:
    """``--port``: a TCP port, 1 to 65535, or 0 for any free one."""
    number = whole_number(text.strip(), 0, 65535)
    if number is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port: use 1 to 65535, or 0 for any free port")
    return number


def parser(prog: str, what: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description=f"Serve {what} with waitress, behind the swapdemo stack."
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)")
    parser.add_argument(
        "--port", type=port, default=8000, help="port to listen on, 0 for any free one (default: %(default)s)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="switch the profiler on (UI at /__profile__: loopback only; with SWAPDEMO_PROFILE_TOKEN, "
        "token holders only)",
    )
    parser.add_argument(
        "--profile-dir",
        type=Path,
        metavar="DIR",
        help="keep the profiler's stats in DIR (default: a temporary folder, removed when the server stops)",
    )
    parser.add_argument(
        "--postmortem",
        action="store_true",
        help="keep a snapshot of every crashed request (pages at /__postmortem__: loopback only; with "
        "SWAPDEMO_POSTMORTEM_TOKEN, token holders only; walk one with python -m swapdemo.postmortem)",
    )
    return parser


_terminated = threading.Event()


def _stop(signum: int, frame: FrameType | None) -> None:
    _terminated.set()  # not SystemExit: raised inside a finalizer it is lost, and the server runs on


class Server(Protocol):
    """What :func:`main` runs: bound when made (a port problem raises ``OSError`` then)."""

    port: int

    def run(self) -> None:
        """Serve until SIGTERM or Ctrl-C."""

    def close(self) -> None: ...


class Waitress:
    """The suite's default server: waitress, 4 threads, ``X-Forwarded-Proto`` from a trusted proxy."""

    def __init__(self, app: WSGIApplication, host: str, port: int, config: Config) -> None:
        self.server = waitress.create_server(app, host=host, port=port, threads=4, **_proxy(config))
        self.port = int(self.server.effective_port)

    def run(self) -> None:
        try:
            while not _terminated.is_set():  # the loop wakes at least every 0.2 s to look at the flag
                self.server.asyncore.loop(timeout=0.2, map=self.server._map, count=1)
        except KeyboardInterrupt:  # Ctrl-C: stop as for SIGTERM, without a traceback
            pass
        finally:
            self.server.task_dispatcher.shutdown()

    def close(self) -> None:
        self.server.close()


def main(
    build: Callable[[Config], WSGIApplication],
    prog: str,
    what: str,
    argv: Sequence[str] | None = None,
    server: Callable[[WSGIApplication, str, int, Config], Server] = Waitress,
) -> int:
    """Parse the command line, build the app from the configuration with ``build`` and serve it
    with ``server`` (waitress; ``python -m swapdemo.realtime`` passes Tornado).

    A start-up mistake (the environment, the data folder, the database, the port) is one line on
    stderr and exit status 1; a usage mistake is argparse's, status 2.
    """
    args = parser(prog, what).parse_args(argv)
    configure_logging()
    _terminated.clear()  # main() may run again in one process (tests)
    signal.signal(signal.SIGTERM, _stop)  # from now on: a SIGTERM while the app is built stops it cleanly too
    with startup.reported(prog), _profile_dir(args) as profile_dir:
        config = from_environment()
        if args.profile or args.profile_dir:
            config = config.replace(profile=True, profile_dir=profile_dir)
        if args.postmortem:
            config = config.replace(postmortem=True)
        datadir.writable_folder(config.data_dir)
        _warn(config)
        app = build(config)
        try:
            running = server(app, args.host, args.port, config)
        except OSError as exc:
            raise startup.port_problem(exc, args.host, args.port) from None
        print(f"swapdemo: serving {what} on http://{args.host}:{running.port}/ (Ctrl-C to stop)", flush=True)
        if args.profile_dir:
            print(f"swapdemo: profiler stats in {profile_dir}", flush=True)
        if config.postmortem:
            print(f"swapdemo: crashes kept, listed at /__postmortem__ ({_where(config)})", flush=True)
        try:
            running.run()
        finally:
            running.close()
            kept = f"; profiler stats kept in {profile_dir}" if args.profile_dir else ""
            print(f"swapdemo: stopped{kept}", flush=True)
    return 0


@contextlib.contextmanager
def _profile_dir(args: argparse.Namespace) -> Iterator[Path | None]:
    """``--profile-dir``, or with ``--profile`` a temporary folder removed when the server stops."""
    if args.profile_dir:
        yield args.profile_dir
    elif args.profile:
        with tempfile.TemporaryDirectory(prefix="swapdemo-profile-") as folder:
            yield Path(folder)
    else:
        yield None


def _where(config: Config) -> str:
    if config.database["ENGINE"] == "django.db.backends.postgresql":
        return "in the database"
    return f"in {config.data_dir / 'postmortem'}"


def _warn(config: Config) -> None:
    for page, on, token in (
        ("the profiler", config.profile, "SWAPDEMO_PROFILE_TOKEN"),
        ("the post-mortem", config.postmortem, "SWAPDEMO_POSTMORTEM_TOKEN"),
    ):
        if on and config.trusted_proxy and not getattr(config, token.removeprefix("SWAPDEMO_").lower()):
            logger.warning(
                "%s is on behind a proxy without %s: a proxy on this host makes every visitor look "
                "like loopback. Set a token.",
                page,
                token,
            )
    if config.https and not config.trusted_proxy:
        logger.warning(
            "SWAPDEMO_HTTPS=1 without SWAPDEMO_TRUSTED_PROXY: waitress drops X-Forwarded-Proto from peers "
            "it does not trust, so Django will redirect every request to https. Set it to your TLS proxy's "
            "address."
        )


def _proxy(config: Config) -> dict[str, object]:
    """Waitress passes X-Forwarded-Proto on (and sets wsgi.url_scheme from it) only from a trusted proxy."""
    if not config.trusted_proxy:
        return {}
    return {"trusted_proxy": config.trusted_proxy, "trusted_proxy_headers": {"x-forwarded-proto"}}
