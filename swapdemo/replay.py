"""``python -m swapdemo.postmortem replay ID``: the stored request, run again through a fresh app.

The app is the stack as the server builds it from the same configuration, with a
:class:`~wsgi_stack.postmortem.replay.Recorder` where the post-mortem layer would be: if the
request fails again, ``pdb.post_mortem`` starts in the live frames at the crash's file and line;
if not, the status says how it went.
"""

from __future__ import annotations

import logging
import pdb
import sys
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any

from swapdemo import startup
from swapdemo.stack import layers, mount
from wsgi_stack import build
from wsgi_stack.postmortem.replay import Recorder, rebuild

if TYPE_CHECKING:
    from collections.abc import Sequence

    from swapdemo.kernel.config import Config

PROG = "python -m swapdemo.postmortem replay"


def replay(
    snapshot: dict[str, Any], config: Config, headers: Sequence[str], cookies: Sequence[str], debugger: bool
) -> int:
    """Run ``snapshot``'s request again; 0 when it ran (failing or not), 1 for a usage mistake."""
    extra = {}
    for header in headers:
        name, colon, value = header.partition(":")
        if not colon or not name.strip():
            print(f"{PROG}: --header {header!r} must look like 'Name: value'", file=sys.stderr)
            return 1
        extra[name.strip().title()] = value.strip()
    if cookies:
        jar = SimpleCookie()
        for cookie in cookies:
            name, equals, value = cookie.partition("=")
            if not equals:
                print(f"{PROG}: --cookie {cookie!r} must look like name=value", file=sys.stderr)
                return 1
            jar[name.strip()] = value.strip()
        extra["Cookie"] = "; ".join(f"{m.key}={m.coded_value}" for m in jar.values())
    environ = rebuild(snapshot["request"], extra)
    with startup.reported(PROG):
        recorder = Recorder(mount(config.replace(postmortem=False)))
        app = build(recorder, layers(config.replace(postmortem=False, profile=False)))
    status: list[str] = []

    def start_response(line: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        status.append(line)

    logging.disable(logging.CRITICAL)  # the app would log the failure's traceback: replay reports it
    try:
        body = b"".join(app(environ, start_response))
    finally:
        logging.disable(logging.NOTSET)
    error = recorder.error
    if error is None:
        print(f"The request did not fail this time: {status[0] if status else 'no answer'}.")
        print(f"({environ['REQUEST_METHOD']} {environ['PATH_INFO']}, {len(body):,} bytes back.)")
        return 0
    frame = _innermost(error.__traceback__)
    where = f"{frame.tb_frame.f_code.co_filename}:{frame.tb_lineno}" if frame else "?"
    print(f"The request failed again: {type(error).__name__}: {error} at {where}", flush=True)
    if debugger:
        pdb.post_mortem(error.__traceback__)
    return 0


def _innermost(tb: Any) -> Any:
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    return tb
