"""API conventions as adapters: how a :class:`~apps.api_datasource.queryset.Query` is spelled, how a page is read.

Three ship, chosen by ``SWAPDEMO_API_STYLE``:

- ``builtin``: the suite's own ``/api/`` (:mod:`apps.talks_api.query`):
  ``field__lookup=v``, ``not.`` to exclude, ``ordering``, ``search``,
  ``limit``/``offset``; ``{"count", "results"}``.
- ``drf``: Django REST Framework with django-filter: ``limit``/``offset``
  (``LimitOffsetPagination``), ``duration__gte=``, ``track__in=a,b``,
  ``ordering=-a,b``, ``search=``; ``{"count", "next", "previous", "results"}``.
  No exclusion, and one value per parameter.
- ``json-server``: ``_start``/``_limit`` with the total in ``X-Total-Count``,
  ``_sort=a,b&_order=desc,asc``, ``field_gte``/``field_lte``/``field_ne``,
  ``field_like`` (a case-insensitive regular expression), ``q``; a JSON list.

To support another API, subclass :class:`Adapter` and override
:meth:`~Adapter.condition` (raise ``UnsupportedQuery`` for what it cannot
say), :meth:`~Adapter.ordering`, :meth:`~Adapter.search`,
:meth:`~Adapter.window` and :meth:`~Adapter.page`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from apps.api_datasource.errors import BadResponse, UnsupportedQuery
from wsgi_stack.numbers import whole_number

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping

    from apps.api_datasource.client import Fetched
    from apps.api_datasource.query import Condition, Query, Resource

Pairs = list[tuple[str, str]]


def text(value: Any) -> str:
    """A typed value as it goes in a query string: ISO dates, ``HH:MM`` times, ``true``/``false``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.time) and not (value.second or value.microsecond):
        return value.strftime("%H:%M")
    return value.isoformat() if isinstance(value, (dt.date, dt.time)) else str(value)


class Adapter:
    """The builtin convention; subclasses override the hooks that differ.

    :param max_limit: the most rows the API returns per request (iteration pages by it).
    :param count_limit: the ``limit`` sent when only the total is wanted.
    """

    name = "builtin"
    max_limit = 1000
    count_limit = 0

    def list_url(self, base_url: str, resource: Resource[Any]) -> str:
        return urljoin(base_url, resource.path + "/")

    def params(self, resource: Resource[Any], query: Query, offset: int, limit: int | None) -> Pairs:
        """The query string for ``query``'s rows ``offset`` to ``offset + limit``; refuses what cannot be said."""
        groups = [self.condition(condition) for condition in query.conditions]
        self.check_repeats(groups)
        pairs: Pairs = [pair for group in groups for pair in group]
        if query.ordering:
            pairs += self.ordering(query.ordering)
        if query.search:
            pairs += self.search(query.search)
        return pairs + self.window(offset, limit)

    def condition(self, condition: Condition) -> Pairs:
        name = condition.field if condition.lookup == "exact" else f"{condition.field}__{condition.lookup}"
        return [("not." + name if condition.negated else name, self.value(condition))]

    def value(self, condition: Condition) -> str:
        if condition.lookup != "in":
            return text(condition.value)
        values = [text(item) for item in condition.value]
        if any("," in item for item in values):
            raise UnsupportedQuery(
                f"{condition.field}__in: the {self.name} convention separates values with commas, so a value cannot contain one"
            )
        return ",".join(values)

    def check_repeats(self, groups: list[Pairs]) -> None:
        """Refuse parameters the API would not AND; ``groups`` holds each condition's pairs.

        Builtin parameters may repeat (all must hold).
        """

    def ordering(self, fields: tuple[str, ...]) -> Pairs:
        return [("ordering", ",".join(fields))]

    def search(self, term: str) -> Pairs:
        return [("search", term)]

    def window(self, offset: int, limit: int | None) -> Pairs:
        return [("offset", str(offset))] + ([("limit", str(limit))] if limit is not None else [])

    def read(
        self, fetch: Callable[[int, int], tuple[int, list[Any]]], start: int, stop: int | None, url: str
    ) -> list[Any]:
        """Rows ``start`` to ``stop`` (``None``: all) of the collection at ``url``, ``max_limit`` at a time.

        ``fetch(offset, limit)`` returns the total and one page.
        """
        rows: list[Any] = []
        offset, first = start, 0
        while (want := self.max_limit if stop is None else min(self.max_limit, stop - offset)) > 0:
            total, page = fetch(offset, want)
            page = page[:want]
            self.check_next(rows, page, url)
            rows += page
            offset, first = offset + len(page), first or len(page)
            if not page or offset >= total or self.ends(len(page), want, first):
                break
        return rows

    def check_next(self, rows: list[Any], page: list[Any], url: str) -> None:
        """Refuse a page that cannot follow ``rows``; an API of this convention pages by offset."""

    def ends(self, size: int, want: int, first: int) -> bool:
        """Whether a page of ``size`` rows, asked for ``want`` (the first page had ``first``), is the last."""
        return size < want

    def page(self, fetched: Fetched) -> tuple[int, list[Mapping[str, Any]]]:
        """The total count and the rows of one answer; raises ``BadResponse`` for a wrong shape."""
        data = fetched.data
        if not (
            isinstance(data, dict)
            and type(data.get("count")) is int
            and isinstance(data.get("results"), list)
        ):
            raise BadResponse(
                fetched.url, f"expected {{'count': int, 'results': [...]}} from a {self.name} API"
            )
        return data["count"], _rows(fetched, data["results"])


class DrfAdapter(Adapter):
    """Django REST Framework: ``LimitOffsetPagination``, django-filter lookups, ``OrderingFilter``, ``SearchFilter``.

    :param max_limit: the API's ``max_limit`` (DRF pages by 100 in most set-ups).
    :param lookups: the API's ``filterset_fields`` as ``{"field": ["exact", "gte"]}``;
        when given, other lookups are refused before any request.
    """

    name = "drf"
    count_limit = 1  # DRF reads limit=0 as "no limit given" and returns a default page

    def __init__(self, max_limit: int = 100, lookups: Mapping[str, Collection[str]] | None = None) -> None:
        self.max_limit, self.lookups = max_limit, lookups

    def condition(self, condition: Condition) -> Pairs:
        if condition.negated:
            raise UnsupportedQuery(
                "exclude() has no spelling in the drf convention: django-filter has no generic negation"
            )
        if self.lookups is not None and condition.lookup not in self.lookups.get(condition.field, ()):
            raise UnsupportedQuery(f"the API does not filter {condition.field} by {condition.lookup}")
        values = condition.value if condition.lookup == "in" else (condition.value,)
        if any((isinstance(value, str) and value != value.strip()) or value == "" for value in values):
            # django-filter skips an empty value and strips the others: the filter would not be the one asked for.
            raise UnsupportedQuery(
                f"{condition.field}: the drf convention cannot filter by empty or space-padded text"
            )
        return super().condition(condition)

    def check_repeats(self, groups: list[Pairs]) -> None:
        if repeated := [
            name
            for name, times in Counter(name for group in groups for name, _ in group).items()
            if times > 1
        ]:
            raise UnsupportedQuery(
                f"{repeated[0]} is filtered twice: a drf API reads one value per parameter"
            )

    def check_next(self, rows: list[Any], page: list[Any], url: str) -> None:
        # A PageNumberPagination API ignores offset and answers its first page again: stop, do not loop.
        if rows and page and page == rows[-len(page) :]:
            raise BadResponse(
                url, "the API answered the same rows for the next offset: it does not page by offset"
            )

    def ends(self, size: int, want: int, first: int) -> bool:
        # DRF cuts a limit over its max_limit silently: only a page shorter than its own pages is the last.
        return size < min(want, first)


class JsonServerAdapter(Adapter):
    """json-server (0.17): ``_start``/``_limit``, ``X-Total-Count``, ``_sort``/``_order``, ``_gte``/``_lte``/``_ne``/``_like``, ``q``."""

    name = "json-server"

    def list_url(self, base_url: str, resource: Resource[Any]) -> str:
        return urljoin(base_url, resource.path)

    def condition(self, condition: Condition) -> Pairs:
        field, lookup, value = condition.field, condition.lookup, condition.value
        if condition.negated:
            if lookup != "exact":
                raise UnsupportedQuery(
                    f"json-server can exclude only exact values ({field}_ne), not {lookup}"
                )
            return [(f"{field}_ne", text(value))]
        if lookup == "exact":
            return [(field, text(value))]
        if lookup == "in":
            return [(field, text(item)) for item in value]
        if lookup in ("gte", "lte"):
            return [(f"{field}_{lookup}", text(value))]
        if lookup in ("icontains", "iexact"):
            pattern = re.escape(value)
            return [(f"{field}_like", pattern if lookup == "icontains" else f"^{pattern}$")]
        raise UnsupportedQuery(
            f"json-server has no {lookup} lookup: it offers exact, in, gte, lte, icontains and iexact"
        )

    def check_repeats(self, groups: list[Pairs]) -> None:
        # json-server ORs repeated parameters, so only one condition may use each (__in repeats its own).
        seen: set[str] = set()
        for names in ({name for name, _ in group} for group in groups):
            if seen & names:
                raise UnsupportedQuery(
                    f"{sorted(seen & names)[0]} is used by two filters: json-server would OR them"
                )
            seen |= names

    def ordering(self, fields: tuple[str, ...]) -> Pairs:
        sort = ",".join(name.removeprefix("-") for name in fields)
        order = ",".join("desc" if name.startswith("-") else "asc" for name in fields)
        return [("_sort", sort), ("_order", order)]

    def search(self, term: str) -> Pairs:
        return [("q", term)]

    def window(self, offset: int, limit: int | None) -> Pairs:
        return [("_start", str(offset)), ("_limit", str(limit if limit is not None else 10**9))]

    def page(self, fetched: Fetched) -> tuple[int, list[Mapping[str, Any]]]:
        total = whole_number(fetched.headers.get("x-total-count"), 0, 10**18)
        if not isinstance(fetched.data, list) or total is None:
            raise BadResponse(
                fetched.url, "expected a JSON list and an X-Total-Count header from a json-server API"
            )
        return total, _rows(fetched, fetched.data)


ADAPTERS: dict[str, type[Adapter]] = {"builtin": Adapter, "drf": DrfAdapter, "json-server": JsonServerAdapter}


def _rows(fetched: Fetched, rows: list[Any]) -> list[Mapping[str, Any]]:
    if not all(isinstance(row, dict) for row in rows):
        raise BadResponse(fetched.url, "expected every result to be a JSON object")
    return rows
