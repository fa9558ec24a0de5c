"""Plain HTML pages answering a form post, so that filing works without JavaScript.

Self-contained (inline style, no scripts, nothing remote) and escaped throughout."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from ..domain.deadlines import default_policy
from ..domain.vocabulary import Lang, label, terms
from ..services.submissions import Receipt
from ..settings import get_settings
from .views import format_local, receipt_view

__all__ = ["confirmation_page", "error_page"]

_STYLE = """
body{font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",system-ui,sans-serif;margin:0;
color:#0b0c0c;background:#fff;line-height:1.6}
main{max-width:44rem;margin:0 auto;padding:2rem 1rem}
h1{font-size:1.8rem;margin:0 0 1rem}
.panel{background:#00703c;color:#fff;padding:1.5rem;margin:0 0 1.5rem;text-align:center}
.panel h1{color:#fff}
.code{font-size:2rem;font-weight:700;letter-spacing:.1em;font-family:ui-monospace,monospace}
.summary{border:4px solid #d4351c;padding:1rem 1.5rem;margin:0 0 1.5rem}
.summary h2{margin-top:0}
.summary a{color:#d4351c;font-weight:700}
.warning{border-left:6px solid #f47738;padding:.5rem 1rem;background:#fef7f1;font-weight:700}
a{color:#1d70b8}
dt{font-weight:700}
dd{margin:0 0 .75rem}
"""

_TEXT: dict[str, tuple[str, str]] = {
    "title_ok": ("投诉已提交", "Complaint filed"),
    "your_number": ("您的投诉编号", "Your tracking number"),
    "access_code": ("查询码", "Access code"),
    "access_code_once": (
        "查询码只显示这一次，我们不会保存它的明文，也无法找回。请立即抄写、截图或打印本页（Ctrl+P）。",
        "The access code is shown only this once: we do not keep it and cannot recover it. "
        "Write it down, take a screenshot or print this page (Ctrl+P) now.",
    ),
    "status": ("当前状态", "Status"),
    "reply_by": ("受理决定时限", "Decision on acceptance by"),
    "provisional": (
        "（该年度法定节假日尚未公布，时限按周一至周五暂计）",
        " (provisional: that year's official holidays are not yet published, Monday to Friday counted)",
    ),
    "next": ("接下来会发生什么", "What happens next"),
    "check_status": ("查询投诉进度", "Check the progress of your complaint"),
    "home": ("返回投诉平台首页", "Back to the complaint portal"),
    "title_error": ("投诉未能提交", "Your complaint was not filed"),
    "problem": ("请修改以下问题", "There is a problem"),
    "go_back": (
        "请使用浏览器的“后退”按钮返回表单修改，已填写的内容会保留。",
        "Use your browser's Back button to return to the form and correct it: your answers are kept.",
    ),
    "form": ("重新打开投诉表单", "Open the complaint form again"),
}


def _t(key: str, lang: Lang) -> str:
    zh, en = _TEXT[key]
    return escape(zh if lang == "zh" else en)


def _portal_link(path: str, lang: Lang) -> str:
    base = get_settings().portal_url
    return escape(base + ("" if lang == "zh" else "en/") + path, quote=True)


def _page(title: str, body: str, lang: Lang) -> str:
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html><html lang="{html_lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_STYLE}</style></head>"
        f"<body><main>{body}</main></body></html>"
    )


def confirmation_page(receipt: Receipt, lang: Lang) -> str:
    view = receipt_view(receipt, default_policy())
    case = receipt.case
    decide = case.deadline("decide")
    due = format_local(decide.due_at, lang, default_policy()) if decide else ""
    provisional = _t("provisional", lang) if decide and decide.provisional else ""
    status = escape(label("status", case.status.value).in_(lang))
    status_link = _portal_link("status/", lang) + "?no=" + escape(view["tracking_no"], quote=True)
    body = (
        f'<div class="panel"><h1>{_t("title_ok", lang)}</h1>'
        f'<p>{_t("your_number", lang)}</p><p class="code">{escape(view["tracking_no"])}</p></div>'
        f"<dl><dt>{_t('access_code', lang)}</dt>"
        f'<dd class="code">{escape(view["access_code"])}</dd>'
        f"<dt>{_t('status', lang)}</dt><dd>{status}</dd>"
        f"<dt>{_t('reply_by', lang)}</dt><dd>{escape(due)}{provisional}</dd></dl>"
        f'<p class="warning">{_t("access_code_once", lang)}</p>'
        f"<h2>{_t('next', lang)}</h2><p>{escape(view['next_steps'][lang])}</p>"
        f'<p><a href="{status_link}">{_t("check_status", lang)}</a></p>'
        f'<p><a href="{_portal_link("", lang)}">{_t("home", lang)}</a></p>'
    )
    return _page(_t("title_ok", lang), body, lang)


def error_page(message: str, fields: Mapping[str, str], lang: Lang) -> str:
    names = terms("field")
    items = "".join(
        f"<li><strong>{escape(names[f].in_(lang) if f in names else f)}</strong>: {escape(text)}</li>"
        for f, text in fields.items()
    )
    body = (
        f"<h1>{_t('title_error', lang)}</h1>"
        f'<div class="summary" role="alert"><h2>{_t("problem", lang)}</h2>'
        f"<p>{escape(message)}</p>" + (f"<ul>{items}</ul>" if items else "") + "</div>"
        f"<p>{_t('go_back', lang)}</p>"
        f'<p><a href="{_portal_link("submit/", lang)}">{_t("form", lang)}</a></p>'
    )
    return _page(_t("title_error", lang), body, lang)
