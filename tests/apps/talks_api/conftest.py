"""Shared by the talks API tests: the app under WebTest."""

from __future__ import annotations

from wsgiref.validate import validator

import pytest
from webtest import TestApp

from apps.talks_api.app import make_app
from swapdemo.kernel.config import from_environment


@pytest.fixture
def api() -> TestApp:
    return TestApp(validator(make_app(from_environment())), lint=False)
