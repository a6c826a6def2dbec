"""The script's tables: talks keyed by the dataset's own id, and the summary the report reads.

``Talk`` mirrors :class:`apps.conference.data.Talk`.  Its primary key is the id the data file
carries, not one the database invents: the id is the talk's identity in the source (it stays
put when a talk is retitled or moves to another slot), so an import can upsert on it, and a
re-run of the same file updates rows instead of adding them.

``TalkSummary`` is unmanaged: migration 0002 creates what it reads, a materialized view on
PostgreSQL and a plain table elsewhere, and ``reports.refresh()`` brings it up to date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection, models

from apps.conference import data

if TYPE_CHECKING:
    from collections.abc import Callable


class Talk(models.Model):
    """One talk, as imported; ``id`` comes from the file."""

    id = models.PositiveIntegerField(primary_key=True)
    title = models.CharField(max_length=200)
    speaker = models.CharField(max_length=200)
    track = models.CharField(max_length=100)
    room = models.CharField(max_length=100)
    day = models.DateField()
    start = models.TimeField()
    duration = models.PositiveSmallIntegerField(help_text="minutes")
    level = models.CharField(max_length=12, choices=[(level, level) for level in data.LEVELS])
    abstract = models.TextField()

    class Meta:
        ordering = ["day", "start", "room"]
        indexes = [models.Index(fields=["day", "start", "room"], name="orm_scripts_talk_slot")]

    def __str__(self) -> str:
        return f"{self.title} ({self.speaker}, {self.day} {self.start:%H:%M})"

    @classmethod
    def from_row(cls, row: data.Talk) -> Talk:
        """The model of a dataset row; the row's id becomes the primary key."""
        return cls(**{name: getattr(row, name) for name in data.FIELDS})

    def to_row(self) -> data.Talk:
        return data.Talk(**{name: getattr(self, name) for name in data.FIELDS})

    @classmethod
    def fits(cls) -> Callable[[data.Talk], None]:
        """A check that raises ``ValueError`` naming the field when a row does not fit the table.

        Too long for its column, out of the column's integer range on the default database, or
        text with a NUL character (PostgreSQL refuses it): the database would refuse the row and,
        with it, its whole batch.  Plain comparisons, cheaper per row than ``full_clean()``.
        """
        fields = [field for field in cls._meta.concrete_fields if field.name in data.FIELDS]
        lengths = {
            field.name: field.max_length
            for field in fields
            if isinstance(field, models.CharField) and field.max_length is not None
        }
        ranges = {
            field.name: connection.ops.integer_field_range(field.get_internal_type())
            for field in fields
            if isinstance(field, models.IntegerField)
        }
        texts = [field.name for field in fields if isinstance(field, (models.CharField, models.TextField))]

        def check(row: data.Talk) -> None:
            for name, longest in lengths.items():
                if len(getattr(row, name)) > longest:
                    raise ValueError(
                        f"talk field {name!r} is too long for the table: "
                        f"{len(getattr(row, name))} characters, at most {longest}"
                    )
            for name, (low, high) in ranges.items():
                if not low <= getattr(row, name) <= high:
                    raise ValueError(
                        f"talk field {name!r} is out of the table's range {low}..{high}: {getattr(row, name)}"
                    )
            for name in texts:
                if "\x00" in getattr(row, name):
                    raise ValueError(f"talk field {name!r} contains a NUL character")

        return check


class TalkSummary(models.Model):
    """Talks and minutes per track, per speaker and per day: one row per (kind, label)."""

    KINDS = ("track", "speaker", "day")

    pk = models.CompositePrimaryKey("kind", "label")
    kind = models.CharField(max_length=10, choices=[(kind, kind) for kind in KINDS])
    label = models.CharField(max_length=200)
    talks = models.PositiveIntegerField()
    minutes = models.PositiveIntegerField()

    class Meta:
        managed = False
        db_table = "orm_scripts_talk_summary"

    def __str__(self) -> str:
        return f"{self.kind} {self.label}: {self.talks} talks"
