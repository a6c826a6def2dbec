"""The script's command line: subcommands, their arguments and their help, with argparse."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from apps.orm_scripts import datafiles
from wsgi_stack.numbers import whole_number

if TYPE_CHECKING:
    from collections.abc import Callable


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m swapdemo.orm_script",
        description="The Django ORM in a plain script: load conference talks into a database and "
        "report on them. "
        "DATABASE_URL picks the database (default: an SQLite file in the suite's data folder).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    progress = argparse.ArgumentParser(add_help=False)
    progress.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        help="show a progress bar on stderr (default: when it is a terminal)",
    )
    formats = sorted(set(datafiles.FORMATS.values()))

    migrate = commands.add_parser("migrate", help="apply the script's migrations (also done on first use)")
    migrate.add_argument(
        "target", nargs="?", help='a migration name to move to, or "zero" to remove the tables'
    )
    gen = commands.add_parser(
        "generate", parents=[progress], help="write N made-up talks to a file or stdout"
    )
    gen.add_argument("n", type=_count(0), metavar="N", help="how many talks")
    gen.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="file to write (default: stdout); its suffix picks the format",
    )
    gen.add_argument("--format", choices=formats, help="(default: from FILE's suffix, else jsonl)")
    gen.add_argument("--seed", type=int, default=0, help="same seed, same talks (default: %(default)s)")
    load = commands.add_parser(
        "import", parents=[progress], help="upsert the talks of a .csv, .jsonl or .json file"
    )
    load.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help=".csv with a header, .jsonl (one talk per line) or .json (an array)",
    )
    load.add_argument(
        "--batch-size",
        type=_count(1),
        default=1000,
        metavar="N",
        help="rows per transaction (default: %(default)s)",
    )
    load.add_argument(
        "--strict", action="store_true", help="stop at the first bad row instead of skipping it"
    )
    load.add_argument(
        "--no-refresh", dest="refresh", action="store_false", help="do not refresh the summary afterwards"
    )
    report = commands.add_parser("report", help="talks per track, per speaker and per day, with totals")
    report.add_argument(
        "--format", choices=("text", "csv", "json"), default="text", help="(default: %(default)s)"
    )
    commands.add_parser("refresh", help="bring the summary the report reads up to date")
    export = commands.add_parser(
        "export", help="write every talk to a file or stdout, streamed with iterator()"
    )
    export.add_argument("-o", "--output", type=Path, metavar="FILE", help="file to write (default: stdout)")
    export.add_argument("--format", choices=formats, help="(default: from FILE's suffix, else jsonl)")
    return parser


def _count(least: int) -> Callable[[str], int]:
    def count(text: str) -> int:
        number = whole_number(text.strip(), least, 10**12)
        if number is None:
            raise argparse.ArgumentTypeError(f"expected a whole number of at least {least}, got {text!r}")
        return number

    return count
