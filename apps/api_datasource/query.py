"""What an ``ApiQuerySet`` asks for, typed: a resource, conditions, a window.

:class:`Resource` describes one API collection (its path, its record type, the fields it can be
queried on) and carries what Django's generic views read from ``queryset.model``
(``DoesNotExist``, ``MultipleObjectsReturned``, ``_meta``).  :class:`Query` is the immutable
description of a request; an adapter (``adapters.py``) spells it in an API's convention.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.core import exceptions
from django.utils.dateparse import parse_date, parse_time

from apps.api_datasource.errors import BadResponse, UnsupportedQuery

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

T = TypeVar("T")
LOOKUPS = frozenset({"exact", "iexact", "in", "gt", "gte", "lt", "lte", "contains", "icontains"})
TEXT_LOOKUPS = frozenset({"iexact", "contains", "icontains"})
_PARSERS: dict[type, Any] = {int: int, dt.date: parse_date, dt.time: parse_time}


@dataclasses.dataclass(frozen=True)
class Condition:
    """``field__lookup=value`` (``value`` typed; a tuple for ``in``), possibly negated."""

    field: str
    lookup: str
    value: Any
    negated: bool = False


@dataclasses.dataclass(frozen=True)
class Query:
    """What an :class:`ApiQuerySet` asks for; adapters turn it into query parameters."""

    conditions: tuple[Condition, ...] = ()
    ordering: tuple[str, ...] = ()
    search: str | None = None
    start: int = 0
    stop: int | None = None
    empty: bool = False

    def window(self) -> tuple[int, int | None]:
        """``(offset, limit)`` of the slice, ``limit`` ``None`` when open-ended."""
        return self.start, None if self.stop is None else self.stop - self.start

    def sliced(self, start: int | None, stop: int | None) -> Query:
        """This query's rows ``[start:stop]``, within any slice already taken (as Django slices)."""
        low, high = self.start, self.stop
        if stop is not None:
            high = low + stop if high is None else min(high, low + stop)
        if start is not None:
            low = low + start if high is None else min(high, low + start)
        return dataclasses.replace(self, start=low, stop=high)

    def filtered(self, conditions: list[Condition]) -> Query:
        """Also ``conditions``; ``field__in=[]`` matches nothing, and excluding it keeps everything."""
        if conditions:  # as in Django, filter() with nothing to filter by is all(), sliced or not
            self.refuse_after_slice("filter")
        kept = tuple(c for c in conditions if not (c.lookup == "in" and not c.value))
        empty = self.empty or any(c.lookup == "in" and not c.value and not c.negated for c in conditions)
        return dataclasses.replace(self, conditions=self.conditions + kept, empty=empty)

    def refuse_after_slice(self, what: str) -> None:
        if self.start or self.stop is not None:
            raise TypeError(f"Cannot {what} a query once a slice has been taken.")


class Resource(Generic[T]):
    """One API collection: its path, its record type and the fields it can be queried on.

    :param record: a dataclass; its typed fields (``int``, ``str``, ``date``, ``time``) are queryable.
    :param path: the collection's path below the API root, e.g. ``"talks"``.
    :param pk: the field ``pk`` stands for.
    :param parse: builds a record from one JSON row; ``record.from_dict`` by default.

    ``DoesNotExist``, ``MultipleObjectsReturned`` and ``_meta`` are what
    Django's ``DetailView`` and ``ListView`` read from ``queryset.model``.
    """

    def __init__(
        self,
        record: type[T],
        path: str,
        *,
        pk: str = "id",
        parse: Callable[[Mapping[str, Any]], T] | None = None,
    ) -> None:
        hints = typing.get_type_hints(record)
        self.record, self.path, self.pk = record, path, pk
        # ``record`` is a dataclass with a ``from_dict``, which a TypeVar cannot say.
        fields = dataclasses.fields(record)  # type: ignore[arg-type]
        self.fields: dict[str, type] = {field.name: hints[field.name] for field in fields}
        self.parse: Callable[[Mapping[str, Any]], T] = parse or record.from_dict  # type: ignore[attr-defined]
        name = record.__name__
        self.DoesNotExist = type(
            "DoesNotExist", (exceptions.ObjectDoesNotExist,), {"__qualname__": f"{name}.DoesNotExist"}
        )
        self.MultipleObjectsReturned = type(
            "MultipleObjectsReturned",
            (exceptions.MultipleObjectsReturned,),
            {"__qualname__": f"{name}.MultipleObjectsReturned"},
        )
        self._meta = _Meta(path, name, name.lower(), name.lower(), name.lower() + "s")

    def condition(self, key: str, value: Any, negated: bool) -> Condition:
        field, _, lookup = key.partition("__")
        field, lookup = self.pk if field == "pk" else field, lookup or "exact"
        if field not in self.fields:
            raise UnsupportedQuery(
                f"cannot filter {self.path} on {field!r}: choose from {', '.join(self.fields)}"
            )
        if lookup not in LOOKUPS:
            raise UnsupportedQuery(
                f"unsupported lookup {lookup!r} in {key!r}: use one of {', '.join(sorted(LOOKUPS))}"
            )
        kind = self.fields[field]
        if lookup in TEXT_LOOKUPS and kind is not str:
            raise UnsupportedQuery(
                f"{key!r}: {lookup} applies to text fields, and {field} is {kind.__name__}"
            )
        if lookup == "in":
            if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
                raise UnsupportedQuery(f"{key!r} takes a list of values, got {value!r}")
            return Condition(field, lookup, tuple(self.typed(field, item) for item in value), negated)
        return Condition(field, lookup, self.typed(field, value), negated)

    def ordering(self, fields: Iterable[str]) -> tuple[str, ...]:
        """``order_by()``'s arguments checked against the fields, ``pk`` spelled as the field it is."""
        ordering = []
        for name in fields:
            bare = name.removeprefix("-")
            bare = self.pk if bare == "pk" else bare
            if bare not in self.fields:
                raise UnsupportedQuery(
                    f"cannot order {self.path} by {name!r}: choose from {', '.join(self.fields)}"
                )
            ordering.append(("-" if name.startswith("-") else "") + bare)
        return tuple(ordering)

    def records(self, url: str, rows: Iterable[Mapping[str, Any]]) -> list[T]:
        """Typed records of an answer's rows; a row that does not parse makes the answer a ``BadResponse``."""
        try:
            return [self.parse(row) for row in rows]
        except (TypeError, ValueError) as exc:
            raise BadResponse(url, f"a row is not a valid {self._meta.verbose_name}: {exc}") from exc

    def typed(self, field: str, value: Any) -> Any:
        """``value`` as the field's type: ``"3"`` becomes ``3`` for an int (URL kwargs are text)."""
        kind = self.fields[field]
        if type(value) is kind:
            return value
        if isinstance(value, str) and kind in _PARSERS:
            try:
                parsed = _PARSERS[kind](value)  # Django's own parsers: what its model fields accept
            except ValueError as exc:
                raise UnsupportedQuery(f"{field} expects {kind.__name__}, got {value!r}") from exc
            if parsed is None:
                raise UnsupportedQuery(f"{field} expects {kind.__name__}, got {value!r}")
            return parsed
        raise UnsupportedQuery(f"{field} expects {kind.__name__}, got {type(value).__name__} {value!r}")


@dataclasses.dataclass(frozen=True)
class _Meta:
    app_label: str
    object_name: str
    model_name: str
    verbose_name: str
    verbose_name_plural: str


def check_key(key: object) -> tuple[int | None, int | None]:
    """The ``(start, stop)`` of a queryset index or slice, refused as Django refuses it."""
    if not isinstance(key, slice | int):
        raise TypeError(f"ApiQuerySet indices must be integers or slices, not {type(key).__name__}.")
    if isinstance(key, int):
        if key < 0:
            raise ValueError("Negative indexing is not supported.")
        return key, key + 1
    if (key.start or 0) < 0 or (key.stop or 0) < 0:
        raise ValueError("Negative indexing is not supported.")
    return key.start, key.stop
