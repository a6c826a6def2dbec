"""API conventions as adapters: how a :class:`~apps.api_datasource.query.Query` is spelled, a page read.

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

The base class is the builtin convention; ``drf.py`` and ``json_server.py`` hold the other two.
To support another API, subclass :class:`Adapter` and override
:meth:`~Adapter.condition` (raise ``UnsupportedQuery`` for what it cannot
say), :meth:`~Adapter.ordering`, :meth:`~Adapter.search`,
:meth:`~Adapter.window` and :meth:`~Adapter.page`.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from apps.api_datasource.errors import BadResponse, UnsupportedQuery

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

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
        """The query string for ``query``'s rows ``offset`` to ``offset + limit``; refuses the unsayable."""
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
                f"{condition.field}__in: the {self.name} convention separates values with commas, "
                "so a value cannot contain one"
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
        return data["count"], rows(fetched, data["results"])


def rows(fetched: Fetched, rows: list[Any]) -> list[Mapping[str, Any]]:
    """``rows`` once each is known to be a JSON object; ``BadResponse`` otherwise."""
    if not all(isinstance(row, dict) for row in rows):
        raise BadResponse(fetched.url, "expected every result to be a JSON object")
    return rows
