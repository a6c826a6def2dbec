"""One OIDC client per issuer, kept, but not one for every Host a visitor sends."""

from __future__ import annotations

import requests

from apps.external_login import app as relying_party_app
from swapdemo.stack import make_app


def test_the_built_in_providers_clients_are_kept_per_issuer_but_not_for_every_host_a_visitor_sends(
    config,
) -> None:
    from django.test import RequestFactory

    from apps.external_login.registration import Settings

    make_app(config, names=("auth",))  # sets Django up
    party = relying_party_app.RelyingParty(None, Settings("client", None), requests.Session())
    first = party.client(RequestFactory().get("/auth/login/", HTTP_HOST="localhost:8000"))
    assert party.client(RequestFactory().get("/auth/", HTTP_HOST="localhost:8000")) is first
    assert first.issuer == "http://localhost:8000/idp"
    issuers = {
        party.client(RequestFactory().get("/auth/login/", HTTP_HOST=f"localhost:{port}")).issuer
        for port in range(9000, 9100)
    }
    assert len(issuers) == 100 and party._clients.cache_info().currsize == 16
