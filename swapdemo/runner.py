"""The one command line every server entry point shares.

``python -m swapdemo.stack`` and each ``python -m swapdemo.<demo>`` call
:func:`main`: ``--host``, ``--port``, ``--profile``, ``--help``; it prints the
URL it serves and stops cleanly on Ctrl-C and SIGTERM.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from typing import TYPE_CHECKING

import waitress

from swapdemo import stack
from swapdemo.config import from_environment

if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import FrameType


def parser(prog: str, what: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description=f"Serve {what} with waitress, behind the swapdemo stack.")
    parser.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on, 0 for any free one (default: %(default)s)")
    parser.add_argument("--profile", action="store_true", help="switch the profiler on (UI at /__profile__, loopback only)")
    return parser


def _stop(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)


def main(names: tuple[str, ...] | None, what: str, argv: Sequence[str] | None = None) -> int:
    prog = "python -m swapdemo." + (names[0] if names else "stack")
    args = parser(prog, what).parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s", stream=sys.stderr)
    config = from_environment()
    if args.profile:
        config = config.replace(profile=True)
    server = waitress.create_server(stack.make_app(config, names), host=args.host, port=args.port, threads=4)
    print(f"swapdemo: serving {what} on http://{args.host}:{server.effective_port}/ (Ctrl-C to stop)", flush=True)
    signal.signal(signal.SIGTERM, _stop)
    try:
        server.run()
    finally:
        server.close()
        print("swapdemo: stopped", flush=True)
    return 0
