"""The crashed request as a snapshot keeps it: enough to read it later and to send it again.

Method, path, query parameters, headers, the body as far as it was read (size-capped: form fields,
JSON, or multipart fields with the files' names and sizes only), the request id and the client.
:func:`request_redactor` first adds this request's own secrets (its cookie, bearer token, token
headers, and secret-named query and form fields) to the site's, so they vanish everywhere, from
the locals of every frame too.
"""

from __future__ import annotations

import email.parser
import email.policy
import json
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from wsgi_stack.postmortem.redact import REDACTED, Redactor
from wsgi_stack.postmortem.values import Budget, named

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

BODY_CAP = 64 * 1024
TEXT_CAP = 16 * 1024


def request_redactor(site: Redactor, environ: WSGIEnvironment, body: bytes) -> Redactor:
    """``site``'s secrets plus this request's own."""
    found: list[str | None] = []
    for key, value in environ.items():
        if key.startswith("HTTP_") and isinstance(value, str) and site.sensitive(key):
            found += [value, *value.split()]
    try:
        cookies = SimpleCookie(environ.get("HTTP_COOKIE", ""))
        found += [morsel.value for morsel in cookies.values()]
    except Exception:
        pass
    pairs = [
        *parse_qsl(environ.get("QUERY_STRING", "")),
        *form_fields(environ, body),
        *_json_pairs(environ, body),
    ]
    found += [value for name, value in pairs if site.sensitive(name) and isinstance(value, str)]
    redactor = Redactor(site.secrets)
    redactor.add(found)
    return redactor


def describe_request(
    environ: WSGIEnvironment, body: bytes, budget: Budget, redact: Redactor
) -> dict[str, Any]:
    headers = {
        key[5:].replace("_", "-").title(): value
        for key, value in environ.items()
        if key.startswith("HTTP_") and isinstance(value, str)
    }
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").title()] = environ[key]
    return {
        "method": environ.get("REQUEST_METHOD", "GET"),
        "scheme": environ.get("wsgi.url_scheme", "http"),
        "script_name": environ.get("SCRIPT_NAME", ""),
        "path": environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", ""),
        "query": _pairs(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True), redact),
        "headers": {
            name: REDACTED if redact.sensitive(name) else redact(value) for name, value in headers.items()
        },
        "body": _body(environ, body, budget, redact),
        "request_id": environ.get("wsgi_stack.request_id"),
        "remote_addr": environ.get("REMOTE_ADDR"),
    }


def form_fields(environ: WSGIEnvironment, body: bytes) -> list[tuple[str, Any]]:
    """The fields of an urlencoded or multipart body (a file as ``{"file": name, "size": n}``)."""
    kind = environ.get("CONTENT_TYPE", "")
    if kind.startswith("application/x-www-form-urlencoded"):
        return parse_qsl(body.decode("latin-1"), keep_blank_values=True)
    if not kind.startswith("multipart/form-data"):
        return []
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + kind.encode("latin-1") + b"\r\n\r\n" + body
    )
    fields: list[tuple[str, Any]] = []
    for part in message.iter_parts() if message.is_multipart() else ():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        value = {"file": filename, "size": len(content)} if filename else content.decode("utf-8", "replace")
        fields.append((str(name), value))
    return fields


def _json_pairs(environ: WSGIEnvironment, body: bytes) -> list[tuple[str, Any]]:
    """Every ``"name": value`` of a JSON body, nested ones included."""
    if not environ.get("CONTENT_TYPE", "").startswith("application/json"):
        return []
    found: list[tuple[str, Any]] = []
    try:
        pending = [json.loads(body)]
    except ValueError:
        return []
    while pending and len(found) < 10_000:
        value = pending.pop()
        items = (
            value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
        )
        for name, item in items:
            found.append((str(name), item))
            pending.append(item)
    return found


def _pairs(pairs: list[tuple[str, Any]], redact: Redactor) -> list[list[Any]]:
    return [[name, REDACTED if redact.sensitive(name) else _scrub(value, redact)] for name, value in pairs]


def _scrub(value: Any, redact: Redactor) -> Any:
    return redact(value) if isinstance(value, str) else value


def _body(environ: WSGIEnvironment, body: bytes, budget: Budget, redact: Redactor) -> dict[str, Any]:
    kind = environ.get("CONTENT_TYPE", "")
    shown: dict[str, Any] = {"content_type": kind, "bytes_read": len(body), "capped": len(body) >= BODY_CAP}
    if not body:
        return shown
    if kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        shown["fields"] = _pairs(form_fields(environ, body), redact)
        return shown
    shown["text"] = redact(body[:TEXT_CAP].decode("utf-8", "replace"))  # enough to send it again
    if kind.startswith("application/json"):
        try:
            shown["json"] = named("body", json.loads(body), budget, redact)
        except ValueError:
            shown["json_error"] = "not valid JSON"
    return shown
