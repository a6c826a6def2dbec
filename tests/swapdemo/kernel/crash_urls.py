"""A URLconf whose view fails, for the error-page tests: ``django_app("tests.swapdemo.kernel.crash_urls")``"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path

from swapdemo.kernel.handlers import handler400, handler403, handler404, handler500  # noqa: F401


def boom(request: HttpRequest) -> HttpResponse:
    secret = "a-local-the-page-must-not-show"  # noqa: F841 - what a traceback page would leak
    raise RuntimeError("the view failed")


urlpatterns = [path("boom/", boom)]
