"""Shared by the Jinja2 environment and error tests: Django set up, and a fresh engine configured
as the settings' one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.template.backends.jinja2 import Jinja2

from apps.jinja_templates.app import make_app
from swapdemo.kernel.config import from_environment


@pytest.fixture
def django_ready(tmp_path) -> None:
    """Django set up, as the demo's factory does it, for tests that use its engines directly."""
    make_app(from_environment().replace(data_dir=tmp_path))


def engine(dirs: list[Path] | None = None, **options: Any) -> Jinja2:
    """A fresh engine configured like the settings' Jinja2 entry (``dirs`` instead of the apps' folders)."""
    entry = next(e for e in settings.TEMPLATES if e["BACKEND"].endswith("Jinja2"))
    params = {key: value for key, value in entry.items() if key != "BACKEND"}
    if dirs is not None:
        params.update(DIRS=dirs, APP_DIRS=False)
    return Jinja2({**params, "NAME": "test", "OPTIONS": {**entry["OPTIONS"], **options}})
