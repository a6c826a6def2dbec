"""The command line: ``python -m swapdemo.orm_script {migrate,generate,import,report,refresh,export}``.

``main()`` parses the arguments, configures Django from the suite's configuration (so
``DATABASE_URL`` picks the database), applies pending migrations on first use, and only
then imports the modules that define or use models.  ``generate`` needs no database and
configures nothing.  Exit status: 0 done, 1 bad input or database error, 130 interrupted.
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from tqdm import tqdm

from apps.conference.data import generate
from apps.orm_scripts import arguments, datafiles, standalone
from swapdemo.kernel.config import from_environment

if TYPE_CHECKING:
    import argparse
    from collections.abc import Iterable, Iterator, Sequence

    from apps.conference.data import Talk


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; returns the exit status (argparse exits with 2 on a usage error)."""
    args = arguments.parser().parse_args(argv)
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
            f"imported {result.rows:,} row{'s' * (result.rows != 1)} from {args.file} "
            f"in {result.batches:,} batch{'es' * (result.batches != 1)}{skipped}; "
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
