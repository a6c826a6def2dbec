"""Jinja2 against the Django template language, on the demo's full schedule (120 talks).

Run them with ``python -m swapdemo.bench --only jinja``.  Five comparisons:

- the schedule template rendered by each engine, same context, same request;
- the engines alone: the schedule's rows without any Django call, one
  template source that both engines compile (:data:`ROWS`);
- the whole ``GET /jinja/`` against ``GET /jinja/dtl/`` through the stack;
- the first render of a fresh engine, template compilation included;
- Jinja2's template cache: the process engine (each template compiled once,
  counted in the target line) against an engine that recompiles on every
  render, with DTL alongside.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.template import defaultfilters, engines
from django.template.backends.django import DjangoTemplates
from django.template.backends.jinja2 import Jinja2
from django.test import RequestFactory
from django.urls import reverse, set_script_prefix, set_urlconf

from apps.conference import load_talks
from apps.jinja_templates.forms import ScheduleFilter, renderer_for
from apps.jinja_templates.views import SCHEDULE, schedule_context
from swapdemo.benches import Comparison, Variant, call, per_call
from swapdemo.kernel.config import from_environment
from swapdemo.stack import make_app

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest


# Only tags and variables both languages spell alike, and no filter, tag or helper that calls Django.
ROWS = """<table>{% for talk in talks %}
<tr class="level-{{ talk.level }}"><td class="room">{{ talk.room }}</td>
<td class="title"><a href="/jinja/talks/{{ talk.id }}/">{{ talk.title }}</a></td>
<td class="speaker">{{ talk.speaker }}</td><td class="level">{{ talk.level }}</td></tr>
{% endfor %}</table>"""


def _params(name: str) -> dict[str, Any]:
    """A copy of the settings' TEMPLATES entry for engine ``name``, for a fresh engine."""
    backend = {"jinja2": "jinja2.Jinja2", "django": "django.DjangoTemplates"}[name]
    entry = next(e for e in settings.TEMPLATES if str(e["BACKEND"]).endswith(backend))
    params = {**copy.deepcopy(entry), "NAME": f"bench-{name}"}
    del params["BACKEND"]
    return params


def _render_schedule(template: Callable[[], Any], using: str, request: HttpRequest) -> Callable[[], str]:
    form = ScheduleFilter(load_talks(), None, renderer=renderer_for(using))
    context = schedule_context(form, load_talks())
    # Django's Jinja2 backend writes request and csrf_input into the dict it is given: copy it.
    return lambda: template().render(dict(context), request)


def _django_calls_per_row() -> Callable[[], None]:
    """What both templates ask of Django for each talk: two ``time`` formats and one ``reverse()``."""
    talks = load_talks()

    def calls() -> None:
        for talk in talks:
            defaultfilters.time(talk.start), defaultfilters.time(talk.end), reverse("talk", args=(talk.id,))

    return calls


def _in_demo_urlconf() -> None:
    set_urlconf("apps.jinja_templates.urls")
    set_script_prefix("/jinja/")


def _leave_demo_urlconf() -> None:
    set_urlconf(None)
    set_script_prefix("/")


def comparisons(quick: bool) -> list[Comparison]:
    stack = make_app(from_environment(), names=("jinja",))  # also sets Django up
    request = RequestFactory().get("/jinja/")
    number = 10 if quick else 40

    def process(using: str) -> Callable[[], str]:
        return _render_schedule(lambda: engines[using].get_template(SCHEDULE), using, request)

    def fresh(using: str) -> Callable[[], str]:
        def first_render() -> Any:
            return (Jinja2 if using == "jinja2" else DjangoTemplates)(_params(using)).get_template(SCHEDULE)

        return _render_schedule(first_render, using, request)

    uncached = _params("jinja2")
    uncached["OPTIONS"]["cache_size"] = 0  # Jinja2 keeps no compiled template: every get_template() compiles
    recompiling = Jinja2(uncached)

    cache = Comparison(
        "jinja: template cache, Jinja2 compiling once vs on every render",
        [
            Variant("Jinja2, process engine (cached)", per_call(process("jinja2"), number)),
            Variant(
                "Jinja2 recompiling every render (cache_size=0)",
                per_call(
                    _render_schedule(lambda: recompiling.get_template(SCHEDULE), "jinja2", request),
                    max(number // 4, 3),
                ),
            ),
            Variant("DTL, process engine (cached loader)", per_call(process("django"), number)),
        ],
        setup=_in_demo_urlconf,
        teardown=_leave_demo_urlconf,
    )

    def count_compiles() -> None:
        _in_demo_urlconf()
        engine = Jinja2(_params("jinja2"))
        compiled: list[str] = []
        compile_template = engine.env.compile

        def counting(source: str, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
            compiled.append(str(name))
            return compile_template(source, name, *args, **kwargs)

        engine.env.compile = counting  # type: ignore[method-assign, assignment]  # count the compiles
        render = _render_schedule(lambda: engine.get_template(SCHEDULE), "jinja2", request)
        renders = 50
        for _ in range(renders):
            render()
        names = ", ".join(sorted(set(compiled)))
        once = (
            "once each"
            if len(compiled) == len(set(compiled))
            else f"{len(compiled)} times in all, NOT once each"
        )
        cache.target = (
            f"recompiling makes Jinja2 slower than DTL; {renders} renders on one engine "
            f"compiled {names} {once}"
        )

    cache.setup = count_compiles
    talks = {"talks": load_talks()}
    rows = {using: engines[using].from_string(ROWS) for using in ("django", "jinja2")}
    return [
        Comparison(
            "jinja: full schedule render (120 talks), DTL vs Jinja2",
            [
                Variant("DTL (django.template, cached loader)", per_call(process("django"), number)),
                Variant("Jinja2 (Django's Jinja2 backend)", per_call(process("jinja2"), number)),
                Variant(
                    "only the per-row Django calls (2x time, reverse)",
                    per_call(_django_calls_per_row(), number),
                ),
            ],
            target=(
                "Jinja2 at least 4x faster than DTL (x0.25 or less); "
                "an engine that makes the per-row Django calls cannot go below the last row's ratio"
            ),
            setup=_in_demo_urlconf,
            teardown=_leave_demo_urlconf,
        ),
        Comparison(
            "jinja: the engines alone, the schedule's 120 rows, no Django call (one source, both engines)",
            [
                Variant("DTL", per_call(lambda: rows["django"].render(talks), number)),
                Variant("Jinja2", per_call(lambda: rows["jinja2"].render(talks), number)),
            ],
        ),
        Comparison(
            "jinja: GET /jinja/dtl/ vs GET /jinja/ through the stack (view, middleware, render)",
            [
                Variant("GET /jinja/dtl/ (DTL)", per_call(lambda: call(stack, "/jinja/dtl/"), number)),
                Variant("GET /jinja/ (Jinja2)", per_call(lambda: call(stack, "/jinja/"), number)),
            ],
        ),
        Comparison(
            "jinja: first render of a fresh engine (template compile included)",
            [
                Variant("DTL, fresh engine", per_call(fresh("django"), max(number // 4, 3))),
                Variant("Jinja2, fresh engine", per_call(fresh("jinja2"), max(number // 4, 3))),
            ],
            setup=_in_demo_urlconf,
            teardown=_leave_demo_urlconf,
        ),
        cache,
    ]
