"""The ``json-server`` convention (0.17): ``_start``/``_limit``, ``X-Total-Count``, ``_sort``."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from apps.api_datasource.adapters import Adapter, Pairs, rows, text
from apps.api_datasource.errors import BadResponse, UnsupportedQuery
from wsgi_stack.numbers import whole_number

if TYPE_CHECKING:
    from collections.abc import Mapping

    from apps.api_datasource.client import Fetched
    from apps.api_datasource.query import Condition, Resource


class JsonServerAdapter(Adapter):
    """json-server 0.17: ``_start``/``_limit``, ``X-Total-Count``, ``_sort``/``_order``, ``q`` and
    ``_gte``/``_lte``/``_ne``/``_like``."""

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
        return total, rows(fetched, fetched.data)
