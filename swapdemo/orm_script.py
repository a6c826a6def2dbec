"""The Django ORM in a standalone script: models, migrations and batch work with no project.

Usage::

    python -m swapdemo.orm_script generate 100000 -o talks.csv
    python -m swapdemo.orm_script import talks.csv
    python -m swapdemo.orm_script report [--format text|csv|json]

Subcommands: ``migrate``, ``generate N``, ``import FILE``, ``report``, ``refresh``, ``export``;
``--help`` on any of them.  ``DATABASE_URL`` picks the database (default: an SQLite file).
This is a command-line demo, not a server: read ``apps/orm_scripts/standalone.py`` first.
"""

from apps.orm_scripts.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
