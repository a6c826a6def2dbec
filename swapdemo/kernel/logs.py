"""One way to log, for every entry point: INFO and up to stderr, times in UTC.

Django sets the process's time zone from ``TIME_ZONE`` (the conference's, Los
Angeles) as it starts, so local times would change mid-log; :class:`UTCFormatter`
keeps one clock.  ``python -m swapdemo.*`` and ``swapdemo.stack:application``
call :func:`configure_logging`; ``stack.ini`` and the settings' ``LOGGING``
name the formatter.
"""

from __future__ import annotations

import logging
import sys
import time

FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class UTCFormatter(logging.Formatter):
    """``2026-11-28T14:28:04.123Z``: UTC, with milliseconds so lines within a second keep their order."""

    converter = staticmethod(time.gmtime)
    default_time_format = "%Y-%m-%dT%H:%M:%S"
    default_msec_format = "%s.%03dZ"


def configure_logging() -> None:
    """Send INFO and up to stderr, unless the process has configured logging itself."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(UTCFormatter(FORMAT))
    root.addHandler(handler)
    root.setLevel(logging.INFO)
