"""The built-in API's query language: a query string in, the matching talks out.

``GET /api/talks/`` reads these parameters (any other name is a 400):

- ``<field>=v`` keeps talks whose field equals ``v``; ``<field>__<lookup>=v``
  uses a lookup: ``exact``, ``iexact``, ``in``, ``gt``, ``gte``, ``lt``,
  ``lte``, ``contains``, ``icontains``.  ``in`` takes a comma-separated list
  (so its values cannot contain commas; an empty value matches nothing);
  ``iexact``, ``contains`` and ``icontains`` apply to text fields only.
- ``not.<field>[__<lookup>]=v`` keeps talks that do *not* match.
- Every condition must hold; a parameter may repeat (``duration__gte=25&duration__gte=40``).
- ``search=text``: case-insensitive substring of the title, speaker or abstract.
- ``ordering=-day,start``: fields, ``-`` for descending; ties go by ``id``.
  Without it talks come by day, start and room.
- ``limit`` (0 to 1000, default 100) and ``offset`` (default 0) pick the window.

Values are typed by field: ``id`` and ``duration`` are whole numbers, ``day``
is ``YYYY-MM-DD``, ``start`` is ``HH:MM`` (seconds allowed), the rest is text.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import operator
import re
import typing
from typing import TYPE_CHECKING, Any

from apps.conference.data import FIELDS, Talk
from wsgi_stack.numbers import whole_number

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

LOOKUPS: dict[str, Callable[[Any, Any], bool]] = {
    "exact": operator.eq,
    "iexact": lambda field, value: field.casefold() == value.casefold(),
    "in": lambda field, values: field in values,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "contains": lambda field, value: value in field,
    "icontains": lambda field, value: value.casefold() in field.casefold(),
}
TEXT_LOOKUPS = frozenset({"iexact", "contains", "icontains"})
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
DEFAULT_ORDERING = (("day", False), ("start", False), ("room", False))
FIELD_TYPES: dict[str, type] = {name: typing.get_type_hints(Talk)[name] for name in FIELDS}
_TYPE_NAMES = {
    int: "a whole number",
    dt.date: "a date (YYYY-MM-DD)",
    dt.time: "a time (HH:MM[:SS])",
    str: "text",
}


class BadParameter(ValueError):
    """A query parameter the API cannot serve; ``parameter`` names it, the message says why."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(message)
        self.parameter = parameter


@dataclasses.dataclass(frozen=True)
class Condition:
    field: str
    lookup: str
    value: Any
    negated: bool

    def matches(self, talk: Talk) -> bool:
        return LOOKUPS[self.lookup](getattr(talk, self.field), self.value) != self.negated


@dataclasses.dataclass(frozen=True)
class TalkQuery:
    """A parsed query: :meth:`apply` returns the total that match and the window asked for."""

    conditions: tuple[Condition, ...] = ()
    ordering: tuple[tuple[str, bool], ...] = DEFAULT_ORDERING
    search: str | None = None
    limit: int = DEFAULT_LIMIT
    offset: int = 0

    def apply(self, talks: Iterable[Talk]) -> tuple[int, list[Talk]]:
        found = [talk for talk in talks if all(c.matches(talk) for c in self.conditions)]
        if self.search:
            needle = self.search.casefold()
            found = [
                t
                for t in found
                if any(needle in text.casefold() for text in (t.title, t.speaker, t.abstract))
            ]
        found.sort(key=operator.attrgetter("id"))
        for name, descending in reversed(self.ordering):
            found.sort(key=operator.attrgetter(name), reverse=descending)
        return len(found), found[self.offset : self.offset + self.limit]


def parse(pairs: Sequence[tuple[str, str]]) -> TalkQuery:
    """Parse decoded query-string pairs; raises :class:`BadParameter` for the first bad one."""
    options: dict[str, Any] = {}
    conditions = []
    for name, raw in pairs:
        if name in ("limit", "offset", "ordering", "search"):
            if name in options:
                raise BadParameter(name, f"{name} is given more than once")
            options[name] = _option(name, raw)
        else:
            conditions.append(_condition(name, raw))
    return TalkQuery(conditions=tuple(conditions), **options)


_HUGE = 10**100
_TIME = re.compile(
    r"([0-9]{1,2}):([0-9]{2})(:[0-9]{2}(\.[0-9]{1,6})?)?"
)  # 9:05, 09:05, 09:05:30, 09:05:30.5; no zone


def _option(name: str, raw: str) -> Any:
    if name == "search":
        return raw or None
    if name == "ordering":
        ordering = tuple((item.removeprefix("-"), item.startswith("-")) for item in raw.split(",") if item)
        for field, _ in ordering:
            if field not in FIELD_TYPES:
                raise BadParameter(name, f"cannot order by {field!r}: choose from {', '.join(FIELDS)}")
        return ordering or DEFAULT_ORDERING
    highest = MAX_LIMIT if name == "limit" else None
    number = whole_number(raw, 0, 10**18)
    if number is None or (highest is not None and number > highest):
        span = f"from 0 to {highest}" if highest is not None else "of 0 or more"
        raise BadParameter(name, f"{name} must be a whole number {span}, got {raw!r}")
    return number


def _condition(name: str, raw: str) -> Condition:
    negated = name.startswith("not.")
    field, _, lookup = name.removeprefix("not.").partition("__")
    lookup = lookup or "exact"
    if field not in FIELD_TYPES:
        raise BadParameter(
            name,
            f"unknown parameter {name!r}: filter on {', '.join(FIELDS)}, "
            "or use limit, offset, ordering, search",
        )
    if lookup not in LOOKUPS:
        raise BadParameter(name, f"unknown lookup {lookup!r}: use one of {', '.join(LOOKUPS)}")
    kind = FIELD_TYPES[field]
    if lookup in TEXT_LOOKUPS and kind is not str:
        raise BadParameter(name, f"{lookup} applies to text fields, and {field} is {_TYPE_NAMES[kind]}")
    if lookup == "in":
        value: Any = frozenset(_typed(name, kind, item) for item in raw.split(",")) if raw else frozenset()
    else:
        value = _typed(name, kind, raw)
    return Condition(field, lookup, value, negated)


def _typed(name: str, kind: type, raw: str) -> Any:
    try:
        if kind is int:
            if (number := whole_number(raw, -_HUGE, _HUGE)) is None:
                raise ValueError(raw)
            return number
        if kind is dt.time:
            if not _TIME.fullmatch(raw):
                raise ValueError(raw)
            return dt.time.fromisoformat(raw.zfill(len(raw) + 1) if raw.index(":") == 1 else raw)
        return kind.fromisoformat(raw) if kind is dt.date else raw
    except ValueError as exc:
        raise BadParameter(name, f"{name} expects {_TYPE_NAMES[kind]}, got {raw!r}") from exc
