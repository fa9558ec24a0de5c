"""The portal's Content-Security-Policy (scripts/lib/portal_edge.py) allows every built page as it is:
no inline script but Material's, listed by hash, no inline style, no event handler attribute. A
Material upgrade that changes its inline scripts fails here, naming the page and the new hash."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.lib.paths import REPO_ROOT
from scripts.lib.portal_edge import (
    API_PATH,
    CSP_DIRECTIVES,
    INLINE_SCRIPT_HASHES,
    content_security_policy,
    inline_code,
    response_headers,
    script_hash,
    unlisted_inline_code,
)
from scripts.lib.stack import portal_headers

# Variables the build reads that would change what it writes (a developer's shell may hold them).
BUILD_VARIABLES = (
    "PORTAL_API_BASE",
    "PORTAL_URL",
    "PORTAL_DATA_DIR",
    "STAFF_COGNITO_DOMAIN",
    "STAFF_COGNITO_CLIENT_ID",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The portal built as ./scripts/test and the deployment build it: mkdocs.yml's defaults."""
    site_dir = tmp_path_factory.mktemp("site")
    env = {k: v for k, v in os.environ.items() if k not in BUILD_VARIABLES}
    env["NO_MKDOCS_2_WARNING"] = "1"
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site_dir)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return site_dir


def pages(site: Path) -> list[Path]:
    found = sorted(site.rglob("*.html"))
    assert len(found) >= 19, "every page in both languages, the staff console and 404.html"
    return found


def directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for part in policy.split(";"):
        name, *sources = part.split()
        assert name not in parsed, f"{name} twice"
        parsed[name] = sources
    return parsed


# --------------------------------------------------------------------------- the built pages


def test_every_inline_script_of_every_page_is_allowed_by_its_hash(site: Path) -> None:
    problems = {
        page: [f"{code.kind} {code.hash}: {code.text[:80]!r}" for code in found]
        for page, found in unlisted_inline_code(site).items()
    }

    assert not problems, (
        "inline code the portal's CSP does not allow (a new inline script is a file under "
        "portal_docs/pages/assets/js; a changed Material script goes into "
        f"scripts/lib/portal_edge.py INLINE_SCRIPT_HASHES): {problems}"
    )


def test_every_hash_in_the_policy_is_one_a_page_needs(site: Path) -> None:
    used = {
        code.hash
        for page in pages(site)
        for code in inline_code(page.read_text(encoding="utf-8"))
        if code.kind == "script"
    }

    assert set(INLINE_SCRIPT_HASHES) <= used, f"stale hashes: {set(INLINE_SCRIPT_HASHES) - used}"


def test_the_pages_run_none_of_their_own_code_inline(site: Path) -> None:
    # The portal's own scripts are files, the pf-js marker included (loaded in the head)
    for page in pages(site):
        text = page.read_text(encoding="utf-8")
        assert 'classList.add("pf-js")' not in text, page
        head = text[: text.index("</head>")]
        assert re.search(r'<script src="[./]*assets/js/scripted\.js"></script>', head), page


def test_every_page_calls_the_api_under_the_portals_own_origin(site: Path) -> None:
    # mkdocs.yml's default API base is the path the static server (and CloudFront) pass on
    # (404.html, built without a page, calls nothing)
    for page in pages(site):
        if page.name == "404.html":
            continue
        text = page.read_text(encoding="utf-8")
        assert f'<meta name="portal-api-base" content="{API_PATH}">' in text, page
    for lang_prefix in ("", "en/"):
        form = (site / lang_prefix / "submit" / "index.html").read_text(encoding="utf-8")
        assert re.search(rf'<form id="complaint-form"[^>]*\saction="{API_PATH}/complaints\?lang=', form)


def test_no_page_makes_material_look_for_a_sitemap_beside_a_page(site: Path) -> None:
    # Material fetches sitemap.xml next to every <link rel="alternate" hreflang> of the head;
    # the language switcher's links stay, and the one sitemap names every translation
    for page in pages(site):
        text = page.read_text(encoding="utf-8")
        head = text[: text.index("</head>")]
        assert not re.search(r'<link rel="alternate"[^>]*hreflang', head), page
        if page.name != "404.html":
            assert 'class="md-select__link"' in text, page
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert '<xhtml:link rel="alternate" hreflang="en" href="http://localhost:8000/en/submit/"/>' in sitemap


# --------------------------------------------------------------------------- the checker


def test_the_checker_names_an_unknown_inline_script_and_skips_data_blocks() -> None:
    page = (
        '<script id="portal-data" type="application/json">{"a": 1}</script>'
        "<script>alert(1)</script>"
        '<script type="module">import "x"</script>'
        '<script src="/assets/js/portal.js"></script>'
    )

    found = inline_code(page)

    assert [(code.kind, code.text) for code in found] == [
        ("script", "alert(1)"),
        ("script", 'import "x"'),
    ]
    assert found[0].hash == script_hash("alert(1)") == "'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"


def test_the_checker_names_event_handlers_javascript_urls_and_inline_styles(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text(
        '<a href="javascript:void(0)" onclick="go()">x</a><p style="color:red">y</p><style>p{}</style>',
        encoding="utf-8",
    )

    problems = unlisted_inline_code(tmp_path)

    assert [code.kind for code in problems["index.html"]] == [
        "javascript: URL",
        "event handler",
        "style attribute",
        "style element",
    ]


# --------------------------------------------------------------------------- the policy


def test_the_policy_allows_no_inline_code_and_no_framing() -> None:
    policy = directives(content_security_policy())

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'", *INLINE_SCRIPT_HASHES]
    assert policy["style-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'none'"]
    assert not [s for sources in policy.values() for s in sources if s.startswith("'unsafe-")]
    assert set(policy) == set(CSP_DIRECTIVES)


@pytest.mark.parametrize(
    "domain",
    [
        "complaints-staff.auth.cn-north-1.amazoncognito.com",
        "https://complaints-staff.auth.cn-north-1.amazoncognito.com/",
    ],
)
def test_a_console_built_to_sign_in_with_cognito_may_fetch_its_token_endpoint(domain: str) -> None:
    policy = directives(content_security_policy(staff_sign_in_domain=domain))

    assert policy["connect-src"] == ["'self'", "https://complaints-staff.auth.cn-north-1.amazoncognito.com"]


def test_a_portal_built_to_call_an_api_elsewhere_may_fetch_from_and_post_to_it() -> None:
    policy = directives(content_security_policy(api_base="https://api.example.cn/api"))

    assert policy["connect-src"] == ["'self'", "https://api.example.cn"]
    assert policy["form-action"] == ["'self'", "https://api.example.cn"]
    assert directives(content_security_policy(api_base=API_PATH))["connect-src"] == ["'self'"]


def test_the_local_stack_takes_the_sign_in_domain_the_build_reads() -> None:
    headers = portal_headers({"STAFF_COGNITO_DOMAIN": "staff.auth.example.cn"})

    assert "connect-src 'self' https://staff.auth.example.cn;" in headers["Content-Security-Policy"]
    assert "connect-src 'self';" in portal_headers({})["Content-Security-Policy"]


def test_a_sign_in_domain_that_is_not_https_is_refused() -> None:
    with pytest.raises(ValueError, match="https"):
        content_security_policy(staff_sign_in_domain="http://auth.example.cn")


def test_hsts_for_two_years_with_subdomains_and_preload_only_over_https() -> None:
    assert response_headers(https=True)["Strict-Transport-Security"] == (
        "max-age=63072000; includeSubDomains; preload"
    )
    assert "Strict-Transport-Security" not in response_headers(https=False)
    for https in (True, False):
        headers = response_headers(https=https)
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert "camera=()" in headers["Permissions-Policy"]
