"""The URLconf of requests that no mount claims: one hello view.

The bench measures the stack's own cost against this view, and the tests use
it to show ``reverse()`` behind a mount prefix.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path, reverse

from swapdemo.kernel.handlers import handler400, handler403, handler404, handler500  # noqa: F401


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"Hello from {reverse('hello')}\n", content_type="text/plain; charset=utf-8")


urlpatterns = [path("hello/", hello, name="hello")]
