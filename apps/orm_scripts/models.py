"""The script's tables: talks keyed by the dataset's own id, and the summary the report reads.

``Talk`` mirrors :class:`apps.conference.data.Talk`.  Its primary key is the id the data file
carries, not one the database invents: the id is the talk's identity in the source (it stays
put when a talk is retitled or moves to another slot), so an import can upsert on it, and a
re-run of the same file updates rows instead of adding them.

``TalkSummary`` is unmanaged: migration 0002 creates what it reads, a materialized view on
PostgreSQL and a plain table elsewhere, and ``reports.refresh()`` brings it up to date.
"""

from __future__ import annotations

from django.db import models

from apps.conference import data


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
