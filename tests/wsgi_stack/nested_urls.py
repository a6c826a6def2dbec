"""A Django URLconf whose view calls another Django app of the same process, for test_transport."""

from __future__ import annotations

import requests
from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse

from wsgi_stack.transport import InProcessTransport

session = requests.Session()
session.mount("http://", InProcessTransport())


def outer(request: HttpRequest) -> HttpResponse:
    inner = session.get(request.build_absolute_uri("/inner/hello/"), timeout=5).text
    return HttpResponse(
        f"{inner.strip()} | outer still reverses to {reverse('outer')}", content_type="text/plain"
    )


urlpatterns = [path("page/", outer, name="outer")]
