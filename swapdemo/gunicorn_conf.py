"""gunicorn's settings for the stack.

Usage: ``gunicorn -c python:swapdemo.gunicorn_conf -w 2 swapdemo.stack:application``.

Each worker profiles on its own (the profiler starts at a worker's first request, after the fork);
``worker_exit`` writes its records when it stops, so a worker recycled by ``--max-requests`` or
stopped by a graceful shutdown keeps everything it profiled.  Command-line flags (``-w``, ``-b``)
still apply.
"""

from __future__ import annotations

from typing import Any

from wsgi_stack.profiling import flush_all


def worker_exit(server: Any, worker: Any) -> None:
    flush_all()
