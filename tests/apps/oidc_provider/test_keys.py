"""The provider's signing key is shared by workers and restarts, published, and rotated by a command."""

from __future__ import annotations

import datetime
import io

from django.core.management import call_command
from joserfc import jwt
from joserfc.jwk import KeySet
from webtest import TestApp

from apps.oidc_provider.app import make_app
from swapdemo.kernel.config import from_environment
from wsgi_stack.mount import Mount


def _jwks(app: TestApp) -> KeySet:
    return KeySet.import_key_set(app.get("/idp/jwks/").json)


def test_two_workers_and_a_restart_sign_with_one_key_and_a_rotation_keeps_old_tokens_valid(tmp_path) -> None:
    from apps.oidc_provider import keys
    from apps.oidc_provider.models import TOKEN_LIFETIME, SigningKey

    config = from_environment().replace(data_dir=tmp_path)
    first, second = (TestApp(Mount({"/idp": make_app(config)})) for _ in range(2))  # two workers' apps
    assert [k.kid for k in _jwks(first).keys] == [k.kid for k in _jwks(second).keys]
    old_key = keys.signing_key()
    token = jwt.encode({"alg": "RS256", "kid": old_key.kid}, {"sub": "ada"}, old_key)

    out = io.StringIO()
    call_command("rotate_signing_key", stdout=out)
    new_key = keys.signing_key()
    assert new_key.kid != old_key.kid and f"signing with {new_key.kid}" in out.getvalue()
    published = _jwks(second)
    assert {new_key.kid, old_key.kid} <= {k.kid for k in published.keys}
    assert jwt.decode(token, published).claims["sub"] == "ada"  # signed before the rotation, still valid
    assert all("d" not in key for key in second.get("/idp/jwks/").json["keys"])  # public halves only

    SigningKey.objects.filter(kid=old_key.kid).update(
        retired=SigningKey.objects.get(kid=old_key.kid).retired
        - TOKEN_LIFETIME
        - datetime.timedelta(seconds=1)
    )
    assert old_key.kid not in {k.kid for k in _jwks(first).keys}  # its tokens have all expired
