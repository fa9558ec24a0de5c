"""The API's HTML pages (api/chalicelib/web/pages.py) and the portal say the same things.

The API is deployed without the portal's files, so what both show is written in both places and
held equal here: the portal's strings the pages use (portal_docs/strings.yml), the site's name and
the status page's heading, the complaint form's field order (the no-JS error list follows it), the
status form's address; and every field of the form is labelled with the glossary label the API's
error messages name it by, in both languages.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]  # mkdocs' own dependency, no stubs here

from chalicelib.domain.messages import field_message, render
from chalicelib.domain.vocabulary import LANGUAGES, Lang, terms
from chalicelib.web.pages import COMPLAINT_FORM_FIELDS, PAGE_TEXT, PORTAL_STRINGS
from chalicelib.web.routing import STATUS_PAGE
from scripts.lib.paths import REPO_ROOT
from tests.unit.test_portal_build import build

API_BASE = "https://api.example.cn/api"
STRINGS: dict[str, dict[str, str]] = yaml.safe_load(
    (REPO_ROOT / "portal_docs" / "strings.yml").read_text(encoding="utf-8")
)
# Fields named by a legend rather than a label: a radio group, and consent (a checkbox whose label
# is the sentence agreed to, under the section's legend).
LEGENDS = {
    "complainant_type": r'data-field="complainant_type".*?<legend[^>]*>(.*?)</legend>',
    "consent": r'id="section-consent".*?<legend[^>]*>(.*?)</legend>',
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = tmp_path_factory.mktemp("site")
    result = build(built, PORTAL_API_BASE=API_BASE)
    assert result.returncode == 0, result.stderr
    return built


def built_page(site: Path, lang: Lang, path: str) -> str:
    return (site / ("" if lang == "zh" else "en/") / path / "index.html").read_text(encoding="utf-8")


def complaint_form(site: Path, lang: Lang) -> str:
    page = built_page(site, lang, "submit/")
    return page[page.index('<form id="complaint-form"') : page.index("</form>")]


def visible_text(fragment: str) -> str:
    without_optional = re.sub(r'<span class="pf-optional">.*?</span>', "", fragment, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", without_optional))).strip()


def field_label(form: str, name: str) -> str:
    pattern = LEGENDS.get(name, rf'<label[^>]*for="cf-{name}"[^>]*>(.*?)</label>')
    found = re.search(pattern, form, re.S)
    assert found, name
    return visible_text(found.group(1))


def test_the_pages_use_the_portals_strings_word_for_word() -> None:
    for key, (zh, en) in PORTAL_STRINGS.items():
        assert key in STRINGS, key
        assert STRINGS[key] == {"zh": zh, "en": en}, key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_pages_use_the_portals_name_and_the_status_pages_heading(site: Path, lang: Lang) -> None:
    index = built_page(site, lang, "")
    topic = re.search(r'<div class="md-header__topic">\s*<span class="md-ellipsis">\s*(.*?)\s*</span>', index)
    assert topic, "the portal's header"
    assert html.unescape(topic.group(1)) == PAGE_TEXT["site_name"][LANGUAGES.index(lang)]
    status = built_page(site, lang, "status/")
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", status, re.S)
    assert heading
    assert visible_text(heading.group(1)) == PAGE_TEXT["status_heading"][LANGUAGES.index(lang)]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_no_js_error_list_follows_the_order_of_the_form(site: Path, lang: Lang) -> None:
    order = re.findall(r'data-field="(\w+)"', complaint_form(site, lang))
    assert tuple(order) == COMPLAINT_FORM_FIELDS


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_form_field_is_labelled_as_the_api_names_it_in_its_error_messages(
    site: Path, lang: Lang
) -> None:
    form = complaint_form(site, lang)
    names = terms("field")
    for name in COMPLAINT_FORM_FIELDS:
        label = field_label(form, name)
        # the form's label is the glossary's...
        assert label == names[name].in_(lang), (lang, name)
        # ...which is what a message about the field says ("请填写详细情况。" under "详细情况")
        for key, params in (("required", {}), ("too_long", {"max": 10}), ("invalid_value", {})):
            assert label in render(field_message(key, name, **params), lang), (lang, name, key)


def test_the_status_forms_address_is_the_apis_status_page(site: Path) -> None:
    for lang in LANGUAGES:
        status = built_page(site, lang, "status/")
        form = re.search(r'<form id="status-form"[^>]*>', status, re.S)
        assert form
        assert f'action="{API_BASE}/{STATUS_PAGE}"' in form.group(0)
        assert f'<input type="hidden" name="lang" value="{lang}">' in status


def test_portal_strings_that_tell_people_to_print_name_no_keyboard_shortcut() -> None:
    texts: list[Any] = [*STRINGS.values(), *PORTAL_STRINGS.values(), *PAGE_TEXT.values()]
    for text in texts:
        values = text.values() if isinstance(text, dict) else text
        assert not any("Ctrl" in value for value in values), text
