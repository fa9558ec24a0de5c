"""A notice made into the message people receive, from its template (Jinja2 files, zh and en).

Each message is one file per language, ``templates/<lang>/<name>.txt``, with three blocks:
``subject`` (e-mail), ``body`` (the e-mail's text: paragraphs separated by blank lines) and, for
complainants, ``sms`` (at most two segments of a text message). The e-mail's HTML is made from the
rendered body with one layout (``templates/layout.html``), so the two never say different things.
Templates get facts only (the notice's parameters as labels and dates, the number, the portal's
links): nothing anyone wrote reaches a message.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape
from msgspec import Struct

from ..domain.deadlines import default_policy
from ..domain.moments import format_local, format_short
from ..domain.notifications import Notice
from ..domain.tracking import format_code
from ..domain.vocabulary import Lang, categories, departments, label, rejection_reasons

__all__ = ["TEMPLATES_DIR", "Rendered", "render_notice", "sms_segments"]

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
_URL = re.compile(r"https?://[^\s<>\"']+")


class Rendered(Struct, frozen=True):
    """What is sent: an e-mail's subject, text and HTML, or a text message (``subject`` and
    ``html`` empty)."""

    subject: str
    text: str
    html: str


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment


def _labeller(lang: Lang) -> Any:
    def term(section: str, code: str) -> str:
        if section == "category":
            return categories()[code].label.in_(lang)
        if section == "department":
            return departments()[code].label.in_(lang)
        if section == "rejection_reason":
            return rejection_reasons()[code].label.in_(lang)
        return label(section, code).in_(lang)

    return term


def _context(notice: Notice, portal_url: str) -> dict[str, Any]:
    lang = notice.lang
    zone = default_policy().zone
    prefix = portal_url + ("" if lang == "zh" else "en/")
    number = format_code(notice.tracking_no) if len(notice.tracking_no) == 12 else notice.tracking_no

    def when(iso: str) -> str:
        return format_local(datetime.fromisoformat(iso), lang, zone) if iso else ""

    def short(iso: str) -> str:
        return format_short(datetime.fromisoformat(iso), lang, zone) if iso else ""

    return {
        "p": dict(notice.params),
        "number": number,
        "status_url": f"{prefix}status/?no={number}",
        "console_url": f"{prefix}staff/#case={notice.tracking_no}",
        "portal_url": prefix,
        "term": _labeller(lang),
        "when": when,
        "short": short,
        "from_json": json.loads,
        "access_code": format_code(notice.params["access_code"]) if "access_code" in notice.params else None,
    }


def _block(template_name: str, block: str, context: dict[str, Any]) -> str:
    template = _environment().get_template(template_name)
    render = template.blocks[block]
    return "".join(render(template.new_context(context))).strip()


def _paragraphs_html(body: str) -> Markup:
    """The text body as HTML paragraphs, the portal's own links made links (all else escaped)."""
    parts = []
    for paragraph in re.split(r"\n\s*\n", body):
        pieces, last = [], 0
        for match in _URL.finditer(paragraph):
            pieces.append(escape(paragraph[last : match.start()]))
            # Markup.format escapes what it is given.
            pieces.append(Markup('<a href="{0}">{0}</a>').format(match.group(0)))
            last = match.end()
        pieces.append(escape(paragraph[last:]))
        parts.append(
            Markup("<p>") + Markup("<br>").join(Markup("").join(pieces).split("\n")) + Markup("</p>")
        )
    return Markup("\n").join(parts)


def render_notice(notice: Notice, *, portal_url: str) -> Rendered:
    """The message ``notice`` says, in its language, for its channel."""
    name = f"{notice.lang}/{notice.template}.txt"
    context = _context(notice, portal_url)
    if notice.channel == "sms":
        return Rendered(subject="", text=_block(name, "sms", context), html="")
    subject = " ".join(_block(name, "subject", context).split())
    body = _block(name, "body", context)
    layout = _environment().get_template("layout.html")
    html = layout.render(subject=subject, lang=notice.lang, paragraphs=_paragraphs_html(body))
    return Rendered(subject=subject, text=body, html=html)


# The GSM 03.38 alphabet a text message without other characters is sent in (7 bits a character),
# and its extension, whose characters take two places.
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION = frozenset("^{}\\[~]|€")


def sms_segments(text: str) -> int:
    """How many segments a text message takes: in the GSM alphabet 160 places alone, 153 a part;
    with any other character (Chinese) UCS-2, 70 characters alone, 67 a part."""
    if all(ch in _GSM_BASIC or ch in _GSM_EXTENSION for ch in text):
        places = sum(2 if ch in _GSM_EXTENSION else 1 for ch in text)
        single, part = 160, 153
    else:
        places, single, part = len(text), 70, 67
    return 1 if places <= single else -(-places // part)
