"""Jinja2's template errors as Django's, naming the template and the line."""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest
from django.template import TemplateDoesNotExist, TemplateSyntaxError, engines
from django.template.loader import get_template

from tests.apps.jinja_templates.conftest import engine

pytestmark = pytest.mark.usefixtures("django_ready")


def test_a_missing_template_is_djangos_template_does_not_exist() -> None:
    with pytest.raises(TemplateDoesNotExist, match=r"jinja_templates/nope\.html") as raised:
        get_template("jinja_templates/nope.html", using="jinja2")
    assert [tried.backend for tried in raised.value.chain] == [engines["jinja2"]]


@pytest.mark.parametrize("tag", ["include", "extends"])
def test_a_missing_include_or_parent_names_the_template_and_line_that_asked_for_it(
    tmp_path: Path, tag: str
) -> None:
    (tmp_path / "page.html").write_text(f"<h1>Page</h1>\n\n{{% {tag} 'gone.html' %}}\n")
    template = engine([tmp_path]).get_template("page.html")
    with pytest.raises(
        TemplateDoesNotExist, match=r"gone\.html \(asked for by page\.html, line 3\)"
    ) as raised:
        template.render({})
    assert isinstance(raised.value.__cause__, jinja2.TemplateNotFound)


def test_syntax_errors_are_djangos_naming_the_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "broken.html").write_text(
        "<p>one</p>\n<p>two</p>\n{% for talk in talks %}\n<p>{{ talk }</p>\n"
    )
    (tmp_path / "child.html").write_text("{% extends 'broken.html' %}\n")
    jinja = engine([tmp_path])
    with pytest.raises(TemplateSyntaxError) as raised:
        jinja.get_template("broken.html")
    assert str(raised.value) == "unexpected '}' (broken.html, line 4)"
    with pytest.raises(TemplateSyntaxError, match=r"^unexpected '}' \(<string>, line 1\)$"):
        jinja.from_string("{{ talk }")
    assert raised.value.template_debug["name"] == str(tmp_path / "broken.html")
    assert raised.value.template_debug["line"] == 4
    assert raised.value.template_debug["during"] == "<p>{{ talk }</p>"
    with pytest.raises(TemplateSyntaxError, match=r"\(broken\.html, line 4\)") as raised:
        jinja.get_template("child.html").render({})
    assert (raised.value.template_debug["name"], raised.value.template_debug["line"]) == (
        str(tmp_path / "broken.html"),
        4,
    )
