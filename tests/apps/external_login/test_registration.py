"""What the site registered at its provider: secrets stay out of reprs."""

from __future__ import annotations

from apps.oidc_provider.clients import DEVELOPMENT_CLIENT


def test_client_secrets_stay_out_of_reprs_and_so_out_of_debug_logs() -> None:
    from apps.external_login.registration import Settings

    assert "s3cret" not in repr(Settings("swapdemo", "s3cret"))
    assert DEVELOPMENT_CLIENT.client_secret not in repr(DEVELOPMENT_CLIENT.at("http://127.0.0.1:8000"))
