"""The command line: ``python -m swapdemo.orm_script {migrate,generate,import,report,refresh,export}``.

``main()`` parses the arguments, configures Django from the suite's configuration (so
``DATABASE_URL`` picks the database), applies pending migrations on first use, and only
then imports the modules that define or use models.  ``generate`` needs no database and
configures nothing.  Exit status: 0 done, 1 bad input or database error, 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from tqdm import tqdm

from apps.conference.data import generate
from apps.orm_scripts import datafiles, standalone
from swapdemo.kernel.config import from_environment
from wsgi_stack.numbers import whole_number

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Sequence

    from apps.conference.data import Talk


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m swapdemo.orm_script",
        description="The Django ORM in a plain script: load conference talks into a database and report on them. "
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; returns the exit status (argparse exits with 2 on a usage error)."""
    args = parser().parse_args(argv)
    try:
        if args.command == "generate":
            return _generate(args)
        standalone.configure(from_environment())
        if args.command == "migrate":
            standalone.migrate(args.target)
            return 0
        if applied := standalone.migrate_if_needed():
            print(f"first use: applied migrations {', '.join(applied)}", file=sys.stderr)
        return _with_models(args)
    except BrokenPipeError:
        # The reader went away (``... | head``): stop quietly, as Unix tools do, per the Python docs' recipe.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except OSError as exc:
        print(f"error: {exc.filename}: {exc.strerror}" if exc.filename else f"error: {exc}", file=sys.stderr)
    except datafiles.DataFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
    except DatabaseError as exc:
        print(f"error: database: {exc}".rstrip(), file=sys.stderr)
    except ImproperlyConfigured as exc:
        print(f"error: {exc}", file=sys.stderr)
    except KeyboardInterrupt:
        print(
            "interrupted: finished batches are saved; run the same command again to complete it",
            file=sys.stderr,
        )
        return 130
    return 1


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return args.format
    if args.output is None:
        return "jsonl"
    if args.output.suffix.lower() not in datafiles.FORMATS:
        raise datafiles.DataFileError(
            f"{args.output}: unknown format; name it .csv, .jsonl or .json, or pass --format"
        )
    return datafiles.FORMATS[args.output.suffix.lower()]


@contextmanager
def _output(args: argparse.Namespace) -> Iterator[tuple[TextIO, str]]:
    """The file to write (stdout without ``-o``) and its format, known before the file is opened."""
    chosen = _format(args)
    if args.output is None:
        yield sys.stdout, chosen
    else:
        with args.output.open("w", encoding="utf-8", newline="") as out:
            yield out, chosen


def _write(args: argparse.Namespace, talks: Iterable[Talk], total: int | None) -> int:
    disable = None if args.progress is None else not args.progress
    bar = tqdm(talks, total=total, unit=" talks", file=sys.stderr, disable=disable)
    with _output(args) as (out, chosen):
        return datafiles.write(bar, out, chosen)


def _generate(args: argparse.Namespace) -> int:
    count = _write(args, generate(args.n, seed=args.seed), args.n)
    if args.output:
        print(f"wrote {count:,} talks to {args.output}", file=sys.stderr)
    return 0


def _with_models(args: argparse.Namespace) -> int:
    from apps.orm_scripts import importer, reports

    if args.command == "import":
        result = importer.import_file(
            args.file, batch_size=args.batch_size, strict=args.strict, progress=args.progress
        )
        skipped = f" ({result.bad:,} bad row{'s' * (result.bad != 1)} skipped)" if result.bad else ""
        print(
            f"imported {result.rows:,} row{'s' * (result.rows != 1)} from {args.file} in {result.batches:,} batch{'es' * (result.batches != 1)}{skipped}; "
            f"talks in the database: {result.before:,} -> {result.after:,}"
        )
        if args.refresh:
            print(f"refreshed the summary: {reports.refresh():,} rows")
    elif args.command == "refresh":
        print(f"refreshed the summary: {reports.refresh():,} rows")
    elif args.command == "report":
        sys.stdout.write(reports.render(reports.summary(), args.format))
    elif args.command == "export":
        with _output(args) as (out, chosen):
            count = reports.export(out, chosen)
        if args.output:
            print(f"exported {count:,} talks to {args.output}", file=sys.stderr)
    return 0
