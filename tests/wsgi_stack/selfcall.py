"""A test app whose page calls its own /api/ with requests, served by gunicorn in the tests.

``SELFCALL_TRANSPORT=network`` takes the in-process transport away, to show the deadlock it prevents.
"""

from __future__ import annotations

import json
import os

import requests

from wsgi_stack.mount import Mount
from wsgi_stack.transport import InProcessTransport

session = requests.Session()
if os.environ.get("SELFCALL_TRANSPORT") != "network":
    session.mount("http://", InProcessTransport())


def api(environ, start_response):
    body = json.dumps(
        {
            "pid": os.getpid(),
            "path": environ["PATH_INFO"],
            "in_process": environ.get("wsgi_stack.in_process", False),
        }
    ).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


def page(environ, start_response):
    url = f"http://{environ['HTTP_HOST']}/api/item"
    try:
        data = session.get(url, timeout=(1, 2)).json()
        status, body = "200 OK", json.dumps({"pid": os.getpid(), "api": data}).encode()
    except requests.Timeout:
        status, body = "504 Gateway Timeout", b"the call to /api/ timed out"
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
    return [body]


application = Mount({"/api": api, "/page": page})
