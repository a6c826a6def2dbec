"""The README's "Try it" steps, performed against the whole stack: the provider's page, discovery, keys."""

from __future__ import annotations

from webtest import TestApp

from swapdemo.stack import make_app
from tests.conftest import ROOT, try_it

STEPS = try_it(ROOT / "apps" / "oidc_provider" / "README.md")


def test_try_it(config) -> None:
    visitor = TestApp(make_app(config), extra_environ={"HTTP_HOST": "127.0.0.1:8000"})
    index, discovery, keys = STEPS
    page = visitor.get(index.paths[0])
    assert index.quoted[0] in page.text and "ada" in page.text and "grace" in page.text
    assert visitor.get(discovery.paths[0]).json["issuer"] == discovery.quoted[0]
    (key,) = visitor.get(keys.paths[0]).json["keys"]
    assert key["alg"] == keys.quoted[0] and key["kty"] == "RSA" and "d" not in key
