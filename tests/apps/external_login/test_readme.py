"""The README's "Try it" steps, performed against the whole stack: sign in as ada, then sign out."""

from __future__ import annotations

from webtest import TestApp

from swapdemo.stack import make_app
from tests.conftest import ROOT, try_it

STEPS = try_it(ROOT / "apps" / "external_login" / "README.md")


def _follow(response):
    while response.status_int in (301, 302, 303):
        response = response.follow()
    return response


def test_try_it(config) -> None:
    visitor = TestApp(make_app(config), extra_environ={"HTTP_HOST": "127.0.0.1:8000"})
    start, provider, signed_in, signed_out = STEPS
    page = visitor.get(start.paths[0])
    assert start.quoted[0] in page.text and "development" in page.text

    login = _follow(page.click(provider.quoted[0], index=0))
    assert provider.quoted[1] in login.text

    form = login.forms[0]
    form["username"], form["password"] = "ada", "demo"
    members = _follow(form.submit("approve"))
    assert signed_in.quoted[0] in members.text and signed_in.quoted[1] in members.text
    assert "Claims from your ID token" in members.text

    sign_out = next(form for form in members.forms.values() if form.action.endswith("/logout/"))
    assert signed_out.quoted[0] in members.text
    confirm = _follow(sign_out.submit())
    done = _follow(confirm.forms[0].submit())
    assert done.request.path == "/auth/"
    assert visitor.get("/auth/members/").status_int == 302  # signed out here
    assert "Sign in to continue" in _follow(visitor.get("/auth/login/")).text  # and at the provider
