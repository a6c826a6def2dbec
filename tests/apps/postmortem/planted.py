"""Three apps, one per framework, whose crashing frames hold every kind of secret a view can hold.

``django_app("tests.apps.postmortem.planted")`` serves the Django one (this module is its URLconf);
:func:`pyramid_app` and :func:`wsgi_app` the others.  Each reads the request's secrets into
innocently named locals too, so that only redaction by value can keep them out.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from swapdemo.kernel.handlers import handler400, handler403, handler404, handler500  # noqa: F401

TOKEN_40 = secrets.token_hex(20)  # a 40-character token, in a local with an innocent name
PLANTED = {
    "api_key": "ak-live-weather-orange-kite",
    "stripe_sk": "sk_live_" + secrets.token_urlsafe(18),
    "nested": "nested-secret-lemon-cedar",
    "attribute": "attr-secret-mango-river",
    "token_40": TOKEN_40,
}


class Client:
    def __init__(self) -> None:
        self.base = "https://payments.example"
        self.secret = PLANTED["attribute"]


def leaky(typed: Any, header: Any, cookies: Any, query: Any, signing: str, db: str, env: str) -> None:
    """Fails holding the lot: named secrets, secrets under innocent names, nested and in attributes."""
    api_key = PLANTED["api_key"]  # noqa: F841
    stripe_sk = PLANTED["stripe_sk"]  # noqa: F841
    note = TOKEN_40  # noqa: F841
    services = {"mail": {"host": "smtp.example", "password": PLANTED["nested"]}}  # noqa: F841
    client = Client()  # noqa: F841
    message = f"signed with {signing} for {db}; env {env}"  # noqa: F841
    raise RuntimeError("the payment could not be sent")


def values(environ: dict[str, Any]) -> tuple[str, str, str]:
    return settings.SECRET_KEY, f"host=db password={environ['planted.db']}", environ["planted.env"]


@csrf_exempt
def django_view(request: HttpRequest) -> HttpResponse:
    typed = request.POST.get("password")
    header = request.META.get("HTTP_AUTHORIZATION")
    leaky(typed, header, dict(request.COOKIES), request.GET.get("token"), *values(request.META))
    return HttpResponse("unreachable")


urlpatterns = [path("", django_view)]


def pyramid_app() -> Any:
    from pyramid.config import Configurator

    def view(request: Any) -> Any:
        typed = request.POST.get("password")
        header = request.headers.get("Authorization")
        leaky(typed, header, dict(request.cookies), request.GET.get("token"), *values(request.environ))

    with Configurator() as config:
        config.include("swapdemo.kernel.pyramid")
        config.add_route("crash", "/")
        config.add_view(view, route_name="crash")
    return config.make_wsgi_app()


def wsgi_app(environ: dict[str, Any], start_response: Any) -> Any:
    from urllib.parse import parse_qs

    length = int(environ.get("CONTENT_LENGTH") or 0)
    typed = parse_qs(environ["wsgi.input"].read(length).decode())["password"][0]
    header = environ.get("HTTP_AUTHORIZATION")
    leaky(typed, header, environ.get("HTTP_COOKIE"), environ.get("QUERY_STRING"), *values(environ))
