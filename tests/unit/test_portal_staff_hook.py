"""The portal hook's guards for the staff console: sign-in configuration, and interface strings
that templates and scripts use but strings.yml lacks."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from mkdocs.exceptions import PluginError

HOOK = Path(__file__).resolve().parents[2] / "portal_docs" / "hooks" / "portal_data.py"


@pytest.fixture(scope="module")
def hook() -> ModuleType:
    spec = importlib.util.spec_from_file_location("portal_data_under_test", HOOK)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def test_without_cognito_settings_the_console_uses_local_tokens(hook: ModuleType) -> None:
    assert hook._staff_auth({}) == {}
    assert hook._staff_auth({"cognito_domain": "", "client_id": ""}) == {}


def test_a_cognito_domain_becomes_an_https_origin_with_the_client_and_scopes(hook: ModuleType) -> None:
    auth = hook._staff_auth(
        {"cognito_domain": "staff.auth.cn-north-1.amazoncognito.com/", "client_id": "abc"}
    )

    assert auth == {
        "cognitoDomain": "https://staff.auth.cn-north-1.amazoncognito.com",
        "clientId": "abc",
        "scopes": "openid email profile",
    }


@pytest.mark.parametrize(
    "settings",
    [
        {"cognito_domain": "https://auth.example.cn", "client_id": ""},
        {"cognito_domain": "", "client_id": "abc"},
        {"cognito_domain": "http://auth.example.cn", "client_id": "abc"},
    ],
)
def test_half_or_insecure_cognito_settings_fail_the_build(hook: ModuleType, settings: dict[str, str]) -> None:
    with pytest.raises(PluginError):
        hook._staff_auth(settings)


def test_a_template_asking_for_a_missing_string_fails_the_build(hook: ModuleType) -> None:
    strings = hook.Strings({"staff.signout": "退出登录"})

    assert strings["staff.signout"] == "退出登录"
    with pytest.raises(PluginError, match=r"staff\.nope"):
        strings["staff.nope"]


def test_a_script_using_a_missing_string_fails_the_build(hook: ModuleType, tmp_path: Path) -> None:
    (tmp_path / "ok.js").write_text("t(\"staff.signout\"); t('common.optional');", encoding="utf-8")
    hook._check_script_strings(tmp_path, {"staff.signout": {}, "common.optional": {}})

    (tmp_path / "bad.js").write_text('var x = t("staff.queue.missing", { n: 1 });', encoding="utf-8")
    with pytest.raises(PluginError, match=r"bad\.js .*staff\.queue\.missing"):
        hook._check_script_strings(tmp_path, {"staff.signout": {}, "common.optional": {}})


def test_every_string_the_console_script_uses_exists(hook: ModuleType) -> None:
    import yaml  # type: ignore[import-untyped]

    strings = yaml.safe_load((HOOK.parents[1] / "strings.yml").read_text(encoding="utf-8"))
    hook._check_script_strings(HOOK.parents[1] / "pages" / "assets" / "js", strings)
