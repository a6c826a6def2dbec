"""The ``/apidata/`` demo's factory: a Django app whose talk rows come from an API.

``make_app(config)`` picks the API (``config.api_url``, or the built-in
``/api/`` of the server the request came in on) and its convention
(``config.api_style``), builds one :class:`~apps.api_datasource.client.ApiClient`
for the process, and hands the views a ``talks(request)`` function through
the WSGI environ, so nothing is configured globally.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ImproperlyConfigured

from apps.api_datasource.adapters import Adapter
from apps.api_datasource.client import ApiClient, make_session
from apps.api_datasource.drf import DrfAdapter
from apps.api_datasource.json_server import JsonServerAdapter
from apps.api_datasource.query import Resource
from apps.api_datasource.queryset import ApiQuerySet
from apps.conference.data import Talk
from swapdemo.kernel.site import django_app

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication
    from django.http import HttpRequest

    from swapdemo.kernel.config import Config

TALKS: Resource[Talk] = Resource(Talk, "talks")
SOURCE_KEY = "api_datasource.talks"
ADAPTERS: dict[str, type[Adapter]] = {"builtin": Adapter, "drf": DrfAdapter, "json-server": JsonServerAdapter}


def make_app(config: Config, *, client: ApiClient | None = None) -> WSGIApplication:
    """The talk list and detail pages over the API ``config`` names.

    :param client: how requests are sent; by default a retrying session with
        the in-process transport and Django's default cache for 30 seconds.

    Raises ``ImproperlyConfigured`` for an API style without an API URL: the
    built-in ``/api/`` speaks only the ``builtin`` convention.
    """
    if config.api_url is None and config.api_style != "builtin":
        raise ImproperlyConfigured(
            f"SWAPDEMO_API_STYLE={config.api_style} needs SWAPDEMO_API_URL: "
            "the built-in /api/ is builtin style"
        )
    adapter = ADAPTERS[config.api_style]()
    if client is None:
        from django.core.cache import cache

        client = ApiClient(make_session(behind_tls_proxy=config.https), cache=cache)

    def talks(request: HttpRequest) -> ApiQuerySet[Talk]:
        # /api is mounted at the process root, so an absolute path names it whatever this app's prefix.
        base = config.api_url or request.build_absolute_uri("/api/")
        return ApiQuerySet(TALKS, base if base.endswith("/") else base + "/", client, adapter)

    return django_app("apps.api_datasource.urls", {SOURCE_KEY: talks})
