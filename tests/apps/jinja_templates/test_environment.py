"""The Jinja2 environment factory: Django's helpers, translations, undefined variables, caching."""

from __future__ import annotations

import datetime as dt
import gettext
from pathlib import Path
from typing import Any

import jinja2
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from django.template import engines
from django.test import RequestFactory, override_settings
from django.urls import set_script_prefix, set_urlconf
from django.utils import timezone, translation

import apps.jinja_templates
from apps.conference import TIME_ZONE, load_talks
from apps.jinja_templates.forms import ScheduleFilter, renderer_for
from apps.jinja_templates.views import SCHEDULE, TALK, schedule_context
from tests.apps.jinja_templates.conftest import engine

pytestmark = pytest.mark.usefixtures("django_ready")

APP_DIR = Path(apps.jinja_templates.__file__).parent
CATALOG = APP_DIR / "locale" / "de" / "LC_MESSAGES"
UTC = dt.UTC


@pytest.fixture
def demo_urls():
    set_urlconf("apps.jinja_templates.urls")
    set_script_prefix("/jinja/")
    yield
    set_urlconf(None)
    set_script_prefix("/")


def render(source: str, **context: Any) -> str:
    return engines["jinja2"].from_string(source).render(context)


def test_url_takes_positional_or_keyword_arguments_and_includes_the_script_prefix(demo_urls) -> None:
    assert (
        render("{{ url('talk', 7) }} {{ url('talk', talk_id=8) }} {{ url('schedule_dtl') }}")
        == "/jinja/talks/7/ /jinja/talks/8/ /jinja/dtl/"
    )
    assert render("{{ static('swapdemo.css') }}") == "/static/swapdemo.css"


def test_date_and_time_follow_the_active_language_and_the_time_zone() -> None:
    moment = dt.datetime(2009, 9, 8, 16, 30, tzinfo=UTC)  # 09:30 in Los Angeles (PDT)
    source = (
        "{{ moment|date }} | {{ moment|time }} | {{ moment|date('D H:i e') }} | {{ day|date('l') }}"
        " | {{ none|date }}"
    )
    assert render(source, moment=moment, day=moment.date(), none=None).startswith("Sept. 8, 2009 | 4:30 p.m.")
    with timezone.override(TIME_ZONE):
        assert (
            render(source, moment=moment, day=moment.date(), none=None)
            == "Sept. 8, 2009 | 9:30 a.m. | Tue 09:30 PDT | Tuesday | "
        )
        with translation.override("de"):
            assert (
                render(source, moment=moment, day=moment.date(), none=None)
                == "8. September 2009 | 09:30 | Di 09:30 PDT | Dienstag | "
            )


def test_pluralize_and_naturaltime() -> None:
    now = dt.datetime(2009, 9, 9, 12, 0, tzinfo=UTC)
    source = (
        "{{ n }} talk{{ n|pluralize }}, {{ n }} box{{ n|pluralize('es') }}: "
        "{{ (now - delta)|naturaltime(now) }} / {{ (now + delta)|naturaltime(now) }}"
    )
    got = render(source, n=1, now=now, delta=dt.timedelta(hours=3))
    assert got == "1 talk, 1 box: 3\xa0hours ago / in 3\xa0hours"
    assert (
        render(source, n=2, now=now, delta=dt.timedelta(days=2))
        == "2 talks, 2 boxes: 2\xa0days ago / in 2\xa0days"
    )
    assert render("{{ now|naturaltime(now) }}", now=now) == "now"
    with translation.override("de"):
        assert (
            render("{{ (now - delta)|naturaltime(now) }}", now=now, delta=dt.timedelta(hours=3))
            == "3\xa0Stunden her"
        )
    assert render(
        "{{ (now - delta)|naturaltime }}", now=dt.datetime.now(UTC), delta=dt.timedelta(days=1)
    ).startswith("1\xa0day")


def test_gettext_ngettext_and_trans_blocks_use_djangos_catalogs_and_escape_their_variables() -> None:
    source = (
        "{{ _('Conference schedule') }} | {{ gettext('Filter') }}"
        " | {{ ngettext('%(count)s talk', '%(count)s talks', n, count=n) }}"
        " | {% trans count=n %}{{ count }} talk{% pluralize %}{{ count }} talks{% endtrans %}"
        " | {{ _('No talk matches this filter.') }} {{ _('%(delta)s ago', delta=evil) }}"
    )
    assert (
        render(source, n=1, evil="<i>")
        == "Conference schedule | Filter | 1 talk | 1 talk | No talk matches this filter. &lt;i&gt; ago"
    )
    with translation.override("de"):
        assert (
            render(source, n=2, evil="<i>") == "Konferenzprogramm | Filtern | 2 Vorträge | 2 Vorträge | "
            "Kein Vortrag passt zu diesem Filter. &lt;i&gt; her"
        )
        assert render("{{ get_language() }}") == "de"
        assert render("{{ _('January') }}") == "Januar"  # Django's own German catalogue answers too


FILTERS = [
    "{{ missing|date }}",
    "{{ missing|time('H:i') }}",
    "{{ missing|naturaltime }}",
    "{{ missing|pluralize }}",
]
FILTERED = "[" + "|".join([*FILTERS, "{{ missing.at|date }}"]) + "]"


def test_undefined_variables_render_empty_without_debug() -> None:
    with override_settings(DEBUG=False):
        lenient = engine()
    assert (
        lenient.from_string("[{{ missing }}|{{ missing.attribute }}|{% if missing %}yes{% endif %}]").render(
            {}
        )
        == "[||]"
    )
    assert lenient.from_string(FILTERED).render({}) == "[||||]"
    assert (
        lenient.from_string("[{{ none|date }}|{{ none|naturaltime }}|{{ 'soon'|naturaltime }}]").render(
            {"none": None}
        )
        == "[||soon]"
    )


@pytest.mark.parametrize("source", ["{{ missing }}", *FILTERS])
def test_undefined_variables_raise_when_debugging_through_the_filters_too(source: str) -> None:
    with override_settings(DEBUG=True):
        strict = engine()
    with pytest.raises(jinja2.UndefinedError, match="'missing' is undefined"):
        strict.from_string(source).render({})


def test_undefined_variables_raise_when_debugging_and_the_real_pages_have_none(rf_request, demo_urls) -> None:
    with override_settings(DEBUG=True):
        strict = engine()
        with pytest.raises(jinja2.UndefinedError, match="'missing' is undefined"):
            strict.from_string("[{{ missing }}]").render({})
        form = ScheduleFilter(load_talks(), None, renderer=renderer_for("jinja2"))
        page = strict.get_template(SCHEDULE).render(schedule_context(form, load_talks()), rf_request)
        talks = load_talks()
        context = {
            "talk": talks[0],
            "starts_at": dt.datetime(2009, 9, 8, 16, 0, tzinfo=UTC),
            "previous": None,
            "next": talks[1],
        }
        talk = strict.get_template(TALK).render(context, rf_request)
    assert page.count('<td class="title">') == len(load_talks())
    assert f"<title>{talks[0].title} · Conference schedule · swapdemo</title>" in talk


@pytest.fixture
def rf_request():
    return RequestFactory().get("/jinja/")


def test_each_template_is_compiled_once_per_process(rf_request, demo_urls, monkeypatch) -> None:
    jinja = engine()
    compiled: list[str] = []
    compile_template = jinja.env.compile

    def counting(source: str, name: str | None = None, *args: Any, **kwargs: Any) -> Any:
        compiled.append(str(name))
        return compile_template(source, name, *args, **kwargs)

    monkeypatch.setattr(jinja.env, "compile", counting)
    form = ScheduleFilter(load_talks(), None, renderer=renderer_for("jinja2"))
    for _ in range(3):
        jinja.get_template(SCHEDULE).render(schedule_context(form, load_talks()), rf_request)
    assert sorted(compiled) == [
        "jinja_templates/base.html",
        "jinja_templates/macros.html",
        "jinja_templates/schedule.html",
        "site/base.html",
    ]
    assert engines["jinja2"].env.get_template(SCHEDULE) is engines["jinja2"].env.get_template(SCHEDULE)


def _extracted() -> dict[str | tuple[str, ...], list[str]]:
    with (APP_DIR / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str | tuple[str, ...], list[str]] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(APP_DIR), method_map, options_map
    ):
        found.setdefault(message, []).append(filename)
    return found


def test_babel_config_extracts_the_jinja2_and_python_strings() -> None:
    found = _extracted()
    assert "jinja2/jinja_templates/base.html" in found["Conference schedule"]
    assert found[("%(count)s talk", "%(count)s talks")] == ["jinja2/jinja_templates/schedule.html"]
    assert found["Back to the schedule"] == ["jinja2/jinja_templates/talk.html"]
    assert found["Track"] == ["forms.py"] and found[
        ("%(count)d talk matches.", "%(count)d talks match.")
    ] == ["views.py"]
    assert found["%(delta)s ago"] == ["environment.py"]


def test_german_catalogue_translates_every_extracted_string_and_the_mo_matches_the_po() -> None:
    with (CATALOG / "django.po").open("rb") as po:
        catalog = read_po(po)
    with (CATALOG / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    for msgid in _extracted():
        message = catalog.get(msgid)
        assert message is not None and all(message.string), f"{msgid!r} is not translated in django.po"
        if isinstance(msgid, tuple):
            assert [compiled.ngettext(*msgid, n) for n in (1, 2)] == list(message.string), msgid
        else:
            assert compiled.gettext(msgid) == message.string, (
                f"django.mo is stale for {msgid!r}: run pybabel compile"
            )
