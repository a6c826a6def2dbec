"""A Django crash whose frames hold an unevaluated QuerySet, a lazy ``request.user`` and (on
PostgreSQL) an aborted transaction, captured while every query Django tries is counted.

Run as ``python -m tests.swapdemo.kernel.zero_sql`` with ``DATABASE_URL`` and ``SWAPDEMO_DATA_DIR``
set; it prints what test_crashes.py asserts, as JSON.  A process of its own, so the database can
be PostgreSQL while the test run's is SQLite.
"""

from __future__ import annotations

import json

from django.db import DatabaseError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.urls import path

from swapdemo.kernel.handlers import handler400, handler403, handler404, handler500  # noqa: F401

seen: dict[str, object] = {"queries": 0}


def crash(request: HttpRequest) -> HttpResponse:
    from django.contrib.auth.models import User

    talks = User.objects.filter(username__startswith="a")  # noqa: F841 (its repr would run SQL)
    user = request.user  # noqa: F841 (lazy: reading it loads the session and the user)
    transaction.set_autocommit(False)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")  # PostgreSQL: an error, and the transaction is aborted
    except DatabaseError:
        pass
    raise RuntimeError("crashed with a broken transaction")


urlpatterns = [path("", crash)]


def main() -> None:
    from webtest import TestApp

    from swapdemo.kernel import crashes
    from swapdemo.kernel.config import from_environment
    from swapdemo.kernel.site import django_app, migrate
    from swapdemo.stack import layers
    from wsgi_stack import build
    from wsgi_stack.mount import Mount
    from wsgi_stack.postmortem.layer import PostMortem

    config = from_environment().replace(postmortem=True)
    app = build(Mount({"/crash": django_app("tests.swapdemo.kernel.zero_sql")}), layers(config))
    migrate(config)
    original = PostMortem.capture

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        seen["queries"] = int(str(seen["queries"])) + 1
        seen["sql"] = sql
        return execute(sql, params, many, context)

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raw = connection.connection
        seen["transaction"] = raw.info.transaction_status.name if hasattr(raw, "info") else "sqlite"
        with connection.execute_wrapper(count):
            return original(self, *args, **kwargs)

    PostMortem.capture = counted  # type: ignore[method-assign]
    visitor = TestApp(app, extra_environ={"HTTP_HOST": "localhost"})
    visitor.set_cookie("sessionid", "a" * 32)  # so reading request.user would query the sessions
    status = visitor.get("/crash/", status="*").status_int
    store = crashes.store(config)
    (group,) = store.groups()
    snapshot = store.load(group.samples[-1]) or {}
    frame = next(f for f in snapshot["exceptions"][0]["frames"] if f["function"] == "crash")
    shown = {name: value["r"] for name, value in frame["locals"].items() if name in ("talks", "user")}
    print(json.dumps({**seen, "status": status, "locals": shown, "count": group.count}))


if __name__ == "__main__":
    main()
