"""The demo's URLs, relative to wherever it is mounted (``/jinja/`` in the suite).

This is the mount's whole URLconf (see ``swapdemo.kernel.site``), so the names need no namespace.
"""

from __future__ import annotations

from django.urls import path

from apps.jinja_templates import views
from swapdemo.kernel.handlers import handler400, handler403, handler404, handler500  # noqa: F401

urlpatterns = [
    path("", views.schedule, {"using": "jinja2"}, name="schedule"),
    path("dtl/", views.schedule, {"using": "django"}, name="schedule_dtl"),
    path("talks/<int:talk_id>/", views.talk, name="talk"),
]
