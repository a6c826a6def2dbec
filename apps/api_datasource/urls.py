"""The ``/apidata/`` URLconf: the talk list and one talk."""

from __future__ import annotations

from django.urls import path, re_path

from apps.api_datasource.views import TalkDetailView, TalkListView
from swapdemo.kernel.handlers import handler400, handler403, handler404, handler500  # noqa: F401

urlpatterns = [
    path("", TalkListView.as_view(), name="talk-list"),
    # At most 18 digits: a longer id is no talk (404 here), not a question for the API.
    re_path(r"^talks/(?P<pk>[0-9]{1,18})/$", TalkDetailView.as_view(), name="talk-detail"),
]
