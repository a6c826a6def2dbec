"""A read-only, QuerySet-like view of an API collection, so Django's paginator and generic views take it as is.

``ApiQuerySet(TALKS, "http://host/api/", client, BuiltinAdapter())`` is lazy
and chainable like a Django QuerySet: ``filter()``, ``exclude()``,
``order_by()``, ``search()`` and slicing return a new object and send
nothing; ``count()``, ``exists()``, ``get()``, ``first()``, indexing and
iteration send the request.  A page of ``Paginator(qs, 20)`` costs two: the
count, then the window (``offset``/``limit``).  Rows come back as the
resource's typed record (``Talk``).

What the API cannot serve fails at once, before any request, with
:class:`~apps.api_datasource.errors.UnsupportedQuery`: an unknown field or
lookup, a value of the wrong type, ``Q`` objects, ``exclude()`` with several
conditions (``NOT (a AND b)`` is not a per-parameter filter), or whatever the
adapter's convention has no spelling for.  It never fetches everything to
filter in Python.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import typing
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import urlencode

from django.core import exceptions
from django.utils.dateparse import parse_date, parse_time

from apps.api_datasource.errors import BadResponse, UnsupportedQuery, public_url

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from apps.api_datasource.adapters import Adapter
    from apps.api_datasource.client import ApiClient

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


class Resource(Generic[T]):
    """One API collection: its path, its record type and the fields it can be queried on.

    :param record: a dataclass; its typed fields (``int``, ``str``, ``date``, ``time``) are the queryable ones.
    :param path: the collection's path below the API root, e.g. ``"talks"``.
    :param pk: the field ``pk`` stands for.
    :param parse: builds a record from one JSON row; ``record.from_dict`` by default.

    ``DoesNotExist``, ``MultipleObjectsReturned`` and ``_meta`` are what
    Django's ``DetailView`` and ``ListView`` read from ``queryset.model``.
    """

    def __init__(self, record: type[T], path: str, *, pk: str = "id", parse: Callable[[Mapping[str, Any]], T] | None = None) -> None:
        hints = typing.get_type_hints(record)
        self.record, self.path, self.pk = record, path, pk
        self.fields: dict[str, type] = {field.name: hints[field.name] for field in dataclasses.fields(record)}  # type: ignore[arg-type]
        self.parse: Callable[[Mapping[str, Any]], T] = parse or record.from_dict  # type: ignore[attr-defined]
        name = record.__name__
        self.DoesNotExist = type("DoesNotExist", (exceptions.ObjectDoesNotExist,), {"__qualname__": f"{name}.DoesNotExist"})
        self.MultipleObjectsReturned = type("MultipleObjectsReturned", (exceptions.MultipleObjectsReturned,), {"__qualname__": f"{name}.MultipleObjectsReturned"})
        self._meta = _Meta(path, name, name.lower(), name.lower(), name.lower() + "s")

    def condition(self, key: str, value: Any, negated: bool) -> Condition:
        field, _, lookup = key.partition("__")
        field, lookup = self.pk if field == "pk" else field, lookup or "exact"
        if field not in self.fields:
            raise UnsupportedQuery(f"cannot filter {self.path} on {field!r}: choose from {', '.join(self.fields)}")
        if lookup not in LOOKUPS:
            raise UnsupportedQuery(f"unsupported lookup {lookup!r} in {key!r}: use one of {', '.join(sorted(LOOKUPS))}")
        kind = self.fields[field]
        if lookup in TEXT_LOOKUPS and kind is not str:
            raise UnsupportedQuery(f"{key!r}: {lookup} applies to text fields, and {field} is {kind.__name__}")
        if lookup == "in":
            if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
                raise UnsupportedQuery(f"{key!r} takes a list of values, got {value!r}")
            return Condition(field, lookup, tuple(self.typed(field, item) for item in value), negated)
        return Condition(field, lookup, self.typed(field, value), negated)

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


class ApiQuerySet(Generic[T]):
    """A lazy, immutable query on ``resource`` at ``base_url``; see the module docstring.

    :param resource: what is queried (:class:`Resource`).
    :param base_url: the API root, ending in ``/``.
    :param client: sends the requests (:class:`~apps.api_datasource.client.ApiClient`).
    :param adapter: spells the query in the API's convention (:mod:`apps.api_datasource.adapters`).
    """

    def __init__(self, resource: Resource[T], base_url: str, client: ApiClient, adapter: Adapter, query: Query | None = None) -> None:
        self.model = resource  # the attribute Django's generic views read
        self.base_url, self.client, self.adapter = base_url, client, adapter
        self.query = query or Query()
        self._result_cache: list[T] | None = None
        self._total: int | None = None

    def all(self) -> ApiQuerySet[T]:
        return self._chain(self.query)

    def filter(self, *args: Any, **kwargs: Any) -> ApiQuerySet[T]:
        return self._filter(args, kwargs, negated=False)

    def exclude(self, *args: Any, **kwargs: Any) -> ApiQuerySet[T]:
        if len(kwargs) > 1:
            raise UnsupportedQuery("exclude() takes one condition: NOT (a AND b) has no query-string spelling; chain exclude() calls to exclude each")
        return self._filter(args, kwargs, negated=True)

    def order_by(self, *fields: str) -> ApiQuerySet[T]:
        self._refuse_after_slice("reorder")
        ordering = []
        for name in fields:
            bare = name.removeprefix("-")
            bare = self.model.pk if bare == "pk" else bare
            if bare not in self.model.fields:
                raise UnsupportedQuery(f"cannot order {self.model.path} by {name!r}: choose from {', '.join(self.model.fields)}")
            ordering.append(("-" if name.startswith("-") else "") + bare)
        return self._chain(dataclasses.replace(self.query, ordering=tuple(ordering)))

    def search(self, text: str) -> ApiQuerySet[T]:
        """Rows whose text fields contain ``text``, as the API's own search defines it."""
        self._refuse_after_slice("search")
        if self.query.search:
            raise UnsupportedQuery("search() was already called: an API takes one search term")
        return self._chain(dataclasses.replace(self.query, search=text or None))

    @property
    def ordered(self) -> bool:
        """Whether an ordering was asked for (Django's paginator warns about unordered lists)."""
        return bool(self.query.ordering)

    def count(self) -> int:
        if self._result_cache is not None:
            return len(self._result_cache)
        if self.query.empty or self.query.stop == self.query.start:
            return 0
        total, _ = self._fetch(0, self.adapter.count_limit)
        stop = total if self.query.stop is None else min(total, self.query.stop)
        return max(0, stop - self.query.start)

    def exists(self) -> bool:
        return bool(self._result_cache) if self._result_cache is not None else self.count() > 0

    def get(self, *args: Any, **kwargs: Any) -> T:
        window = (self.filter(*args, **kwargs) if args or kwargs else self)._sliced(0, 2)
        rows = list(window)
        if not rows:
            raise self.model.DoesNotExist(f"{self.model._meta.object_name} matching query does not exist.")
        if len(rows) > 1:
            many = window._total if not self.query.start and self.query.stop is None else "more than one"
            raise self.model.MultipleObjectsReturned(f"get() returned more than one {self.model._meta.object_name} -- it returned {many}!")
        return rows[0]

    def first(self) -> T | None:
        for row in (self if self.ordered else self.order_by("pk"))[:1]:
            return row
        return None

    def __getitem__(self, key: int | slice) -> Any:
        if isinstance(key, int):
            if key < 0:
                raise ValueError("Negative indexing is not supported.")
            if self._result_cache is not None:
                return self._result_cache[key]
            rows = list(self._sliced(key, key + 1))
            if not rows:
                raise IndexError(f"{self!r} has no row at index {key}")
            return rows[0]
        if not isinstance(key, slice):
            raise TypeError(f"ApiQuerySet indices must be integers or slices, not {type(key).__name__}.")
        if (key.start or 0) < 0 or (key.stop or 0) < 0:
            raise ValueError("Negative indexing is not supported.")
        if self._result_cache is not None:
            return self._result_cache[key]
        window = self._sliced(key.start, key.stop)
        return list(window)[:: key.step] if key.step else window

    def __iter__(self) -> Iterator[T]:
        return iter(self._fetch_all())

    def __len__(self) -> int:
        return len(self._fetch_all())

    def __bool__(self) -> bool:
        return bool(self._fetch_all())

    def __repr__(self) -> str:
        params = self.adapter.params(self.model, self.query, *self._window())
        return f"<ApiQuerySet {public_url(self.adapter.list_url(self.base_url, self.model))}?{urlencode(params)}>"

    def _chain(self, query: Query) -> ApiQuerySet[T]:
        chained = type(self)(self.model, self.base_url, self.client, self.adapter, query)
        self.adapter.params(self.model, query, *chained._window())  # refuses at once what the API cannot serve
        return chained

    def _window(self) -> tuple[int, int | None]:
        stop = self.query.stop
        return self.query.start, None if stop is None else stop - self.query.start

    def _filter(self, args: tuple[Any, ...], kwargs: dict[str, Any], negated: bool) -> ApiQuerySet[T]:
        if args:
            raise UnsupportedQuery("Q objects and expressions are not supported: use keyword lookups")
        if kwargs:  # as in Django, filter() with nothing to filter by is all(), sliced or not
            self._refuse_after_slice("filter")
        conditions = [self.model.condition(key, value, negated) for key, value in kwargs.items()]
        kept = [c for c in conditions if not (c.lookup == "in" and not c.value)]
        empty = self.query.empty or any(c.lookup == "in" and not c.value and not c.negated for c in conditions)
        return self._chain(dataclasses.replace(self.query, conditions=self.query.conditions + tuple(kept), empty=empty))

    def _refuse_after_slice(self, what: str) -> None:
        if self.query.start or self.query.stop is not None:
            raise TypeError(f"Cannot {what} a query once a slice has been taken.")

    def _sliced(self, start: int | None, stop: int | None) -> ApiQuerySet[T]:
        low, high = self.query.start, self.query.stop
        if stop is not None:
            high = low + stop if high is None else min(high, low + stop)
        if start is not None:
            low = low + start if high is None else min(high, low + start)
        return self._chain(dataclasses.replace(self.query, start=low, stop=high))

    def _fetch_all(self) -> list[T]:
        if self._result_cache is None:
            rows: list[T] = []
            offset, stop, served = self.query.start, self.query.stop, 0
            while not self.query.empty:
                want = self.adapter.max_limit if stop is None else min(self.adapter.max_limit, stop - offset)
                if want <= 0:
                    break
                total, page = self._fetch(offset, want)
                page = page[:want]
                keys = [getattr(row, self.model.pk) for row in page]
                if rows and keys == [getattr(row, self.model.pk) for row in rows[-len(page) :]]:
                    raise BadResponse(self.base_url, "the API answered the same rows for the next offset: it does not page by offset")
                rows += page
                offset += len(page)
                # A page shorter than asked for is not the end when the API pages smaller than that (DRF cuts a
                # limit over its max_limit silently); one shorter than the API's own pages is.
                served = served or len(page)
                if not page or offset >= total or len(page) < min(want, served):
                    break
            self._result_cache = rows
        return self._result_cache

    def _fetch(self, offset: int, limit: int) -> tuple[int, list[T]]:
        params = self.adapter.params(self.model, self.query, offset, limit)
        fetched = self.client.get(self.adapter.list_url(self.base_url, self.model), params)
        total, rows = self.adapter.page(fetched)
        try:
            records = [self.model.parse(row) for row in rows]
        except (TypeError, ValueError) as exc:
            raise BadResponse(fetched.url, f"a row is not a valid {self.model._meta.verbose_name}: {exc}") from exc
        self._total = total
        return total, records
