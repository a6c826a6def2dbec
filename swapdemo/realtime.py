"""The whole stack served by Tornado, with saved proposals pushed live over SSE and WebSocket.

Usage::

    python -m swapdemo.realtime [--host 127.0.0.1] [--port 8000] [--profile] [--postmortem]

Then open http://127.0.0.1:8000/live/ in two tabs and propose a talk at /forms/.  Every page of
``python -m swapdemo.stack`` answers too.  With ``SWAPDEMO_REDIS_URL`` the events go through a
Redis Stream, so proposals saved by any process or host reach every Tornado process.  Read
``apps/realtime/hub.py`` first.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from apps.realtime.server import TornadoServer
from swapdemo import runner, stack
from swapdemo.kernel.broker import broker_for

if TYPE_CHECKING:
    from collections.abc import Sequence

    from _typeshed.wsgi import WSGIApplication

    from swapdemo.kernel.config import Config

WHAT = "every demo with live pages at /live/, under Tornado"


def server(app: WSGIApplication, host: str, port: int, config: Config) -> TornadoServer:
    return TornadoServer(app, host, port, config, broker_for(config), stack.look(config, also=("realtime",)))


def main(argv: Sequence[str] | None = None) -> int:
    build = functools.partial(stack.make_app, also=("realtime",))
    return runner.main(build, "python -m swapdemo.realtime", WHAT, argv, server=server)


if __name__ == "__main__":
    raise SystemExit(main())
