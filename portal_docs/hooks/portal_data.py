"""MkDocs hook: the portal's build-time data.

Loads the data files the API also uses (``api/chalicelib/data/catalog.json``, ``glossary.json``,
``policy.json``) and the interface strings (``portal_docs/strings.yml``), then

* replaces placeholders in the Markdown pages, so that no time limit, category or contact detail
  is copied into a page by hand::

      {{ policy.decide }}            -> "2 个工作日" / "2 working days"
      {{ policy.decide.label }}      -> the time limit's label
      {{ policy.decide.note }}       -> its note
      {{ chasing.message_retention }} -> a duration of policy.json's ``chasing`` ("180 日")
      {{ policy_table }}             -> a Markdown table of every time limit and window
      {{ categories_list }}          -> a Markdown list of the complaint categories
      {{ rejection_reasons_list }}   -> a Markdown list of the reasons for not accepting
      {{ rejection_reasons_explained }} -> the same, each with why (strings.yml policy.rejection_why.*)
      {{ glossary.status.received }} -> "已接收" / "Received"
      {{ contacts.phone }}           -> a value of ``extra.contacts`` (localised when it has zh/en)

  An unknown placeholder fails the build;

* gives the page templates a ``portal`` object (language, API base, categories, glossary labels,
  strings) so that the submission form is rendered in the static HTML, and the staff console its
  sign-in configuration (``extra.staff_auth``);

* fails the build when a template (``t['key']``) or a page script (``t("key")``) uses an
  interface string that portal_docs/strings.yml does not have;

* gives the templates the filter ``without_language_alternates`` and, for 404.html (which has no
  page), ``portal_in(lang)`` (see ``on_env``);

* keeps each language's 404 page (``on_post_build``).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # mkdocs' own dependency, no stubs here
from jinja2 import Environment
from markupsafe import Markup
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.pages import Page

log = logging.getLogger("mkdocs.hooks.portal_data")

LANGUAGES = ("zh", "en")
# strings.yml keys that explain each reason for not accepting a complaint, by reason code.
REJECTION_WHY = "policy.rejection_why."
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")
# A literal string key in a page script: t("staff.queue.title") or t('...').
SCRIPT_STRING_KEY = re.compile(r"""\bt\(\s*["']([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)+)["']""")
# The head links Material writes for extra.alternate (an RSS alternate has a type and no hreflang).
LANGUAGE_ALTERNATE = re.compile(r'[ \t]*<link rel="alternate" href="[^"]*" hreflang="[^"]*">[ \t]*\n?')
# The scopes the staff console asks the Cognito hosted UI for.
STAFF_SCOPES = "openid email profile"


class Strings(dict[str, str]):
    """The interface strings of one language; a template asking for a missing one fails the build
    (Jinja would otherwise render an empty string)."""

    def __missing__(self, key: str) -> str:
        raise PluginError(f"portal_data: the interface string '{key}' is not in portal_docs/strings.yml")


@dataclass
class PortalData:
    catalog: dict[str, Any]
    glossary: dict[str, dict[str, dict[str, str]]]
    policy: dict[str, Any]
    strings: dict[str, dict[str, str]]
    contacts: dict[str, Any]
    api_base: str
    limits: dict[str, dict[str, Any]] = field(default_factory=dict)
    staff_auth: dict[str, str] = field(default_factory=dict)


_data: PortalData | None = None


# --------------------------------------------------------------------------- loading


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise PluginError(f"portal_data: cannot read {path}: {error}") from error


def _require_bilingual(where: str, value: Any) -> None:
    if not isinstance(value, dict) or any(not value.get(lang) for lang in LANGUAGES):
        raise PluginError(f"portal_data: {where} must have non-empty 'zh' and 'en' texts")


def _data_dir(config: MkDocsConfig, root: Path) -> Path:
    """Where catalog/glossary/policy.json are: ``extra.data_dir`` (env PORTAL_DATA_DIR), relative to
    mkdocs.yml; the API's own api/chalicelib/data by default."""
    configured = str(config.extra.get("data_dir") or "").strip()
    data_dir = (root / configured) if configured else (root / "api" / "chalicelib" / "data")
    if not data_dir.is_dir():
        raise PluginError(f"portal_data: the data directory {data_dir} does not exist")
    return data_dir


def _load(config: MkDocsConfig) -> PortalData:
    root = Path(config.config_file_path).resolve().parent
    data_dir = _data_dir(config, root)
    catalog = _read_json(data_dir / "catalog.json")
    glossary = _read_json(data_dir / "glossary.json")
    policy = _read_json(data_dir / "policy.json")
    try:
        strings = yaml.safe_load((root / "portal_docs" / "strings.yml").read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise PluginError(f"portal_data: cannot read portal_docs/strings.yml: {error}") from error

    for key, text in strings.items():
        _require_bilingual(f"strings.yml '{key}'", text)
        # An unquoted comma in a YAML flow mapping ({en: Sending, please wait}) cuts the text short
        # and adds a key: only zh and en, both text, are a string.
        if set(text) != set(LANGUAGES) or not all(isinstance(value, str) for value in text.values()):
            raise PluginError(
                f"portal_data: strings.yml '{key}' must have exactly 'zh' and 'en' texts "
                "(quote a text that holds a comma or a colon)"
            )
    for category in catalog["categories"]:
        _require_bilingual(f"catalog category '{category['code']}'", category["label"])
    for reason in catalog.get("rejection_reasons", []):
        _require_bilingual(f"catalog rejection reason '{reason['code']}'", reason["label"])
        if f"{REJECTION_WHY}{reason['code']}" not in strings:
            raise PluginError(
                f"portal_data: catalog rejection reason '{reason['code']}' has no explanation "
                f"'{REJECTION_WHY}{reason['code']}' in portal_docs/strings.yml"
            )
    for department in catalog["departments"]:
        _require_bilingual(f"catalog department '{department['code']}'", department["label"])
    for group, terms in glossary.items():
        for code, label in terms.items():
            _require_bilingual(f"glossary {group}.{code}", label)

    limits: dict[str, dict[str, Any]] = {}
    for section in ("time_limits", "windows"):
        for code, limit in policy.get(section, {}).items():
            if code in limits:
                raise PluginError(f"portal_data: policy code '{code}' appears twice")
            _require_bilingual(f"policy {code}.label", limit.get("label"))
            _require_bilingual(f"policy {code}.note", limit.get("note"))
            if not any(unit in limit for unit in ("hours", "working_days", "days")):
                raise PluginError(f"portal_data: policy '{code}' has no hours/working_days/days")
            limits[code] = limit

    contacts = dict(config.extra.get("contacts") or {})
    for required in ("phone", "phone_hours", "email", "address"):
        if not contacts.get(required):
            raise PluginError(f"portal_data: extra.contacts.{required} is missing in mkdocs.yml")

    api_base = str(config.extra.get("api_base") or "").strip().rstrip("/")
    if not api_base:
        raise PluginError("portal_data: extra.api_base is empty")

    _check_script_strings(root / "portal_docs" / "pages" / "assets" / "js", strings)
    staff_auth = _staff_auth(config.extra.get("staff_auth") or {})
    return PortalData(catalog, glossary, policy, strings, contacts, api_base, limits, staff_auth)


def _check_script_strings(scripts_dir: Path, strings: dict[str, Any]) -> None:
    """Every literal ``t("key")`` of the page scripts must name a string of strings.yml."""
    for script in sorted(scripts_dir.glob("*.js")):
        text = script.read_text(encoding="utf-8")
        missing = sorted({key for key in SCRIPT_STRING_KEY.findall(text) if key not in strings})
        if missing:
            raise PluginError(
                f"portal_data: {script.name} uses strings missing from portal_docs/strings.yml: "
                + ", ".join(missing)
            )


def _staff_auth(raw: dict[str, Any]) -> dict[str, str]:
    """The staff console's Cognito hosted UI (``extra.staff_auth``), or {} when not configured."""
    domain = str(raw.get("cognito_domain") or "").strip().rstrip("/")
    client_id = str(raw.get("client_id") or "").strip()
    if not domain and not client_id:
        return {}
    if not domain or not client_id:
        raise PluginError(
            "portal_data: extra.staff_auth needs both cognito_domain (STAFF_COGNITO_DOMAIN) and "
            "client_id (STAFF_COGNITO_CLIENT_ID), or neither"
        )
    if "://" not in domain:
        domain = "https://" + domain
    if not domain.startswith("https://"):
        raise PluginError(f"portal_data: extra.staff_auth.cognito_domain must be https, not {domain!r}")
    return {"cognitoDomain": domain, "clientId": client_id, "scopes": STAFF_SCOPES}


def _get() -> PortalData:
    if _data is None:  # pragma: no cover - on_config always runs first
        raise PluginError("portal_data: data not loaded")
    return _data


# --------------------------------------------------------------------------- formatting


def duration(limit: dict[str, Any], lang: str) -> str:
    """The length of a time limit in words: "2 个工作日" / "2 working days"."""
    if "hours" in limit:
        n = int(limit["hours"])
        return f"{n} 小时" if lang == "zh" else f"{n} hour{'s' if n != 1 else ''}"
    if "working_days" in limit:
        n = int(limit["working_days"])
        return f"{n} 个工作日" if lang == "zh" else f"{n} working day{'s' if n != 1 else ''}"
    n = int(limit["days"])
    return f"{n} 日" if lang == "zh" else f"{n} day{'s' if n != 1 else ''}"


def localise(value: Any, lang: str) -> Any:
    """A {"zh": .., "en": ..} dict becomes the text of ``lang``; anything else is returned as is."""
    if isinstance(value, dict) and lang in value:
        return value[lang]
    return value


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _policy_table(data: PortalData, lang: str) -> str:
    head = (
        ("| 事项 | 时限 | 说明 |", "| --- | --- | --- |")
        if lang == "zh"
        else ("| Step | Time limit | Notes |", "| --- | --- | --- |")
    )
    rows = [
        # A no-break space keeps "10 个工作日" / "10 working days" on one line in the narrow column.
        f"| {_md_cell(limit['label'][lang])} | {_md_cell(duration(limit, lang)).replace(' ', chr(0xA0))} "
        f"| {_md_cell(limit['note'][lang])} |"
        for limit in data.limits.values()
    ]
    return "\n".join((*head, *rows))


def _categories_list(data: PortalData, lang: str) -> str:
    departments = {d["code"]: d["label"][lang] for d in data.catalog["departments"]}
    lines = []
    for category in data.catalog["categories"]:
        department = departments.get(category["department"], "")
        lines.append(
            f"- **{category['label'][lang]}**：{department}"
            if lang == "zh"
            else f"- **{category['label'][lang]}**: {department}"
        )
    return "\n".join(lines)


def _rejection_reasons_explained(data: PortalData, lang: str) -> str:
    """Each reason for not accepting (catalog.json) with why (strings.yml), as a Markdown list."""
    colon = "：" if lang == "zh" else ": "
    return "\n".join(
        f"- **{r['label'][lang]}**{colon}{data.strings[REJECTION_WHY + r['code']][lang]}"
        for r in data.catalog["rejection_reasons"]
    )


def resolve(key: str, lang: str) -> str:
    data = _get()
    parts = key.split(".")
    head = parts[0]
    try:
        if key == "policy_table":
            return _policy_table(data, lang)
        if key == "categories_list":
            return _categories_list(data, lang)
        if key == "rejection_reasons_list":
            return "\n".join(f"- {r['label'][lang]}" for r in data.catalog["rejection_reasons"])
        if key == "rejection_reasons_explained":
            return _rejection_reasons_explained(data, lang)
        if head == "policy" and len(parts) == 2:
            return duration(data.limits[parts[1]], lang)
        if head == "policy" and len(parts) == 3 and parts[2] in ("label", "note"):
            return str(data.limits[parts[1]][parts[2]][lang])
        if head == "chasing" and len(parts) == 2:
            value = data.policy["chasing"][parts[1]]
            if not isinstance(value, dict):
                raise KeyError(key)
            return duration(value, lang)
        if head == "glossary" and len(parts) == 3:
            return str(data.glossary[parts[1]][parts[2]][lang])
        if head == "contacts" and len(parts) == 2:
            value = localise(data.contacts[parts[1]], lang)
            if not isinstance(value, (str, int)):
                raise KeyError(key)
            return str(value)
        if head == "strings" and len(parts) >= 2:
            return data.strings[".".join(parts[1:])][lang]
    except KeyError:
        pass
    raise KeyError(key)


def page_language(page: Page, config: MkDocsConfig) -> str:
    lang = getattr(page.file, "locale", None) or config.theme.get("language") or "zh"
    return lang if lang in LANGUAGES else "zh"


# --------------------------------------------------------------------------- hook events


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    global _data
    _data = _load(config)
    return config


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Any) -> str:
    lang = page_language(page, config)

    def replace(match: re.Match[str]) -> str:
        try:
            return resolve(match.group(1), lang)
        except KeyError:
            raise PluginError(
                f"portal_data: unknown placeholder '{{{{ {match.group(1)} }}}}' in {page.file.src_uri}"
            ) from None

    return PLACEHOLDER.sub(replace, markdown)


# The staff console's pages: the console and its Reports page.
STAFF_TEMPLATES = frozenset({"staff.html", "staff-reports.html"})
STAFF_STRINGS = "staff."


def _template_view(lang: str, *, staff_console: bool = False) -> dict[str, Any]:
    data = _get()
    departments = {d["code"]: d["label"][lang] for d in data.catalog["departments"]}
    categories = [
        {
            "code": c["code"],
            "label": c["label"][lang],
            "department": departments.get(c["department"], ""),
            "confidential": bool(c.get("confidential")),
            "claim": bool(c.get("claim")),
        }
        for c in data.catalog["categories"]
    ]
    glossary = {
        group: {code: label[lang] for code, label in terms.items()} for group, terms in data.glossary.items()
    }
    t = Strings({key: text[lang] for key, text in data.strings.items()})
    contacts = {key: localise(value, lang) for key, value in data.contacts.items()}
    # What the scripts need, embedded in the page as JSON (no second request, works offline).
    script_data = {
        "lang": lang,
        "apiBase": data.api_base,
        "timezone": data.policy.get("timezone", "Asia/Shanghai"),
        # The same zone as a fixed offset: a datetime-local field's value is read in it.
        "utcOffsetHours": data.policy.get("utc_offset_hours", 8),
        "contacts": {"phone": contacts.get("phone", ""), "hours": contacts.get("phone_hours", "")},
        # The console's strings only travel with the console.
        "t": t if staff_console else {k: v for k, v in t.items() if not k.startswith(STAFF_STRINGS)},
    }
    # The staff console's own data: how staff sign in, and the glossary labels its script shows.
    staff_data = {
        "auth": data.staff_auth,
        "fields": glossary.get("field", {}),
        "languages": glossary.get("language", {}),
    }
    return {
        "lang": lang,
        "api_base": data.api_base,
        "categories": categories,
        "claim_categories": [c for c in categories if c["claim"]],
        "confidential_categories": [c for c in categories if c["confidential"]],
        "glossary": glossary,
        "t": t,
        "contacts": contacts,
        "script_json": _script_json(script_data),
        "staff_json": _script_json(staff_data) if staff_console else "{}",
    }


def _script_json(value: Any) -> str:
    # "</" must not appear inside a <script> element.
    return json.dumps(value, ensure_ascii=False).replace("</", "<\\/")


def on_page_context(context: dict[str, Any], page: Page, config: MkDocsConfig, nav: Any) -> dict[str, Any]:
    staff_console = page.meta.get("template") in STAFF_TEMPLATES
    context["portal"] = _template_view(page_language(page, config), staff_console=staff_console)
    return context


def without_language_alternates(head: str) -> Markup:
    """Material's head meta without its ``<link rel="alternate" hreflang>`` links.

    Material's script fetches ``sitemap.xml`` next to each of those links on every page load;
    mkdocs-static-i18n points them at the page's own translations, where there is no sitemap.
    portal_docs/overrides/main.html applies this to Material's ``site_meta`` block.
    """
    return Markup(LANGUAGE_ALTERNATE.sub("", str(head)))  # noqa: S704 - Material's own markup, shortened


def on_env(env: Environment, config: MkDocsConfig, files: Any) -> Environment:
    env.filters["without_language_alternates"] = without_language_alternates
    # For templates without a page (404.html): the ``portal`` object of a language.
    env.globals["portal_in"] = lambda lang: _template_view(lang if lang in LANGUAGES else _DEFAULT_LANGUAGE)
    return env


# The i18n plugin builds each language into the same site directory, one build after the other, and
# each build writes its 404.html at the root: the last language's (English) replaced the default's.
# The default language's page is kept at the root, and every other language's under its prefix
# (en/404.html), where the local static server and the CloudFront function answer it from.
_DEFAULT_LANGUAGE = LANGUAGES[0]
_root_not_found: dict[str, bytes] = {}


def on_post_build(config: MkDocsConfig) -> None:
    site = Path(config.site_dir)
    page = site / "404.html"
    if not page.is_file():
        return
    lang = config.theme.get("language") or _DEFAULT_LANGUAGE
    if lang == _DEFAULT_LANGUAGE:
        _root_not_found[str(site)] = page.read_bytes()
        return
    (site / lang).mkdir(exist_ok=True)
    (site / lang / "404.html").write_bytes(page.read_bytes())
    if str(site) in _root_not_found:
        page.write_bytes(_root_not_found[str(site)])
