"""The demo's Django URLs, relative to its mount (``/postmortem/``); Pyramid and plain WSGI are mounted
beside them (``app.py``)."""

from __future__ import annotations

from django.urls import path

from apps.postmortem import views
from swapdemo.kernel.handlers import handler400, handler403, handler404, handler500  # noqa: F401

urlpatterns = [
    path("", views.index, name="index"),
    path("talk/", views.talk, name="talk"),
]
