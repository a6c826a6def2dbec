"""The talk summary: a materialized view on PostgreSQL, a view plus a rebuilt table elsewhere.

``CreateModel`` of the unmanaged ``TalkSummary`` only records it in the migration state; the
``RunPython`` step creates what it reads, choosing by ``connection.vendor``.  PostgreSQL gets
``CREATE MATERIALIZED VIEW`` with the unique index ``REFRESH ... CONCURRENTLY`` requires.
Other databases get the same query as a plain view, ``..._source``, and a table that
``reports.refresh()`` rebuilds from it in one transaction.  The query lives here, once, frozen
with the migration that created it: changing it means a new migration.
"""

from __future__ import annotations

from django.db import migrations, models

SUMMARY = "orm_scripts_talk_summary"
SOURCE = "orm_scripts_talk_summary_source"


def summary_query(day_label: str) -> str:
    return f"""
        SELECT 'track' AS kind, track AS label, count(*) AS talks, sum(duration) AS minutes
          FROM orm_scripts_talk GROUP BY track
        UNION ALL
        SELECT 'speaker', speaker, count(*), sum(duration) FROM orm_scripts_talk GROUP BY speaker
        UNION ALL
        SELECT 'day', {day_label}, count(*), sum(duration) FROM orm_scripts_talk GROUP BY day
    """


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        query = summary_query("to_char(day, 'YYYY-MM-DD')")
        schema_editor.execute(f"CREATE MATERIALIZED VIEW {SUMMARY} AS {query}")
        schema_editor.execute(f"CREATE UNIQUE INDEX {SUMMARY}_key ON {SUMMARY} (kind, label)")
        return
    schema_editor.execute(f"CREATE VIEW {SOURCE} AS {summary_query('day')}")
    schema_editor.execute(
        f"CREATE TABLE {SUMMARY} (kind varchar(10) NOT NULL, label varchar(200) NOT NULL,"
        " talks integer NOT NULL, minutes integer NOT NULL, PRIMARY KEY (kind, label))"
    )
    schema_editor.execute(
        f"INSERT INTO {SUMMARY} (kind, label, talks, minutes) "
        f"SELECT kind, label, talks, minutes FROM {SOURCE}"
    )


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP MATERIALIZED VIEW {SUMMARY}")
        return
    schema_editor.execute(f"DROP TABLE {SUMMARY}")
    schema_editor.execute(f"DROP VIEW {SOURCE}")


class Migration(migrations.Migration):
    dependencies = [("orm_scripts", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="TalkSummary",
            fields=[
                (
                    "pk",
                    models.CompositePrimaryKey(
                        "kind", "label", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[("track", "track"), ("speaker", "speaker"), ("day", "day")], max_length=10
                    ),
                ),
                ("label", models.CharField(max_length=200)),
                ("talks", models.PositiveIntegerField()),
                ("minutes", models.PositiveIntegerField()),
            ],
            options={"db_table": SUMMARY, "managed": False},
        ),
        migrations.RunPython(create, drop),
    ]
