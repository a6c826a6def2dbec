"""A read-only, QuerySet-like view of an API collection: Django's Paginator and generic views take it as is.

``ApiQuerySet(TALKS, "http://host/api/", client, Adapter())`` is lazy and chainable like a Django
QuerySet: ``filter()``, ``exclude()``, ``order_by()``, ``search()`` and slicing return a new object
and send nothing; ``count()``, ``exists()``, ``get()``, ``first()``, indexing and iteration send
requests.  A page of ``Paginator(qs, 20)`` costs two: the count, then the window.  Rows come back
as the resource's typed record (``Talk``).  What the API cannot serve fails at once, before any
request, with :class:`~apps.api_datasource.errors.UnsupportedQuery`; it never fetches everything
to filter in Python.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, Generic, TypeVar
from urllib.parse import urlencode

from apps.api_datasource.errors import UnsupportedQuery, public_url
from apps.api_datasource.query import Query, check_key

if TYPE_CHECKING:
    from collections.abc import Iterator

    from apps.api_datasource.adapters import Adapter
    from apps.api_datasource.client import ApiClient
    from apps.api_datasource.query import Resource

T = TypeVar("T")


class ApiQuerySet(Generic[T]):
    """A lazy, immutable query on ``resource`` (``query.py``) at ``base_url`` (the API root, with a final
    ``/``), sent by ``client`` (``client.py``) in the convention ``adapter`` spells (``adapters.py``)."""

    def __init__(
        self,
        resource: Resource[T],
        base_url: str,
        client: ApiClient,
        adapter: Adapter,
        query: Query | None = None,
    ) -> None:
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
            raise UnsupportedQuery("exclude() takes one condition; NOT (a AND b) has no spelling")
        return self._filter(args, kwargs, negated=True)

    def order_by(self, *fields: str) -> ApiQuerySet[T]:
        self.query.refuse_after_slice("reorder")
        return self._chain(dataclasses.replace(self.query, ordering=self.model.ordering(fields)))

    def search(self, text: str) -> ApiQuerySet[T]:
        """Rows whose text fields contain ``text``, as the API's own search defines it."""
        self.query.refuse_after_slice("search")
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
        base = self.filter(*args, **kwargs) if args or kwargs else self
        window = base._chain(base.query.sliced(0, 2))
        rows, name = list(window), self.model._meta.object_name
        if not rows:
            raise self.model.DoesNotExist(f"{name} matching query does not exist.")
        if len(rows) > 1:
            many = window._total if not self.query.start and self.query.stop is None else "more than one"
            raise self.model.MultipleObjectsReturned(
                f"get() returned more than one {name} -- it returned {many}!"
            )
        return rows[0]

    def first(self) -> T | None:
        return next(iter((self if self.ordered else self.order_by("pk"))[:1]), None)

    def __getitem__(self, key: int | slice) -> Any:
        start, stop = check_key(key)
        if self._result_cache is not None:
            return self._result_cache[key]
        window = self._chain(self.query.sliced(start, stop))
        if isinstance(key, int):
            if not (rows := list(window)):
                raise IndexError(f"{self!r} has no row at index {key}")
            return rows[0]
        return list(window)[:: key.step] if key.step else window

    def __iter__(self) -> Iterator[T]:
        return iter(self._fetch_all())

    def __len__(self) -> int:
        return len(self._fetch_all())

    def __repr__(self) -> str:
        params = self.adapter.params(self.model, self.query, *self.query.window())
        url = public_url(self.adapter.list_url(self.base_url, self.model))
        return f"<ApiQuerySet {url}?{urlencode(params)}>"

    def _chain(self, query: Query) -> ApiQuerySet[T]:
        self.adapter.params(self.model, query, *query.window())  # refuses at once what the API cannot serve
        return type(self)(self.model, self.base_url, self.client, self.adapter, query)

    def _filter(self, args: tuple[Any, ...], kwargs: dict[str, Any], negated: bool) -> ApiQuerySet[T]:
        if args:
            raise UnsupportedQuery("Q objects and expressions are not supported: use keyword lookups")
        conditions = [self.model.condition(key, value, negated) for key, value in kwargs.items()]
        return self._chain(self.query.filtered(conditions))

    def _fetch_all(self) -> list[T]:
        if self._result_cache is None and self.query.empty:
            self._result_cache = []
        elif self._result_cache is None:
            url = self.adapter.list_url(self.base_url, self.model)
            self._result_cache = self.adapter.read(self._fetch, self.query.start, self.query.stop, url)
        return self._result_cache

    def _fetch(self, offset: int, limit: int) -> tuple[int, list[T]]:
        params = self.adapter.params(self.model, self.query, offset, limit)
        fetched = self.client.get(self.adapter.list_url(self.base_url, self.model), params)
        total, rows = self.adapter.page(fetched)
        self._total = total
        return total, self.model.records(fetched.url, rows)
