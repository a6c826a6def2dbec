"""What Django's forms cost inside Pyramid: the bridge, and whole requests.

Run them with ``python -m swapdemo.bench --only pyramid_forms``.  Two comparisons:

- validating one proposal from Django's ``MultiValueDict`` against the same
  data arriving as WebOb's ``MultiDict`` through :func:`bridge.form_data`;
- requests to ``/forms/`` through the stack: the form page, an invalid POST
  in English and in German, and a valid POST (SQLite insert and redirect).
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils.datastructures import MultiValueDict
from pyramid.request import Request
from webob.multidict import MultiDict

from apps.pyramid_forms.bridge import configure_django, form_data
from apps.pyramid_forms.forms import ProposalForm
from swapdemo.benches import Comparison, Variant, per_call
from swapdemo.kernel.config import from_environment
from swapdemo.stack import make_app

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

PROPOSAL = [
    ("title", "Forms without the framework"),
    ("speaker", "Inès Dvořák"),
    ("email", "ines@example.org"),
    ("track", "Core"),
    ("level", "intermediate"),
    ("topics", "forms"),
    ("topics", "testing"),
    ("duration", "25"),
    ("preferred_day", "2009-09-09"),
    ("abstract", "Django's forms, served by Pyramid."),
]


class _Demo:
    """The stack serving only this demo, over a throwaway data folder, with a session and its CSRF token."""

    app: WSGIApplication
    headers: dict[str, str]
    token: str

    def start(self) -> None:
        self.data_dir = Path(tempfile.mkdtemp(prefix="swapdemo-bench-forms-"))
        self.app = make_app(from_environment().replace(data_dir=self.data_dir), names=("pyramid_forms",))
        page = Request.blank("/forms/").get_response(self.app)
        self.headers = {"Cookie": page.headers["Set-Cookie"].split(";", 1)[0]}
        found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        if found is None:
            raise RuntimeError(f"/forms/ has no CSRF token:\n{page.text}")
        self.token = found.group(1)

    def stop(self) -> None:
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def get(self) -> None:
        assert Request.blank("/forms/", headers=self.headers).get_response(self.app).status_int == 200

    def post(self, fields: list[tuple[str, str]], status: int, language: str = "en") -> None:
        post = MultiDict([("csrf_token", self.token), *fields])
        request = Request.blank("/forms/", POST=post, headers={**self.headers, "Accept-Language": language})
        assert request.get_response(self.app).status_int == status


def comparisons(quick: bool) -> list[Comparison]:
    number = 20 if quick else 200
    demo = _Demo()
    django_data = MultiValueDict({key: [v for k, v in PROPOSAL if k == key] for key, _ in PROPOSAL})
    parsed = Request.blank("/", POST=MultiDict(PROPOSAL))
    invalid = [(key, "" if key in ("title", "email") else value) for key, value in PROPOSAL]

    def validate_django() -> None:
        assert ProposalForm(django_data).is_valid()

    def validate_bridged() -> None:
        assert ProposalForm(*form_data(parsed)).is_valid()

    return [
        Comparison(
            "pyramid_forms: validate one proposal, Django's MultiValueDict vs WebOb's MultiDict bridged",
            [
                Variant("ProposalForm(MultiValueDict) (Django alone)", per_call(validate_django, number)),
                Variant("ProposalForm(*form_data(request)) (bridged)", per_call(validate_bridged, number)),
            ],
            target="the bridge adds at most 10% to validation (x1.10 or less)",
            setup=configure_django,
        ),
        Comparison(
            "pyramid_forms: requests to /forms/ through the stack (Pyramid, CSRF, Django form, Jinja2)",
            [
                Variant("GET /forms/ (empty form)", per_call(demo.get, number)),
                Variant(
                    "POST invalid, English (re-rendered)", per_call(lambda: demo.post(invalid, 200), number)
                ),
                Variant(
                    "POST invalid, German (Accept-Language: de)",
                    per_call(lambda: demo.post(invalid, 200, "de"), number),
                ),
                Variant(
                    "POST valid (SQLite insert, 303)", per_call(lambda: demo.post(PROPOSAL, 303), number)
                ),
            ],
            setup=demo.start,
            teardown=demo.stop,
        ),
    ]
