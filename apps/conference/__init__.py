"""The conference talks every demo shares: see `apps.conference.data`."""

from apps.conference.data import TIME_ZONE, Talk, generate, load_talks

__all__ = ["TIME_ZONE", "Talk", "generate", "load_talks"]
