"""Plain HTML pages the API answers with, so that the portal works without JavaScript: the
confirmation and the error page of the complaint form's post, and the public status of a case
(``GET /status-page``, the status page's lookup form).

They look like the portal (its header with the site's name in the page's language and a link home,
its GOV.UK-like panels, the same words) but are self-contained: one inline stylesheet, whose hash
is the only style the Content-Security-Policy admits (``STYLE_HASH``, see responses.html_response),
no script, nothing remote. Every text from a case or a request is escaped.

The API is deployed without the portal's files, so the portal's wording these pages share is kept
here under the keys of ``portal_docs/strings.yml`` (``PORTAL_STRINGS``), and the fields of the
complaint form in the form's order (``COMPLAINT_FORM_FIELDS``): tests/unit/test_api_pages.py holds
both equal to the portal's.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from urllib.parse import urlencode

from ..domain.deadlines import default_policy
from ..domain.vocabulary import Lang, label, terms
from ..services.submissions import Receipt
from ..settings import get_settings
from .routing import STATUS_PAGE
from .views import DeadlineView, PublicStatusView, format_local, receipt_view

__all__ = [
    "COMPLAINT_FORM_FIELDS",
    "PAGE_TEXT",
    "PORTAL_STRINGS",
    "STYLE_HASH",
    "confirmation_page",
    "error_page",
    "status_error_page",
    "status_page",
]

# The complaint form's fields in the order the form shows them
# (portal_docs/overrides/partials/complaint-form.html): the error list follows it.
COMPLAINT_FORM_FIELDS: tuple[str, ...] = (
    "complainant_type",
    "anonymous",
    "name",
    "phone",
    "email",
    "preferred_language",
    "organization",
    "credit_code",
    "category",
    "subject",
    "description",
    "location",
    "occurred_on",
    "desired_outcome",
    "claim_amount",
    "consent",
)

# The portal's own wording, key for key as in portal_docs/strings.yml ("{name}" is filled in here).
PORTAL_STRINGS: dict[str, tuple[str, str]] = {
    "common.error_prefix": ("错误：", "Error:"),
    "common.there_is_a_problem": ("提交内容有问题", "There is a problem"),
    "done.title": ("投诉已提交", "Complaint submitted"),
    "done.tracking_no": ("您的投诉编号", "Your tracking number"),
    "done.access_code": ("查询码", "Access code"),
    "done.access_code_warning": (
        "查询码只显示这一次，我们不会再次显示或发送。请立即抄写、截图，或打印、保存本页。"
        "补充材料、评价处理结果和申请复查时需要投诉编号和查询码。",
        "This access code is shown only once. We will not show it or send it again. Write it down, "
        "take a screenshot, or print or save this page now. You need the tracking number and the "
        "access code to add information, rate the outcome or ask for a review.",
    ),
    "done.status": ("当前状态", "Status"),
    "done.submitted_at": ("提交时间", "Submitted"),
    "done.reply_by": (
        "我们将在{date}前告诉您是否受理。",
        "We will tell you by {date} whether we accept your complaint.",
    ),
    "done.reply_provisional": (
        "该日期为暂定日期：相关年度的法定节假日安排公布后可能调整。",
        "This date is provisional and may change once the official holiday calendar for that year is published.",
    ),
    "done.next_title": ("接下来会怎样", "What happens next"),
    "done.check_status": ("查询办理进度", "Check the progress of your complaint"),
    "done.another": ("提交另一件投诉", "Submit another complaint"),
    "status.label": ("投诉编号", "Tracking number"),
    "status.hint": (
        "提交投诉时获得的 12 位编号，例如 7K3M-9QX2-HD4P。空格、连字符和大小写不影响查询。",
        "The 12-character number you got when you submitted, for example 7K3M-9QX2-HD4P. "
        "Spaces, hyphens and lower case are fine.",
    ),
    "status.submit": ("查询", "Check status"),
    "status.invalid": (
        "请检查投诉编号：它由 12 位数字和字母组成，例如 7K3M-9QX2-HD4P。",
        "Check the tracking number. It has 12 letters and digits, for example 7K3M-9QX2-HD4P.",
    ),
    "status.empty": ("请输入投诉编号。", "Enter your tracking number."),
    "status.not_found": (
        "没有找到编号为 {no} 的投诉。请核对编号；电话、信函等渠道登记的投诉，可能需要在登记后稍等片刻才能查到。",
        "There is no complaint with the number {no}. Check the number; a complaint registered by "
        "phone, letter or in person may take a short while to appear.",
    ),
    "status.result_title": ("投诉 {no}", "Complaint {no}"),
    "status.category": ("投诉类别", "Category"),
    "status.channel": ("投诉渠道", "How it was filed"),
    "status.submitted_at": ("提交时间", "Submitted"),
    "status.updated_at": ("最近更新", "Last updated"),
    "status.deadlines": ("办理时限", "Time limits"),
    "status.deadline.kind": ("事项", "Step"),
    "status.deadline.due": ("期限", "Due by"),
    "status.deadline.state": ("情况", "State"),
    "status.deadline.met": ("已于 {date} 完成", "Done on {date}"),
    "status.deadline.overdue": ("已逾期", "Overdue"),
    "status.deadline.pending": ("办理中", "Not yet due"),
    "status.deadline.provisional": ("暂定", "provisional"),
    "status.deadline.provisional_note": (
        "标注“暂定”的日期依据尚未公布的法定节假日安排估算，公布后可能调整。",
        "Dates marked “provisional” are estimated before the official holiday calendar is published and may change.",
    ),
    "status.no_deadlines": ("暂无办理时限。", "No time limits yet."),
    "status.milestones": ("办理记录", "History"),
    "status.no_milestones": ("暂无办理记录。", "Nothing recorded yet."),
}

# Words only these pages have. The site's name is mkdocs.yml's (site_name, and the English
# site_name of the i18n plugin); the status heading is the status page's (status.*.md): the same
# test holds them equal to the built portal.
PAGE_TEXT: dict[str, tuple[str, str]] = {
    "site_name": ("园区投诉服务平台", "Industrial Park Complaint Portal"),
    "home": ("返回投诉平台首页", "Back to the complaint portal"),
    "status_heading": ("查询办理进度", "Check the progress of a complaint"),
    "title_error": ("投诉未能提交", "Your complaint was not filed"),
    "go_back": (
        "请使用浏览器的“后退”按钮返回表单修改，已填写的内容会保留。",
        "Use your browser's Back button to return to the form and correct it: your answers are kept.",
    ),
    "form": ("重新打开投诉表单", "Open the complaint form again"),
    "public_only_nojs": (
        "这是公开的办理进度，不含投诉内容。如果您是投诉人，凭查询码还可以查看投诉内容、答复和往来记录，"
        "并在线补充材料、评价、申请复查或撤回投诉。为保护您的投诉，查询码从不放进网址，"
        "所以这些需要在启用 JavaScript 的浏览器中使用查询页面：",
        "This is the public progress, without the content of the complaint. If you made the "
        "complaint, your access code also lets you read it, our response and the messages, and add "
        "information, rate the outcome, ask for a review or withdraw online. To protect your "
        "complaint the access code never goes in a page address, so this needs the status page in a "
        "browser with JavaScript turned on:",
    ),
    "open_status_page": ("打开查询页面", "open the status page"),
    "look_up_another": ("查询其他投诉", "Look up another complaint"),
}

_STYLE = (
    'body{margin:0;font-family:"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",system-ui,'
    "-apple-system,sans-serif;font-size:1rem;line-height:1.6;color:#0b0c0c;background:#fff;"
    "overflow-wrap:break-word}"
    "*,*::before,*::after{box-sizing:border-box}"
    "a{color:#1d70b8}a:visited{color:#4c2c92}"
    "a:focus,input:focus,button:focus{outline:3px solid #ffdd00;outline-offset:0;"
    "background:#ffdd00;color:#0b0c0c;box-shadow:0 -2px #ffdd00,0 4px #0b0c0c;text-decoration:none}"
    "input:focus,button:focus{background:#fff;box-shadow:inset 0 0 0 2px #0b0c0c}"
    ".header{background:#4051b5;color:#fff;box-shadow:0 0 .2rem rgba(0,0,0,.1),0 .2rem .4rem rgba(0,0,0,.2)}"
    ".header__inner{display:flex;flex-wrap:wrap;align-items:center;gap:.25rem 1rem;max-width:61rem;"
    "margin:0 auto;padding:.6rem 1rem;min-height:3rem}"
    ".header a{color:#fff;text-decoration:none}"
    ".header a:hover{text-decoration:underline}"
    ".header a:focus{color:#0b0c0c}"
    ".header__home{display:inline-flex;align-items:center;gap:.6rem;font-size:1.125rem;font-weight:700}"
    ".header__home svg{flex:none;width:1.5rem;height:1.5rem;fill:currentColor}"
    ".header__lang{margin-left:auto}"
    "main{display:block;max-width:44rem;margin:0 auto;padding:2rem 1rem 3rem}"
    "h1{font-size:1.9rem;line-height:1.25;margin:0 0 1.25rem}"
    "h2{font-size:1.4rem;line-height:1.3;margin:2rem 0 .75rem}"
    ".panel{background:#00703c;color:#fff;padding:1.5rem 1rem;margin:0 0 1.5rem;text-align:center}"
    ".panel h1{color:#fff;margin-bottom:.5rem}"
    ".panel p{margin:0;font-size:1.2rem}"
    ".code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-weight:700;"
    "font-size:clamp(1rem,5.2vw,1.9rem);letter-spacing:.08em;overflow-wrap:anywhere}"
    ".access-code{border:3px solid #0b0c0c;padding:1rem 1.25rem;margin:0 0 1.5rem}"
    ".access-code h2{margin:0 0 .25rem;font-size:1.25rem}"
    ".access-code .code{margin:0 0 .75rem}"
    ".warning{margin:0;font-weight:700}"
    ".summary{margin:0 0 1.5rem;padding:0}"
    ".summary div{display:grid;grid-template-columns:minmax(7rem,30%) 1fr;gap:.25rem 1rem;"
    "padding:.6rem 0;border-bottom:1px solid #b1b4b6}"
    ".summary dt{font-weight:700}.summary dd{margin:0}"
    "@media (max-width:40rem){.summary div{grid-template-columns:1fr}}"
    ".reply-by{font-size:1.15rem;font-weight:700}"
    ".hint{color:#505a5f}"
    ".inset{margin:1.5rem 0;padding:.75rem 1rem;border-left:8px solid #b1b4b6}"
    ".inset--warning{border-left-color:#d4351c;font-weight:700}"
    ".error-summary{margin:0 0 2rem;padding:1rem 1.25rem;border:5px solid #d4351c}"
    ".error-summary h2{margin:0 0 .75rem;font-size:1.25rem}"
    ".error-summary ul{margin:0;padding:0;list-style:none}"
    ".error-summary li{margin:0 0 .4rem;font-weight:700}"
    ".error-summary a{color:#d4351c}"
    ".tag{display:inline-block;padding:.15rem .5rem;font-weight:700;line-height:1.4;color:#0c2d4a;"
    "background:#d2e2f1}"
    ".tag--large{font-size:1.15rem}"
    ".tag--grey,.tag--withdrawn{color:#282d30;background:#e5e6e7}"
    ".tag--green,.tag--responded,.tag--closed{color:#005a30;background:#cce2d8}"
    ".tag--red,.tag--rejected{color:#942514;background:#f4cdc6}"
    ".tag--accepted,.tag--in_progress{color:#0c2d4a;background:#bbd4ea}"
    ".tag--under_review{color:#6e3619;background:#fcd6c3}"
    "table{width:100%;border-collapse:collapse;margin:0 0 1rem}"
    "th,td{padding:.6rem 1rem .6rem 0;text-align:left;vertical-align:top;border-bottom:1px solid #b1b4b6}"
    "@media (max-width:30rem){table{font-size:.9rem}th,td{padding-right:.5rem}}"
    "thead th{border-bottom:2px solid #0b0c0c}"
    ".overdue th{color:#d4351c}"
    ".timeline{margin:0 0 2rem;padding:0;list-style:none}"
    ".timeline li{position:relative;margin:0 0 0 .5rem;padding:0 0 1.25rem 1.75rem;"
    "border-left:3px solid #b1b4b6}"
    ".timeline li:last-child{border-left-color:transparent;padding-bottom:0}"
    ".timeline li::before{content:'';position:absolute;top:.2rem;left:-.6rem;width:.9rem;height:.9rem;"
    "background:#0b0c0c;border:2px solid #fff;border-radius:50%}"
    ".timeline span{display:block}.timeline .label{font-weight:700}.timeline .time{color:#505a5f}"
    ".form-group{margin:0 0 1.5rem}"
    ".form-group--error{padding-left:1rem;border-left:5px solid #d4351c}"
    "label{display:block;font-weight:700;font-size:1.15rem;margin:0 0 .25rem}"
    ".error-message{margin:0 0 .5rem;color:#d4351c;font-weight:700}"
    "input[type=text]{display:block;width:100%;max-width:24rem;height:2.6rem;padding:.3rem .5rem;"
    "font:inherit;font-size:1.15rem;border:2px solid #0b0c0c;border-radius:0}"
    ".form-group--error input{border-color:#d4351c}"
    "button{font:inherit;font-weight:700;padding:.5rem 1rem;color:#fff;background:#00703c;border:2px solid "
    "transparent;border-radius:0;box-shadow:0 2px 0 #002d18;cursor:pointer}"
    "button:hover{background:#005a30}"
    ".visually-hidden{position:absolute!important;width:1px!important;height:1px!important;"
    "margin:0!important;padding:0!important;overflow:hidden!important;clip:rect(0 0 0 0)!important;"
    "border:0!important;white-space:nowrap!important}"
    "@media print{.header,.no-print{display:none}.panel{color:#0b0c0c;background:none;"
    "border:3px solid #0b0c0c}.panel h1{color:#0b0c0c}}"
)
# What the Content-Security-Policy names as the one style allowed (CSP Level 2 hash source).
STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(_STYLE.encode()).digest()).decode()

# The portal's logo (Material Design's "message-alert-outline", as mkdocs.yml theme.icon.logo).
_LOGO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" aria-hidden="true" focusable="false">'
    '<path d="M13 10h-2V6h2zm0 2h-2v2h2zm9-8v12a2 2 0 0 1-2 2H6l-4 4V4a2 2 0 0 1 2-2h16a2 2 0 0 1 2 2'
    'm-2 0H4v13.2L5.2 16H20z"/></svg>'
)


def _text(table: Mapping[str, tuple[str, str]], key: str, lang: Lang, values: Mapping[str, str]) -> str:
    zh, en = table[key]
    text = zh if lang == "zh" else en
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return text


def _s(key: str, lang: Lang, **values: str) -> str:
    """A portal string, escaped (values are filled in before escaping)."""
    return escape(_text(PORTAL_STRINGS, key, lang, values))


def _p(key: str, lang: Lang) -> str:
    """A text of these pages, escaped."""
    return escape(_text(PAGE_TEXT, key, lang, {}))


def _portal_link(path: str, lang: Lang) -> str:
    """A page of the portal in ``lang`` (the English pages live under en/), attribute-escaped."""
    base = get_settings().portal_url
    return escape(base + ("" if lang == "zh" else "en/") + path, quote=True)


def _other(lang: Lang) -> Lang:
    return "en" if lang == "zh" else "zh"


def _header(lang: Lang, switch_href: str | None) -> str:
    switch = ""
    if switch_href is not None:
        other = _other(lang)
        html_other = "zh-CN" if other == "zh" else "en"
        name = escape(label("language", other).in_(other))
        switch = (
            f'<a class="header__lang" href="{escape(switch_href, quote=True)}" hreflang="{html_other}" '
            f'lang="{html_other}">{name}</a>'
        )
    return (
        '<header class="header"><div class="header__inner">'
        f'<a class="header__home" href="{_portal_link("", lang)}">{_LOGO}<span>{_p("site_name", lang)}</span></a>'
        f"{switch}</div></header>"
    )


def _page(title: str, body: str, lang: Lang, *, switch_href: str | None = None) -> str:
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (
        f'<!DOCTYPE html><html lang="{html_lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="referrer" content="no-referrer">'
        f"<title>{title} - {_p('site_name', lang)}</title><style>{_STYLE}</style></head>"
        f"<body>{_header(lang, switch_href)}<main>{body}</main></body></html>"
    )


def _status_page_href(number: str, lang: Lang) -> str:
    """The public status page of ``number``: beside ``/complaints`` under the API's base, so a
    relative address works wherever the API is mounted (``/api/...`` on the portal's origin too)."""
    return f"{STATUS_PAGE}?{urlencode({'no': number, 'lang': lang})}"


# --------------------------------------------------------------------------- the form post


def confirmation_page(receipt: Receipt, lang: Lang) -> str:
    policy = default_policy()
    view = receipt_view(receipt, policy)
    case = receipt.case
    decide = case.deadline("decide")
    number = view["tracking_no"]
    reply_by = ""
    if decide is not None:
        reply_by = f'<p class="reply-by">{_s("done.reply_by", lang, date=format_local(decide.due_at, lang, policy))}</p>'
        if decide.provisional:
            reply_by += f'<p class="hint">{_s("done.reply_provisional", lang)}</p>'
    status = escape(label("status", case.status.value).in_(lang))
    submitted = escape(format_local(case.submitted_at, lang, policy))
    body = (
        f'<div class="panel"><h1>{_s("done.title", lang)}</h1>'
        f'<p>{_s("done.tracking_no", lang)}<br><strong class="code">{escape(number)}</strong></p></div>'
        f'<div class="access-code"><h2>{_s("done.access_code", lang)}</h2>'
        f'<p class="code">{escape(view["access_code"])}</p>'
        f'<p class="warning">{_s("done.access_code_warning", lang)}</p></div>'
        f'<dl class="summary">'
        f"<div><dt>{_s('done.status', lang)}</dt><dd>{status}</dd></div>"
        f"<div><dt>{_s('done.submitted_at', lang)}</dt><dd>{submitted}</dd></div></dl>"
        f"{reply_by}"
        f"<h2>{_s('done.next_title', lang)}</h2><p>{escape(view['next_steps'][lang])}</p>"
        f'<ul class="no-print">'
        f'<li><a href="{escape(_status_page_href(number, lang), quote=True)}">{_s("done.check_status", lang)}</a></li>'
        f'<li><a href="{_portal_link("submit/", lang)}">{_s("done.another", lang)}</a></li></ul>'
    )
    return _page(_s("done.title", lang), body, lang)


def _form_order(name: str) -> int:
    return COMPLAINT_FORM_FIELDS.index(name) if name in COMPLAINT_FORM_FIELDS else len(COMPLAINT_FORM_FIELDS)


def _error_items(fields: Mapping[str, str], lang: Lang) -> list[str]:
    """ "姓名：请填写姓名。" / "Name: Name is required.", in the order of the form (fields it does
    not have, such as a header, last)."""
    names = terms("field")
    colon = "：" if lang == "zh" else ": "
    return [
        f"<li>{escape(names[f].in_(lang) if f in names else f)}{colon}{escape(fields[f])}</li>"
        for f in sorted(fields, key=_form_order)
    ]


def error_page(code: str, message: str, fields: Mapping[str, str], lang: Lang) -> str:
    """What went wrong with a form post (any error: the mistakes, or the service being busy)."""
    items = "".join(_error_items(fields, lang))
    body = (
        f"<h1>{_p('title_error', lang)}</h1>"
        f'<div class="error-summary" role="alert"><h2>{_s("common.there_is_a_problem", lang)}</h2>'
        f"<p>{escape(message)}</p>" + (f"<ul>{items}</ul>" if items else "") + "</div>"
        f"<p>{_p('go_back', lang)}</p>"
        f'<p><a href="{_portal_link("submit/", lang)}">{_p("form", lang)}</a></p>'
        f'<p><a href="{_portal_link("", lang)}">{_p("home", lang)}</a></p>'
    )
    return _page(_s("common.error_prefix", lang) + " " + _p("title_error", lang), body, lang)


# --------------------------------------------------------------------------- the public status


def _lookup_form(lang: Lang, typed: str, error: str | None) -> str:
    """The status page's lookup form again: a GET to this page, the number only (never a code)."""
    described = "no-hint" + (" no-error" if error else "")
    error_slot = (
        f'<p class="error-message" id="no-error"><span class="visually-hidden">'
        f"{_s('common.error_prefix', lang)} </span>{escape(error)}</p>"
        if error
        else ""
    )
    invalid = ' aria-invalid="true"' if error else ""
    return (
        f'<form method="get" role="search" novalidate><div class="form-group{" form-group--error" if error else ""}">'
        f'<label for="no">{_s("status.label", lang)}</label>'
        f'<p class="hint" id="no-hint">{_s("status.hint", lang)}</p>{error_slot}'
        f'<input type="text" id="no" name="no" value="{escape(typed, quote=True)}" autocomplete="off" '
        f'autocapitalize="characters" spellcheck="false" aria-describedby="{described}"{invalid}></div>'
        f'<input type="hidden" name="lang" value="{lang}">'
        f'<button type="submit">{_s("status.submit", lang)}</button></form>'
    )


def _moment(iso_text: str) -> datetime:
    return datetime.fromisoformat(iso_text.replace("Z", "+00:00"))


def _when(iso_text: str, lang: Lang) -> str:
    return escape(format_local(_moment(iso_text), lang, default_policy()))


def _deadline_rows(deadlines: Sequence[DeadlineView], lang: Lang) -> str:
    rows = []
    for deadline in deadlines:
        due = _when(deadline["due_at"], lang)
        if deadline["provisional"]:
            due += f' <span class="tag tag--grey">{_s("status.deadline.provisional", lang)}</span>'
        if deadline["met_at"]:
            met = format_local(_moment(deadline["met_at"]), lang, default_policy())
            state = f'<span class="tag tag--green">{_s("status.deadline.met", lang, date=met)}</span>'
        elif deadline["overdue"]:
            state = f'<span class="tag tag--red">{_s("status.deadline.overdue", lang)}</span>'
        else:
            state = _s("status.deadline.pending", lang)
        overdue = ' class="overdue"' if deadline["overdue"] and not deadline["met_at"] else ""
        rows.append(
            f'<tr{overdue}><th scope="row">{escape(deadline["label"][lang])}</th>'
            f"<td>{due}</td><td>{state}</td></tr>"
        )
    return "".join(rows)


def status_page(view: PublicStatusView, typed: str, lang: Lang) -> str:
    """The public status, from the same allowlisted view the JSON route answers with: no personal
    data, no free text. Says how the complainant sees more (their access code never in a URL)."""
    number = view["tracking_no"]
    title = _s("status.result_title", lang, no=number)
    deadlines = view["deadlines"]
    if deadlines:
        deadlines_part = (
            f'<table><thead><tr><th scope="col">{_s("status.deadline.kind", lang)}</th>'
            f'<th scope="col">{_s("status.deadline.due", lang)}</th>'
            f'<th scope="col">{_s("status.deadline.state", lang)}</th></tr></thead>'
            f"<tbody>{_deadline_rows(deadlines, lang)}</tbody></table>"
        )
        if any(d["provisional"] for d in deadlines):
            deadlines_part += f'<p class="hint">{_s("status.deadline.provisional_note", lang)}</p>'
    else:
        deadlines_part = f'<p class="hint">{_s("status.no_deadlines", lang)}</p>'
    milestones = "".join(
        f'<li><span class="label">{escape(m["label"][lang])}</span>'
        f'<span class="time">{_when(m["at"], lang)}</span></li>'
        for m in view["milestones"]
    )
    milestones_part = (
        f'<ol class="timeline">{milestones}</ol>'
        if milestones
        else f'<p class="hint">{_s("status.no_milestones", lang)}</p>'
    )
    status_class = "".join(ch for ch in view["status"] if ch.isalpha() or ch == "_")
    own_view = _portal_link("status/", lang) + escape("?no=" + number, quote=True)
    body = (
        f"<h1>{title}</h1>"
        f'<p><strong class="tag tag--large tag--{status_class}">{escape(view["status_label"][lang])}</strong></p>'
        f'<dl class="summary">'
        f"<div><dt>{_s('status.category', lang)}</dt><dd>{escape(view['category']['label'][lang])}</dd></div>"
        f"<div><dt>{_s('status.channel', lang)}</dt><dd>{escape(view['channel']['label'][lang])}</dd></div>"
        f"<div><dt>{_s('status.submitted_at', lang)}</dt><dd>{_when(view['submitted_at'], lang)}</dd></div>"
        f"<div><dt>{_s('status.updated_at', lang)}</dt><dd>{_when(view['updated_at'], lang)}</dd></div>"
        f"</dl>"
        f'<p class="inset">{_p("public_only_nojs", lang)} <a href="{own_view}">{_p("open_status_page", lang)}</a></p>'
        f"<h2>{_s('status.deadlines', lang)}</h2>{deadlines_part}"
        f"<h2>{_s('status.milestones', lang)}</h2>{milestones_part}"
        f"<h2>{_p('look_up_another', lang)}</h2>{_lookup_form(lang, '', None)}"
    )
    return _page(
        f"{title} - {_p('status_heading', lang)}",
        body,
        lang,
        switch_href=_status_page_href(typed, _other(lang)),
    )


def status_error_page(typed: str, code: str, message: str, fields: Mapping[str, str], lang: Lang) -> str:
    """The lookup form again, saying what went wrong in the status page's own words: a number
    missing or mistyped (beside the field, GOV.UK-style), no such case, or the service's message."""
    field_error: str | None = None
    notice: str | None = None
    if "no" in fields:
        field_error = fields["no"]
    elif code == "invalid_tracking_number":
        field_error = _text(PORTAL_STRINGS, "status.invalid", lang, {})
    elif code == "not_found":
        notice = _text(PORTAL_STRINGS, "status.not_found", lang, {"no": typed.strip()})
    else:
        notice = message
    if field_error is not None:
        problem = (
            f'<div class="error-summary" role="alert"><h2>{_s("common.there_is_a_problem", lang)}</h2>'
            f'<ul><li><a href="#no">{escape(field_error)}</a></li></ul></div>'
        )
    else:
        problem = f'<div class="inset inset--warning" role="alert">{escape(notice or "")}</div>'
    heading = _p("status_heading", lang)
    body = f"<h1>{heading}</h1>{problem}{_lookup_form(lang, typed, field_error)}"
    return _page(
        _s("common.error_prefix", lang) + " " + heading,
        body,
        lang,
        switch_href=_status_page_href(typed, _other(lang)),
    )
