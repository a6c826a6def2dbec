"""The ``/apidata/`` URLconf: the talk list and one talk."""

from __future__ import annotations

from django.urls import path

from apps.api_datasource.views import TalkDetailView, TalkListView

urlpatterns = [
    path("", TalkListView.as_view(), name="talk-list"),
    path("talks/<int:pk>/", TalkDetailView.as_view(), name="talk-detail"),
]
