"""The portal's pages take every time limit from policy.json at build time (portal_docs/hooks/portal_data.py).

The build reads the data directory named by PORTAL_DATA_DIR (mkdocs.yml ``extra.data_dir``), so a
changed copy of the API's data can be built without touching the real files.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scripts.lib.paths import REPO_ROOT

DATA_DIR = REPO_ROOT / "api" / "chalicelib" / "data"
# Pages that state time limits or windows, in both languages.
PAGES = ("", "policy/", "process/", "faq/", "submit/")


def build(site: Path, data_dir: Path = DATA_DIR, **env_vars: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PORTAL_DATA_DIR": str(data_dir), "NO_MKDOCS_2_WARNING": "1", **env_vars}
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def page_text(site: Path, lang: str, path: str) -> str:
    """The visible text of a built page's article, with no-break spaces as spaces."""
    source = (site / ("" if lang == "zh" else "en/") / path / "index.html").read_text(encoding="utf-8")
    article = source[source.index("<article") : source.index("</article>")]
    text = html.unescape(re.sub(r"<[^>]+>", " ", article))
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, copy)
    return copy


def change(data_dir: Path, name: str, edit: Any) -> None:
    path = data_dir / name
    document = json.loads(path.read_text(encoding="utf-8"))
    edit(document)
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")


def test_changed_time_limits_in_policy_json_change_every_built_page(tmp_path: Path, data_copy: Path) -> None:
    # Given a copy of the API's data whose limits and windows are all different from the real ones
    original = json.loads((DATA_DIR / "policy.json").read_text(encoding="utf-8"))
    assert original["time_limits"]["decide"]["working_days"] != 7
    assert original["windows"]["review_request"]["days"] != 45
    assert original["windows"]["feedback"]["days"] != 21

    def edit(policy: dict[str, Any]) -> None:
        policy["time_limits"]["decide"]["working_days"] = 7
        policy["windows"]["review_request"]["days"] = 45
        policy["windows"]["feedback"]["days"] = 21

    change(data_copy, "policy.json", edit)

    # When the portal is built from that copy
    site = tmp_path / "site"
    result = build(site, data_copy)
    assert result.returncode == 0, result.stderr

    # Then the pages state the new numbers in both languages
    policy_zh, policy_en = page_text(site, "zh", "policy/"), page_text(site, "en", "policy/")
    assert "7 个工作日" in policy_zh
    assert "7 working days" in policy_en
    assert "45 日" in policy_zh
    assert "45 days" in policy_en
    assert "21 日" in page_text(site, "zh", "faq/")
    assert "21 days" in page_text(site, "en", "faq/")
    assert "45 日" in page_text(site, "zh", "process/")
    assert "21 days" in page_text(site, "en", "")
    # and none of them still says the old ones (no other limit has these lengths)
    old_decide = original["time_limits"]["decide"]["working_days"]
    old_window = original["windows"]["review_request"]["days"]
    for lang in ("zh", "en"):
        for path in PAGES:
            text = page_text(site, lang, path)
            assert f"{old_decide} 个工作日" not in text, (lang, path)
            assert f"{old_decide} working days" not in text, (lang, path)
            assert f"{old_window} 日" not in text, (lang, path)
            assert f"{old_window} days" not in text, (lang, path)


def test_a_reason_for_not_accepting_without_an_explanation_fails_the_build(
    tmp_path: Path, data_copy: Path
) -> None:
    # Given a catalog with a new reason for not accepting that strings.yml does not explain
    def edit(catalog: dict[str, Any]) -> None:
        catalog["rejection_reasons"].append(
            {"code": "brand_new_reason", "label": {"zh": "新的原因", "en": "A new reason"}}
        )

    change(data_copy, "catalog.json", edit)

    # When the portal is built
    result = build(tmp_path / "site", data_copy)

    # Then the build fails and names the reason and the missing string
    assert result.returncode != 0
    assert "brand_new_reason" in result.stderr
    assert "policy.rejection_why.brand_new_reason" in result.stderr


def test_a_missing_data_directory_fails_the_build(tmp_path: Path) -> None:
    result = build(tmp_path / "site", tmp_path / "no-such-dir")
    assert result.returncode != 0
    assert "does not exist" in result.stderr


# Everything a page loads by itself: scripts, stylesheets, icons, images, frames, media.
RESOURCE = re.compile(
    r"<(?:script|img|iframe|source|audio|video|embed)\b[^>]*?\ssrc=[\"']([^\"']+)"
    r"|<link\b[^>]*?\shref=[\"']([^\"']+)",
    re.IGNORECASE,
)
CSS_URL = re.compile(r"url\(\s*[\"']?([^\"')]+)|@import\s+[\"']([^\"']+)", re.IGNORECASE)


def test_the_built_portal_loads_nothing_from_another_site(tmp_path: Path) -> None:
    # Given the portal built for its real addresses
    portal = "https://portal.example.cn/"
    site = tmp_path / "site"
    result = build(site, PORTAL_URL=portal, PORTAL_API_BASE="https://api.example.cn")
    assert result.returncode == 0, result.stderr

    # Then no page and no stylesheet loads a font, script, style or image from elsewhere
    # (the canonical and alternate-language links name the portal itself)
    outside: list[tuple[str, str]] = []
    for path in sorted(site.rglob("*.html")):
        for match in RESOURCE.finditer(path.read_text(encoding="utf-8")):
            address = match.group(1) or match.group(2)
            if re.match(r"(?i)(https?:)?//", address) and not address.startswith(portal):
                outside.append((str(path.relative_to(site)), address))
    for path in sorted(site.rglob("*.css")):
        for match in CSS_URL.finditer(path.read_text(encoding="utf-8")):
            address = match.group(1) or match.group(2)
            if re.match(r"(?i)(https?:)?//", address):
                outside.append((str(path.relative_to(site)), address))
    assert not outside, outside
    pages = [p for p in site.rglob("index.html") if "404" not in p.parts]
    assert len(pages) >= 16


def test_every_interface_string_is_exactly_a_chinese_and_an_english_text() -> None:
    # An unquoted comma in a flow mapping ({en: Sending, please wait…}) cuts the text short silently.
    import yaml  # type: ignore[import-untyped]  # mkdocs' own dependency, no stubs here

    strings = yaml.safe_load((REPO_ROOT / "portal_docs" / "strings.yml").read_text(encoding="utf-8"))
    broken = {
        key: text
        for key, text in strings.items()
        if set(text) != {"zh", "en"} or not all(isinstance(value, str) and value for value in text.values())
    }
    assert not broken, broken
