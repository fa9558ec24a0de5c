"""The local-stack launchers (scripts/lib) hand the API the environment it expects and count results."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from scripts.lib.junit_summary import Counts, count
from scripts.lib.stack import StackConfig, api_environment, ensure_access_code_secret
from tests.support.artifacts import safe_name


def _config(tmp_path: Path, **overrides: object) -> StackConfig:
    values: dict[str, object] = {
        "portal_port": 8000,
        "api_port": 8010,
        "dynamodb_port": 8020,
        "site_dir": tmp_path / "site",
        "access_code_secret": "s" * 48,
        "staff_auth_dir": tmp_path / "staff-auth",
    }
    values.update(overrides)
    return StackConfig(**values)  # type: ignore[arg-type]


def test_the_api_gets_the_local_settings_and_the_dummy_credentials(tmp_path: Path) -> None:
    env = api_environment(_config(tmp_path), base={"PATH": "/usr/bin"})

    assert env["STAGE"] == "local"
    assert env["STORAGE"] == "dynamodb"
    assert env["DYNAMODB_ENDPOINT_URL"] == "http://localhost:8020"
    assert env["TABLE_PREFIX"] == "complaints-local"
    assert env["PORTAL_ORIGIN"] == "http://localhost:8000"
    assert env["PORTAL_URL"] == "http://localhost:8000/"
    assert env["ACCESS_CODE_SECRET"] == "s" * 48
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) == ("local", "local")
    assert env["AWS_REGION"] == env["AWS_DEFAULT_REGION"] == "us-east-1"
    assert env["PATH"] == "/usr/bin"


def test_the_api_trusts_the_local_staff_token_issuer_of_the_stack(tmp_path: Path) -> None:
    config = _config(tmp_path)

    env = api_environment(config, base={"STAFF_JWKS_URL": "https://stale.example/jwks.json"})

    assert env["STAFF_ISSUER"] == config.issuer.issuer
    assert env["STAFF_AUDIENCE"] == config.issuer.audience
    assert env["STAFF_JWKS_PATH"] == str(tmp_path / "staff-auth" / "jwks.json")
    assert (tmp_path / "staff-auth" / "jwks.json").is_file()
    assert "STAFF_JWKS_URL" not in env


def test_stale_settings_from_the_callers_shell_do_not_reach_the_api(tmp_path: Path) -> None:
    caller = {"CASES_TABLE": "prod-cases", "AWS_PROFILE": "prod", "DYNAMODB_ENDPOINT_URL": "http://x:1"}

    env = api_environment(_config(tmp_path, storage="memory"), base=caller)

    assert "CASES_TABLE" not in env
    assert "AWS_PROFILE" not in env
    assert "DYNAMODB_ENDPOINT_URL" not in env
    assert env["STORAGE"] == "memory"


def test_the_access_code_secret_is_made_once_private_and_long(tmp_path: Path) -> None:
    path = tmp_path / "access-code-secret"

    first = ensure_access_code_secret(path)
    second = ensure_access_code_secret(path)

    assert first == second
    assert len(first) == 48
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_too_short_secret_file_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "access-code-secret"
    path.write_text("short\n", encoding="utf-8")

    assert len(ensure_access_code_secret(path)) == 48


@pytest.mark.parametrize(
    ("xml", "expected"),
    [
        (
            '<testsuites><testsuite tests="10" failures="1" errors="2" skipped="3"/></testsuites>',
            Counts(passed=4, failed=3, skipped=3),
        ),
        ('<testsuite tests="2" failures="0" errors="0" skipped="0"/>', Counts(passed=2)),
        ("not xml", Counts()),
    ],
)
def test_junit_reports_are_counted(tmp_path: Path, xml: str, expected: Counts) -> None:
    report = tmp_path / "report.xml"
    report.write_text(xml, encoding="utf-8")

    assert count(report) == expected


def test_a_missing_junit_report_counts_nothing(tmp_path: Path) -> None:
    assert count(tmp_path / "absent.xml") == Counts()


def test_artifact_names_keep_chinese_and_drop_path_characters() -> None:
    assert safe_name("test_submit[zh-提交]/../x") == "test_submit-zh-提交-..-x"
    assert safe_name("///") == "unnamed"


def test_serve_prints_a_console_link_whose_token_the_api_would_accept(tmp_path: Path) -> None:
    import jwt

    from scripts.lib.serve import staff_sign_in_lines
    from scripts.lib.stack import LocalStack

    stack = LocalStack(_config(tmp_path))

    lines = staff_sign_in_lines(stack)

    link = next(line.strip() for line in lines if "#token=" in line and "<" not in line)
    assert link.startswith("http://localhost:8000/staff/#token=")
    token = link.partition("#token=")[2]
    keys = jwt.PyJWKSet.from_json(stack.issuer.jwks_path.read_text(encoding="utf-8"))
    claims = jwt.decode(
        token,
        keys.keys[0].key,
        algorithms=["RS256"],
        audience=stack.issuer.audience,
        issuer=stack.issuer.issuer,
    )
    assert claims["cognito:groups"] == ["supervisor"]
    assert any("./scripts/staff-token --role officer" in line for line in lines)
