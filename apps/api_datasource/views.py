"""Django's own generic views over an :class:`~apps.api_datasource.queryset.ApiQuerySet`.

``ListView(paginate_by=20)`` and ``DetailView`` are used unchanged: they only
need ``get_queryset()`` to return the API-backed queryset.  An upstream
failure becomes a 503 page naming the upstream, never a traceback.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from django import forms
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.views.generic import DetailView, ListView

from apps.api_datasource.app import SOURCE_KEY
from apps.api_datasource.errors import UpstreamError, public_url
from apps.conference.data import LEVELS

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from apps.api_datasource.queryset import ApiQuerySet
    from apps.conference.data import Talk

logger = logging.getLogger(__name__)
ORDERINGS = {
    "schedule": ("day", "start", "room"),
    "longest": ("-duration", "day", "start"),
    "title": ("title",),
}


class TalkFilter(forms.Form):
    """The list page's filters, each one lookup of the API."""

    q = forms.CharField(required=False, label="Search")
    track = forms.CharField(required=False, help_text="exact, any case")
    level = forms.ChoiceField(required=False, choices=[("", "any"), *((level, level) for level in LEVELS)])
    longest = forms.IntegerField(required=False, min_value=1, label="At most (minutes)")
    order = forms.ChoiceField(required=False, choices=[(name, name) for name in ORDERINGS])

    def apply(self, talks: ApiQuerySet[Talk]) -> ApiQuerySet[Talk]:
        self.is_valid()  # invalid fields are shown with their errors and left out of the query
        data = self.cleaned_data
        if data.get("q"):
            talks = talks.search(data["q"])
        if data.get("track"):
            talks = talks.filter(track__iexact=data["track"])
        if data.get("level"):
            talks = talks.filter(level=data["level"])
        if data.get("longest"):
            talks = talks.filter(duration__lte=data["longest"])
        return talks.order_by(*ORDERINGS[data.get("order") or "schedule"])


class UpstreamErrorPage:
    """Render inside the view, so an upstream failure met while iterating rows becomes a 503 page."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]  # a view mixin
            if isinstance(response, TemplateResponse):
                response.render()
            return response
        except UpstreamError as exc:
            logger.warning("upstream failure on %s: %s", request.path, exc)
            page = render(request, "api_datasource/upstream_error.html", {"error": exc}, status=503)
            page["Retry-After"] = "30"
            return page


class TalkListView(UpstreamErrorPage, ListView):
    paginate_by = 20
    template_name = "api_datasource/talk_list.html"

    # The lesson: a duck-typed QuerySet where the stubs expect a real one.
    def get_queryset(self) -> ApiQuerySet[Talk]:  # type: ignore[override]
        self.filters = TalkFilter(self.request.GET)
        self.talks = self.filters.apply(self.request.META[SOURCE_KEY](self.request))
        return self.talks

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return super().get_context_data(
            filters=self.filters, upstream=public_url(self.talks.base_url), **kwargs
        )


class TalkDetailView(UpstreamErrorPage, DetailView):
    template_name = "api_datasource/talk_detail.html"
    context_object_name = "talk"

    def get_queryset(self) -> ApiQuerySet[Talk]:  # type: ignore[override]  # as in TalkListView
        talks: ApiQuerySet[Talk] = self.request.META[SOURCE_KEY](self.request)
        return talks
