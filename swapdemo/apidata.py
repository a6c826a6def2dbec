"""Talk pages whose rows come over HTTP: Django's ListView, DetailView and Paginator over a REST API.

Usage::

    python -m swapdemo.apidata [--host 127.0.0.1] [--port 8000] [--profile]

It serves ``/apidata/`` and the built-in ``/api/`` it reads; set
``SWAPDEMO_API_URL`` and ``SWAPDEMO_API_STYLE`` (``builtin``, ``drf`` or
``json-server``) to read another API.
"""

from swapdemo.stack import serve

if __name__ == "__main__":
    raise SystemExit(serve(("apidata",), "talk pages read from an API"))
