"""The conference talks every demo shares: see `apps.conference.data`."""

from apps.conference.data import Talk, generate, load_talks

__all__ = ["Talk", "generate", "load_talks"]
