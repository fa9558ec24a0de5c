"""The plain upload form, for browsers without JavaScript: the status page's no-script form posts
the number, the access code and the file's type here; this page answers with a form that posts the
file straight to S3 with the presigned fields, and S3 sends the browser back to a page of the portal
(``attachment-received/``). The page's policy lets that one form go to the bucket's origin."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from urllib.parse import urlsplit

from chalice.app import Response

from ..domain.attachments import AttachmentPolicy
from ..domain.vocabulary import Lang
from ..services.attachments import UploadOffer
from .pages import STYLE_HASH, _page, _portal_link
from .responses import html_response

__all__ = ["RECEIVED_PAGE", "upload_error_page", "upload_page", "upload_page_response"]

# The portal's page S3 sends the browser to once the file is stored (portal_docs/pages).
RECEIVED_PAGE = "attachment-received/"

_TEXT: dict[str, tuple[str, str]] = {
    "title": ("上传证据材料", "Add a photo or document"),
    "choose": ("选择文件", "Choose a file"),
    "hint": (
        "请选择一个{type}文件，不超过 {max_mb} MB。文件上传后经检查、去除隐藏信息才会交给办理人员。",
        "Choose one {type} file of at most {max_mb} MB. It is checked and cleaned of hidden details "
        "before it reaches the people handling your complaint.",
    ),
    "expires": ("请在 {minutes} 分钟内上传。", "Upload it within {minutes} minutes."),
    "send": ("上传文件", "Upload the file"),
    "number": ("投诉编号：{no}", "Tracking number: {no}"),
    "error_title": ("未能上传文件", "The file could not be uploaded"),
    "back": ("返回查询页面", "Back to the status page"),
}
_TYPE_NAMES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP", "application/pdf": "PDF"}


def _t(key: str, lang: Lang, **values: str) -> str:
    zh, en = _TEXT[key]
    text = zh if lang == "zh" else en
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    return escape(text)


def upload_page(offer: UploadOffer, number: str, lang: Lang, limits: AttachmentPolicy) -> str:
    attachment = offer.attachment
    hidden = "".join(
        f'<input type="hidden" name="{escape(name, quote=True)}" value="{escape(value, quote=True)}">'
        for name, value in offer.post.fields.items()
    )
    max_mb = f"{attachment.declared_size / (1024 * 1024):.1f}".removesuffix(".0")
    body = (
        f"<h1>{_t('title', lang)}</h1>"
        f'<p class="hint">{_t("number", lang, no=number)}</p>'
        f'<form method="post" action="{escape(offer.post.url, quote=True)}" enctype="multipart/form-data">'
        f"{hidden}"
        f'<div class="form-group"><label for="file">{_t("choose", lang)}</label>'
        f'<p class="hint" id="file-hint">'
        f"{_t('hint', lang, type=_TYPE_NAMES.get(attachment.declared_type, attachment.declared_type), max_mb=max_mb)} "
        f"{_t('expires', lang, minutes=str(limits.upload_expiry_seconds // 60))}</p>"
        f'<input type="file" id="file" name="file" aria-describedby="file-hint"></div>'
        f'<button type="submit">{_t("send", lang)}</button></form>'
    )
    return _page(_t("title", lang), body, lang)


def upload_page_response(page: str, upload_url: str) -> Response:
    """The page, with a policy whose form-action admits the bucket's origin besides this API."""
    parts = urlsplit(upload_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    policy = (
        f"default-src 'none'; style-src '{STYLE_HASH}'; form-action 'self' {origin}; "
        "base-uri 'none'; frame-ancestors 'none'"
    )
    return html_response(page, 200, {"Content-Security-Policy": policy})


def upload_error_page(code: str, message: str, fields: Mapping[str, str], lang: Lang) -> str:
    items = "".join(f"<li>{escape(text)}</li>" for text in fields.values() if text != message)
    body = (
        f"<h1>{_t('error_title', lang)}</h1>"
        f'<div class="error-summary" role="alert"><p>{escape(message)}</p>'
        f"{f'<ul>{items}</ul>' if items else ''}</div>"
        f'<p><a href="{_portal_link("status/", lang)}">{_t("back", lang)}</a></p>'
    )
    return _page(_t("error_title", lang), body, lang)
