"""Django as a mountable WSGI app: reverse() includes the mount prefix, and each mount keeps its
own URLconf.
"""

from __future__ import annotations

from wsgiref.validate import validator

from webtest import TestApp

from swapdemo.kernel.site import django_app
from wsgi_stack.mount import Mount


def test_django_reverse_includes_the_mount_prefix() -> None:
    hello = django_app("swapdemo.urls")
    mounted = TestApp(validator(Mount({"/deep/prefix": hello})), lint=False)
    assert mounted.get("/deep/prefix/hello/").text == "Hello from /deep/prefix/hello/\n"
    alone = TestApp(validator(hello), lint=False)
    assert alone.get("/hello/").text == "Hello from /hello/\n"


def test_two_django_mounts_never_see_each_other_s_urls() -> None:
    hello, jinja = django_app("swapdemo.urls"), django_app("apps.jinja_templates.urls")
    client = TestApp(validator(Mount({"/hello": hello, "/jinja": jinja})), lint=False)
    assert client.get("/hello/hello/").text == "Hello from /hello/hello/\n"
    assert client.get("/jinja/").status_int == 200
    client.get("/jinja/hello/", status=404)
    client.get("/hello/", status=404)
