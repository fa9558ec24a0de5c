"""The portal's edge: what its origin answers besides the built files, defined once.

* ``API_PATH``: the API is served under the portal's own origin at ``/api`` (``/api/x`` reaches the
  API's route ``/x``), so the pages call it without any cross-origin request, whatever name the
  portal is opened under. mkdocs.yml's default ``extra.api_base`` is this path.
* The security headers of every file of the portal, the Content-Security-Policy first.

Two servers answer for the portal and both take their headers from here: the local static server
(``scripts/lib/static_server.py``) and, when deployed, CloudFront (a response headers policy made
from ``SECURITY_HEADERS`` and ``content_security_policy()``, and an ``/api/*`` behaviour to API
Gateway's ``api`` stage). The structure follows what such a policy holds: HSTS as its three parts,
frame options, content type options and referrer policy as values, the rest as custom headers.

The API's own answers (JSON, and the HTML pages of the plain form post) carry the API's headers
(api/chalicelib/web/security_headers.py), not these: its pages set a policy of their own.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

__all__ = [
    "API_PATH",
    "CSP_DIRECTIVES",
    "INLINE_SCRIPT_HASHES",
    "SECURITY_HEADERS",
    "STRICT_TRANSPORT_SECURITY",
    "InlineCode",
    "StrictTransportSecurity",
    "content_security_policy",
    "inline_code",
    "response_headers",
    "script_hash",
    "sign_in_origin",
    "unlisted_inline_code",
]

API_PATH = "/api"

# The inline scripts Material for MkDocs writes into every page, by their CSP hash: the only inline
# scripts the policy allows (the portal's own scripts are files). A Material upgrade that changes
# one fails tests/unit/test_portal_csp.py, which names the page and the new hash.
INLINE_SCRIPT_HASHES: dict[str, str] = {
    # partials/javascripts/base.html: __md_scope and Material's localStorage helpers. It names
    # extra.scope, which mkdocs.yml sets to "/" so that it is the same script on every page.
    "'sha256-exqRXrW/0laiImCrTE8a70vxyyY10FJVIppytLf/dbY='": "Material partials/javascripts/base.html",
    # partials/javascripts/content.html: opens the content tab named in the address's fragment.
    "'sha256-/8wPdzX9q0NNJXyA5lzsLojXFpkeaXVxhbfkUOQaWy8='": "Material partials/javascripts/content.html",
}

CSP_DIRECTIVES: dict[str, tuple[str, ...]] = {
    "default-src": ("'self'",),
    "script-src": ("'self'", *INLINE_SCRIPT_HASHES),
    # No style attribute and no <style> element in any page, Material's included (the test checks
    # the built pages); scripts change styles through element.style, which CSP does not restrict.
    "style-src": ("'self'",),
    # Material's stylesheet draws its icons from data: URIs.
    "img-src": ("'self'", "data:"),
    "font-src": ("'self'",),
    # The API is under API_PATH; the staff console's sign-in origin is added when configured (and
    # the API's origin, for a portal built to call an API elsewhere).
    "connect-src": ("'self'",),
    "object-src": ("'none'",),
    "base-uri": ("'none'",),
    # The plain (no-JavaScript) complaint form posts to API_PATH on this origin.
    "form-action": ("'self'",),
    "frame-ancestors": ("'none'",),
}


@dataclass(frozen=True)
class StrictTransportSecurity:
    max_age_seconds: int
    include_subdomains: bool
    preload: bool

    def header(self) -> str:
        parts = [f"max-age={self.max_age_seconds}"]
        if self.include_subdomains:
            parts.append("includeSubDomains")
        if self.preload:
            parts.append("preload")
        return "; ".join(parts)


# Two years, subdomains, preload: what the HSTS preload list asks for. Only over HTTPS (CloudFront):
# browsers ignore it on plain http, and the local server leaves it out.
STRICT_TRANSPORT_SECURITY = StrictTransportSecurity(
    max_age_seconds=2 * 365 * 24 * 3600, include_subdomains=True, preload=True
)

SECURITY_HEADERS: dict[str, str] = {
    "X-Content-Type-Options": "nosniff",
    # For browsers without CSP frame-ancestors.
    "X-Frame-Options": "DENY",
    # A status page address can hold a tracking number (?no=): no other site learns it.
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
        "payment=(), usb=()"
    ),
    # The staff console shares no window with a page of another site that opens it.
    "Cross-Origin-Opener-Policy": "same-origin",
}


def sign_in_origin(domain: str) -> str:
    """The origin of the staff console's Cognito hosted UI, from ``STAFF_COGNITO_DOMAIN`` (mkdocs.yml
    ``extra.staff_auth.cognito_domain``: a domain, or an https URL). The console fetches its token
    endpoint, so connect-src must name it."""
    text = domain.strip().rstrip("/")
    origin = _origin(text if "://" in text else "https://" + text, what="the staff sign-in domain")
    if not origin.startswith("https://"):
        raise ValueError(f"the staff sign-in domain must be an https domain, not {domain!r}")
    return origin


def content_security_policy(
    *, staff_sign_in_domain: str = "", api_base: str = API_PATH, upload_origin: str = ""
) -> str:
    """The portal's policy, for a portal built with this ``STAFF_COGNITO_DOMAIN`` (or none) and this
    ``PORTAL_API_BASE``: under the portal's origin (API_PATH, the default), or an API elsewhere,
    whose origin the pages then fetch from and the plain form posts to. ``upload_origin``: the
    attachments bucket's origin, which files are posted to straight from the browser (fetch, and
    the plain upload form)."""
    directives = dict(CSP_DIRECTIVES)
    extra = [
        _origin(base, what=what)
        for base, what in ((api_base, "the API base"), (upload_origin, "the upload origin"))
        if "://" in base
    ]
    for origin in extra:
        for name in ("connect-src", "form-action"):
            directives[name] = (*directives[name], origin)
    if staff_sign_in_domain.strip():
        directives["connect-src"] = (*directives["connect-src"], sign_in_origin(staff_sign_in_domain))
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


def _origin(url: str, *, what: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{what} is not an http(s) address: {url!r}")
    return f"{parts.scheme}://{parts.netloc}"


def response_headers(
    *, https: bool, staff_sign_in_domain: str = "", api_base: str = API_PATH, upload_origin: str = ""
) -> dict[str, str]:
    """Every header the portal's files are served with (HSTS only over HTTPS)."""
    policy = content_security_policy(
        staff_sign_in_domain=staff_sign_in_domain, api_base=api_base, upload_origin=upload_origin
    )
    headers = {"Content-Security-Policy": policy}
    headers.update(SECURITY_HEADERS)
    if https:
        headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY.header()
    return headers


# --------------------------------------------------------------------------- checking built pages

# Script types a browser runs (https://html.spec.whatwg.org/#javascript-mime-type), and modules.
_EXECUTABLE_TYPES = {
    "",
    "module",
    "application/javascript",
    "application/ecmascript",
    "application/x-javascript",
    "text/javascript",
    "text/ecmascript",
    "text/jscript",
    "text/livescript",
    "text/x-javascript",
    "text/x-ecmascript",
}


def script_hash(source: str) -> str:
    """The CSP source expression that allows this inline script: 'sha256-<base64>'."""
    digest = base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


@dataclass(frozen=True)
class InlineCode:
    """Code in a page that a policy must allow by itself: an inline script (by its hash), an event
    handler or javascript: URL (never allowed here), a style attribute or <style> element."""

    kind: str
    text: str

    @property
    def hash(self) -> str:
        return script_hash(self.text)


class _InlineCodeParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.found: list[InlineCode] = []
        self._script: list[str] | None = None
        self._style: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name.lower(): value or "" for name, value in attrs}
        for name, value in attributes.items():
            if name.startswith("on"):
                self.found.append(InlineCode("event handler", f"{name}={value}"))
            elif name == "style":
                self.found.append(InlineCode("style attribute", value))
            elif name in ("href", "src", "action", "formaction") and value.strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(InlineCode("javascript: URL", value))
        if tag == "script" and "src" not in attributes:
            kind = attributes.get("type", "").strip().lower()
            self._script = [] if kind in _EXECUTABLE_TYPES else None
        elif tag == "style":
            self._style = []

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script.append(data)
        if self._style is not None:
            self._style.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.found.append(InlineCode("script", "".join(self._script)))
            self._script = None
        elif tag == "style" and self._style is not None:
            self.found.append(InlineCode("style element", "".join(self._style)))
            self._style = None


def inline_code(page: str) -> list[InlineCode]:
    """Every piece of inline code in an HTML page (data blocks such as application/json excluded)."""
    parser = _InlineCodeParser()
    parser.feed(page)
    parser.close()
    return parser.found


def unlisted_inline_code(site_dir: Path) -> dict[str, list[InlineCode]]:
    """The built pages' inline code the policy does not allow, by page: inline scripts whose hash is
    not in INLINE_SCRIPT_HASHES, and every event handler, javascript: URL and inline style."""
    problems: dict[str, list[InlineCode]] = {}
    for path in sorted(site_dir.rglob("*.html")):
        found = [
            code
            for code in inline_code(path.read_text(encoding="utf-8"))
            if code.kind != "script" or code.hash not in INLINE_SCRIPT_HASHES
        ]
        if found:
            problems[str(path.relative_to(site_dir))] = found
    return problems
