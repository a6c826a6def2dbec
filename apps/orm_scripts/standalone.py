"""Django without a project: settings built in code, migrations applied by the script itself.

A program that uses the ORM needs what a project usually provides, and gets it here:

1. settings: :func:`configure` calls ``settings.configure()`` with the database from the
   suite's :class:`~swapdemo.kernel.config.Config` (``DATABASE_URL``, an SQLite file by default) and
   only the one app whose models the script uses, then ``django.setup()`` loads that app;
2. a schema: :func:`migrate` runs the app's migrations through ``call_command("migrate")``,
   and :func:`migrate_if_needed` does so on first use, so no separate set-up step can be
   forgotten.

Import models only after :func:`configure`: defining a model needs the app registry.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import django
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from swapdemo.kernel.config import Config

APP = "apps.orm_scripts"
APP_LABEL = "orm_scripts"


def settings_for(config: Config) -> dict[str, Any]:
    """The whole settings of the script: a database and one app, nothing a server needs."""
    return {
        "DATABASES": {"default": config.database},
        "INSTALLED_APPS": [APP],
        "USE_TZ": True,
        "TIME_ZONE": "UTC",
    }


def configure(config: Config) -> None:
    """Configure Django for this process from ``config`` and load the app registry.

    Safe to call again in a process it already configured.  Raises ``ImproperlyConfigured``
    when something else configured Django first without this app (a settings module was
    loaded): settings are process-global, so run the script as its own process then.
    """
    if settings.configured:
        if APP in settings.INSTALLED_APPS:
            django.setup()
            return
        raise ImproperlyConfigured(
            "Django is already configured in this process without apps.orm_scripts; "
            "run the ORM script in its own process (python -m swapdemo.orm_script)"
        )
    database = config.database
    if database["ENGINE"].endswith("sqlite3") and database["NAME"] not in ("", ":memory:"):
        Path(database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    settings.configure(**settings_for(config))
    django.setup()


def pending() -> list[str]:
    """The app's migrations not yet applied to the configured database, in order."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    targets = [node for node in executor.loader.graph.leaf_nodes() if node[0] == APP_LABEL]
    return [f"{migration.app_label}.{migration.name}" for migration, _ in executor.migration_plan(targets)]


def migrate(target: str | None = None, *, verbosity: int = 1) -> None:
    """Apply the app's migrations (``target`` a migration name, or ``"zero"`` to undo them all)."""
    from django.core.management import call_command

    call_command("migrate", APP_LABEL, *([target] if target else []), verbosity=verbosity, interactive=False)


def migrate_if_needed() -> list[str]:
    """Apply pending migrations quietly; returns the names applied (none after the first use)."""
    names = pending()
    if names:
        migrate(verbosity=0)
    return names
