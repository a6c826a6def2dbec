"""The built-in talks API: a read-only JSON API over the conference dataset, as a plain WSGI app.

Routes (``GET`` and ``HEAD`` only; anything else is a 405):

- ``/api/``: an index naming the collection, its fields, lookups and options.
- ``/api/talks/``: ``{"count": total, "limit": n, "offset": n, "results": [talk, ...]}``,
  filtered, ordered and windowed by the query string (see :mod:`apps.talks_api.query`).
- ``/api/talks/<id>/``: one talk, or a 404.

Talks are ``Talk.to_dict()`` rows.  Every 200 carries a strong ``ETag`` (a hash
of the body) and answers ``If-None-Match`` with a 304; errors are JSON:
``{"error": "what went wrong", "parameter": "the bad one"}`` (400) or
``{"error": ...}`` (404, 405).  It is framework-agnostic on purpose: a page of
another app can call it in-process without a nested Django request.
"""

from __future__ import annotations

import hashlib
import json
import re
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from apps.conference.data import FIELDS, load_talks
from apps.talks_api.query import LOOKUPS, MAX_LIMIT, BadParameter, parse

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from apps.conference.data import Talk
    from swapdemo.kernel.config import Config

_DETAIL = re.compile(r"/talks/([1-9][0-9]{0,9})/?")


class TalksAPI:
    """Serve ``talks`` read-only as JSON; see the module docstring for the routes.

    :param talks: the rows to serve, in any order; ids must be unique.

    Reads ``REQUEST_METHOD``, ``SCRIPT_NAME``, ``PATH_INFO``, ``QUERY_STRING``
    and ``HTTP_IF_NONE_MATCH``.
    """

    def __init__(self, talks: Sequence[Talk]) -> None:
        self.talks = tuple(talks)
        self.by_id = {talk.id: talk for talk in self.talks}
        self._rows = {
            talk.id: talk.to_dict() for talk in self.talks
        }  # the data never changes: serialise once

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        status, payload, extra = self.answer(environ)
        return _respond(environ, start_response, status, payload, extra)

    def answer(self, environ: WSGIEnvironment) -> tuple[int, Any, list[tuple[str, str]]]:
        if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
            return 405, {"error": "this API is read-only: use GET"}, [("Allow", "GET, HEAD")]
        path = environ.get("PATH_INFO", "")
        if path in ("", "/"):
            return 200, self.index(environ.get("SCRIPT_NAME", "")), []
        if path in ("/talks", "/talks/"):
            try:
                query = parse(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
            except BadParameter as exc:
                return 400, {"error": str(exc), "parameter": exc.parameter}, []
            count, window = query.apply(self.talks)
            results = [self._rows[talk.id] for talk in window]
            return 200, {"count": count, "limit": query.limit, "offset": query.offset, "results": results}, []
        if (match := _DETAIL.fullmatch(path)) and (talk := self.by_id.get(int(match[1]))):
            return 200, self._rows[talk.id], []
        return 404, {"error": f"nothing at {path!r}: try /talks/ or /talks/<id>/"}, []

    @staticmethod
    def index(root: str) -> dict[str, Any]:
        return {
            "talks": f"{root}/talks/",
            "fields": list(FIELDS),
            "lookups": list(LOOKUPS),
            "options": {
                "limit": f"0 to {MAX_LIMIT}",
                "offset": "0 or more",
                "ordering": "-day,start",
                "search": "text",
            },
            "exclude": "prefix a filter with not., e.g. not.track=Core",
        }


def _respond(
    environ: WSGIEnvironment,
    start_response: StartResponse,
    status: int,
    payload: Any,
    extra: list[tuple[str, str]],
) -> Iterable[bytes]:
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    headers = [*extra, ("Cache-Control", "no-cache")]
    if status == 200:
        etag = f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'
        headers.append(("ETag", etag))
        if _matches(environ.get("HTTP_IF_NONE_MATCH", ""), etag):
            start_response("304 Not Modified", headers)
            return []
    headers += [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
    return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]


def _matches(if_none_match: str, etag: str) -> bool:
    # RFC 9110 compares If-None-Match weakly: W/"x" matches "x".
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


def make_app(config: Config) -> WSGIApplication:
    """The API over the shipped talks (``config`` has nothing for it yet)."""
    return TalksAPI(load_talks())
