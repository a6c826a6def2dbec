"""Hand a mounted app the objects its factory built, through the WSGI environ.

A factory builds what its app needs once (a client, a key, a data source) and the app's views
read it from the request; a module-level global would tie every mount in the process to one
value.  Django views find it in ``request.META``, Pyramid views in ``request.environ``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class WithEnviron:
    """Call ``app`` with ``values`` added to every request's environ.

    :param app: the WSGI app to wrap.
    :param values: environ keys and the objects to put there; name keys after their package
        (``"api_datasource.talks"``), as PEP 3333 asks of extension keys.

    Writes the keys of ``values``; reads nothing.  The response passes through untouched.
    """

    def __init__(self, app: WSGIApplication, values: Mapping[str, Any]) -> None:
        self.app = app
        self.values = dict(values)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        environ.update(self.values)
        return self.app(environ, start_response)

    def __repr__(self) -> str:
        return f"WithEnviron({self.app!r}, keys={sorted(self.values)})"
