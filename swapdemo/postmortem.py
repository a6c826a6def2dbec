"""Crashed requests, kept: list them, read one, walk its stack with pdb's words, or send it again.

Usage::

    python -m swapdemo.postmortem serve [--port 8000]    # the demo, with crashes kept
    python -m swapdemo.postmortem list
    python -m swapdemo.postmortem show ID [--json]
    python -m swapdemo.postmortem debug ID                # where, up, down, list, p, pp, exceptions
    python -m swapdemo.postmortem replay ID [--header 'Name: value'] [--cookie name=value] [--no-debugger]

The store is the one the server writes: the database when ``DATABASE_URL`` names PostgreSQL (every
worker and host), else ``$SWAPDEMO_DATA_DIR/postmortem``.  ``list``, ``show`` and ``debug`` read
JSON and import no application code; only ``replay`` builds the app, to run the request again.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured

from swapdemo.kernel import crashes
from swapdemo.kernel.config import from_environment
from wsgi_stack.postmortem.shell import Shell
from wsgi_stack.postmortem.show import text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from wsgi_stack.postmortem.store import Store

PROG = "python -m swapdemo.postmortem"
COMMANDS = ("serve", "list", "show", "debug", "replay")


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser("serve", help="serve the demo with crashes kept (--help for the server's flags)")
    commands.add_parser("list", help="the groups of stored crashes, most recent first")
    show = commands.add_parser("show", help="one crash: its exceptions, stack, locals and request")
    show.add_argument("id", help="a snapshot id, as list shows it")
    show.add_argument("--json", action="store_true", help="the stored JSON as it is")
    debug = commands.add_parser("debug", help="walk one crash's stack in a shell with pdb's words")
    debug.add_argument("id", help="a snapshot id, as list shows it")
    replay = commands.add_parser("replay", help="send the crashed request again, in process; pdb if it fails")
    replay.add_argument("id", help="a snapshot id, as list shows it")
    replay.add_argument("--header", action="append", default=[], metavar="'NAME: VALUE'", help="add a header")
    replay.add_argument("--cookie", action="append", default=[], metavar="NAME=VALUE", help="add a cookie")
    replay.add_argument("--no-debugger", action="store_true", help="report the outcome; do not start pdb")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] == "serve":
        from swapdemo.stack import serve

        return serve(("postmortem",), "the post-mortem demo at /postmortem/", [*argv[1:], "--postmortem"])
    args = parser().parse_args(argv)
    try:
        config = from_environment()
        store = crashes.store(config)
        if args.command == "list":
            return _list(store, config.data_dir)
        snapshot = store.load(args.id)
    except ImproperlyConfigured as exc:
        return _fail(str(exc))
    except Exception as exc:  # psycopg's OperationalError and the like: the store cannot be read
        return _fail(f"the crash store cannot be read ({type(exc).__name__}: {str(exc).strip()[:200]})")
    if snapshot is None:
        return _fail(f"no crash is stored under {args.id!r}; `{PROG} list` shows them")
    if args.command == "show":
        print(json.dumps(snapshot, indent=1, ensure_ascii=False) if args.json else describe(snapshot))
        return 0
    if args.command == "debug":
        Shell(snapshot).cmdloop()
        return 0
    from swapdemo.replay import replay

    return replay(snapshot, config, args.header, args.cookie, debugger=not args.no_debugger)


def _list(store: Store, data_dir: Any) -> int:
    groups = store.groups()
    if not groups:
        print("No crash is stored. Serve with --postmortem (or `serve`) and make a page fail.")
        return 0
    print(f"{'count':>6}  {'last seen (UTC)':<19}  {'latest snapshot':<28}  crash")
    for group in groups:
        seen = group.last_seen[:19].replace("T", " ")
        print(f"{group.count:>6,}  {seen}  {group.samples[-1]:<28}  {group.title}")
        print(f"{'':>6}  {'':<19}  {'':<28}  at {group.place}")
    return 0


def describe(snapshot: dict[str, Any]) -> str:
    """A snapshot as a traceback with every frame's locals, then the request."""
    request = snapshot["request"]
    lines = [
        f"Crash {snapshot['id']} at {snapshot['time']} (UTC), request id {request.get('request_id')}",
        f"{request['method']} {request['path']}",
    ]
    chain = snapshot["exceptions"]
    for position in reversed(range(len(chain))):
        error = chain[position]
        lines.append("Traceback, outermost first:")
        for frame in error["frames"]:
            lines.append(f'  File "{frame["file"]}", line {frame["line"]}, in {frame["function"]}')
            source = frame["source"]["lines"][frame["line"] - frame["source"]["first"] :][:1]
            lines += [f"    {line.strip()}" for line in source]
            lines += [f"      {name} = {text(value)}" for name, value in frame["locals"].items()]
        lines.append(f"{error['type']}: {error['message']}")
        if position:
            lines.append(_LINKS[error["link"]])
    return "\n".join(lines)


_LINKS = {
    "cause": "\nThe above exception was the direct cause of the following exception:\n",
    "context": "\nDuring handling of the above exception, another exception occurred:\n",
}


def _fail(message: str) -> int:
    print(f"{PROG}: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
