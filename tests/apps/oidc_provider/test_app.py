"""The development provider's factory: a mountable app that passes wsgiref's validator."""

from __future__ import annotations

from wsgiref.validate import validator

from webtest import TestApp

from apps.oidc_provider.app import make_app
from swapdemo.kernel.config import from_environment
from wsgi_stack.mount import Mount


def test_the_provider_passes_wsgiref_validate(tmp_path) -> None:
    app = Mount({"/idp": make_app(from_environment().replace(data_dir=tmp_path))})
    client = TestApp(validator(app), lint=False)
    assert client.get("/idp/.well-known/openid-configuration").json["issuer"] == "http://localhost:80/idp"
    assert client.get("/idp/jwks/").json["keys"]
    client.get("/idp/token/", status=405)
    client.post("/idp/token/", {"grant_type": "authorization_code", "code": "x"}, status=401)
