"""The ``drf`` convention: Django REST Framework, django-filter, ``LimitOffsetPagination``."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from apps.api_datasource.adapters import Adapter, Pairs
from apps.api_datasource.errors import BadResponse, UnsupportedQuery

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from apps.api_datasource.query import Condition


class DrfAdapter(Adapter):
    """DRF: ``LimitOffsetPagination``, django-filter lookups, ``OrderingFilter``, ``SearchFilter``.

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
            # django-filter skips an empty value and strips the others: not the filter asked for.
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
