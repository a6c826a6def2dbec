"""How long a whole sign-in takes, in-process: WebTest through the stack, provider included.

Run it with ``python -m swapdemo.bench --only sign-in``.  No target: the
figures are for the README.  Every request of the round trip goes through the
stack's layers; the relying party's calls to the provider go through the
in-process transport (after the first sign-in only the token request: the
discovery document and the key set are cached).

- members page: one request of a signed-in visitor, the baseline;
- returning visitor: the provider remembers them, so no form
  (login, authorize, callback with the token exchange, members);
- first visit: the provider's login form is shown and posted as well.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from swapdemo.benches import Comparison, Variant, per_call
from swapdemo.kernel.config import from_environment
from swapdemo.stack import make_app

if TYPE_CHECKING:
    from webtest import TestApp, TestResponse


def _follow(response: TestResponse) -> TestResponse:
    while response.status_int in (301, 302, 303):
        response = response.follow()
    return response


def _sign_in(client: TestApp) -> TestResponse:
    page = _follow(client.get("/auth/login/", {"next": "/auth/members/"}))
    if "/idp/authorize/" in page.request.url:
        form = page.forms[0]
        form["username"], form["password"] = "ada", "demo"
        page = _follow(form.submit("approve"))
    assert "Members only" in page.text, page.text
    return page


def comparisons(quick: bool) -> list[Comparison]:
    from webtest import TestApp

    number = 5 if quick else 40
    clients: dict[str, TestApp] = {}

    def setup() -> None:
        app = make_app(from_environment(), names=("auth",))
        clients.update(
            member=TestApp(app, lint=False), returning=TestApp(app, lint=False), new=TestApp(app, lint=False)
        )
        _sign_in(clients["member"])
        _sign_in(clients["returning"])

    def returning() -> None:
        clients["returning"].cookies.pop("sessionid", None)
        _sign_in(clients["returning"])

    def first_visit() -> None:
        clients["new"].reset()
        _sign_in(clients["new"])

    return [
        Comparison(
            "sign-in round trip through OpenID Connect, in-process (WebTest through the stack)",
            [
                Variant(
                    "members page, already signed in (1 request)",
                    per_call(lambda: clients["member"].get("/auth/members/"), 4 * number),
                ),
                Variant("sign-in, provider remembers the visitor (4 requests)", per_call(returning, number)),
                Variant("sign-in, provider's login form posted (5 requests)", per_call(first_visit, number)),
            ],
            setup=setup,
        )
    ]
