"""What the stack hands the API about the local mail and SMS servers, what it records for
./scripts/jobs (.local/stack.json), and how ./scripts/jobs reads it back."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.lib.job_runner import parse_moment
from scripts.lib.jobs_cli import job_environment
from scripts.lib.mail_server import MailServer, pinned_version
from scripts.lib.serve import message_lines
from scripts.lib.stack import LocalStack, StackConfig, api_environment, stack_settings
from scripts.lib.stack_state import StackUnavailableError, read_state, remove_state, write_state

SECRET = "s" * 48


def _config(tmp_path: Path, **overrides: object) -> StackConfig:
    values: dict[str, object] = {
        "portal_port": 8000,
        "api_port": 8010,
        "dynamodb_port": 8020,
        "mail_port": 8005,
        "sms_port": 8006,
        "site_dir": tmp_path / "site",
        "access_code_secret": SECRET,
        "staff_auth_dir": tmp_path / "staff-auth",
    }
    values.update(overrides)
    return StackConfig(**values)  # type: ignore[arg-type]


def test_the_api_sends_mail_and_sms_to_the_local_servers(tmp_path: Path) -> None:
    env = api_environment(_config(tmp_path), base={})

    assert env["SES_ENDPOINT_URL"] == "http://localhost:8005"
    assert env["SNS_ENDPOINT_URL"] == "http://localhost:8006"
    assert "MESSAGES" not in env


@pytest.mark.parametrize("missing", ["mail_port", "sms_port"])
def test_without_a_local_server_the_api_sends_no_messages_rather_than_trying_aws(
    tmp_path: Path, missing: str
) -> None:
    env = api_environment(_config(tmp_path, **{missing: None}), base={})

    assert env["MESSAGES"] == "off"
    assert "SES_ENDPOINT_URL" not in env
    assert "SNS_ENDPOINT_URL" not in env


def test_message_settings_from_the_callers_shell_do_not_reach_the_api(tmp_path: Path) -> None:
    caller = {
        "SES_ENDPOINT_URL": "http://stale:1",
        "SNS_ENDPOINT_URL": "http://stale:2",
        "MESSAGES": "on",
        "OUTBOX_TABLE": "prod-outbox",
        "MAIL_FROM": "someone@prod.example",
        "SMS_SENDER_ID": "PROD",
    }

    env = api_environment(_config(tmp_path, mail_port=None), base=caller)

    assert env["MESSAGES"] == "off"
    for name in ("SES_ENDPOINT_URL", "SNS_ENDPOINT_URL", "OUTBOX_TABLE", "MAIL_FROM", "SMS_SENDER_ID"):
        assert name not in env


def test_the_api_settings_read_the_local_endpoints_the_stack_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chalicelib.settings import get_settings, reset_settings

    for name, value in api_environment(_config(tmp_path), base={}).items():
        monkeypatch.setenv(name, value)
    reset_settings()
    try:
        settings = get_settings()
        assert settings.ses_endpoint_url == "http://localhost:8005"
        assert settings.sns_endpoint_url == "http://localhost:8006"
        assert settings.messages_enabled
    finally:
        reset_settings()


def test_the_mail_server_never_gets_an_smtp_relay_from_our_environment() -> None:
    # aws-ses-v2-local relays every message to the SMTP server SMTP_TRANSPORT names.
    env = MailServer(8005).environment({"PATH": "/usr/bin", "SMTP_TRANSPORT": '{"host": "smtp.example"}'})

    assert env == {"PATH": "/usr/bin"}


def test_the_mail_server_version_is_pinned_exactly_with_a_lock_file() -> None:
    from scripts.lib.mail_server import PROJECT_DIR

    version = pinned_version()
    lock = json.loads((PROJECT_DIR / "package-lock.json").read_text(encoding="utf-8"))

    assert version.count(".") == 2
    assert version[0].isdigit()  # no range: ^, ~, >=
    assert lock["packages"]["node_modules/aws-ses-v2-local"]["version"] == version
    assert lock["packages"][""]["dependencies"] == {"aws-ses-v2-local": version}


def test_serve_prints_where_sent_mail_and_sms_can_be_read(tmp_path: Path) -> None:
    lines = "\n".join(message_lines(LocalStack(_config(tmp_path))))

    assert "http://localhost:8005/ " in lines
    assert "http://localhost:8005/store" in lines
    assert "http://localhost:8006/moto-api/data.json" in lines
    assert "./scripts/jobs run NAME" in lines


def test_serve_says_when_no_messages_are_sent(tmp_path: Path) -> None:
    lines = "\n".join(message_lines(LocalStack(_config(tmp_path, mail_port=None))))

    assert "OFF" in lines
    assert "8005" not in lines


# ---- the state file ---------------------------------------------------------------------------


def _write(tmp_path: Path, config: StackConfig, **overrides: object) -> Path:
    path = tmp_path / "stack.json"
    values: dict[str, object] = {
        "settings": stack_settings(config),
        "storage": config.storage,
        "urls": {"mail_viewer": "http://localhost:8005/"},
    }
    values.update(overrides)
    write_state(path, **values)  # type: ignore[arg-type]
    return path


def test_the_state_file_holds_the_apis_settings_but_never_the_secret(tmp_path: Path) -> None:
    config = _config(tmp_path)
    path = _write(tmp_path, config)

    text = path.read_text(encoding="utf-8")
    assert SECRET not in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    state = read_state(path)
    assert state.pid == os.getpid()
    assert state.settings["TABLE_PREFIX"] == "complaints-local"
    assert state.settings["SES_ENDPOINT_URL"] == "http://localhost:8005"
    assert "ACCESS_CODE_SECRET" not in state.settings


def test_a_job_gets_exactly_the_apis_settings_and_the_secret_it_was_given(tmp_path: Path) -> None:
    config = _config(tmp_path)
    state = read_state(_write(tmp_path, config))
    caller = {"PATH": "/usr/bin", "ACCESS_CODE_SECRET": SECRET, "TABLE_PREFIX": "stale", "MESSAGES": "off"}

    env = job_environment(state, environ=caller, secret_file=tmp_path / "absent")

    assert env == {"PATH": "/usr/bin", **api_environment(config, base={})}


def test_the_secret_is_read_from_the_file_serve_uses_when_not_given(tmp_path: Path) -> None:
    state = read_state(_write(tmp_path, _config(tmp_path)))
    secret_file = tmp_path / "access-code-secret"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")

    env = job_environment(state, environ={}, secret_file=secret_file)

    assert env["ACCESS_CODE_SECRET"] == SECRET


@pytest.mark.parametrize("given", [{"ACCESS_CODE_SECRET": "t" * 48}, {}])
def test_a_job_is_not_run_with_another_secret_than_the_stacks(tmp_path: Path, given: dict[str, str]) -> None:
    state = read_state(_write(tmp_path, _config(tmp_path)))

    with pytest.raises(StackUnavailableError, match="ACCESS_CODE_SECRET"):
        job_environment(state, environ=given, secret_file=tmp_path / "absent")


def test_jobs_are_refused_against_a_stack_that_keeps_its_data_in_memory(tmp_path: Path) -> None:
    state = read_state(_write(tmp_path, _config(tmp_path, storage="memory")))

    with pytest.raises(StackUnavailableError, match="STORAGE=memory"):
        job_environment(state, environ={"ACCESS_CODE_SECRET": SECRET})


def test_no_state_file_means_the_stack_is_not_running(tmp_path: Path) -> None:
    with pytest.raises(StackUnavailableError, match=r"not running .*\./scripts/serve"):
        read_state(tmp_path / "stack.json")


def test_a_state_file_left_by_a_stack_that_died_is_recognised(tmp_path: Path) -> None:
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    path = _write(tmp_path, _config(tmp_path), pid=int(gone.stdout))

    with pytest.raises(StackUnavailableError, match="not running any more"):
        read_state(path)


def test_a_stack_removes_only_its_own_state_file(tmp_path: Path) -> None:
    path = _write(tmp_path, _config(tmp_path))

    remove_state(path, pid=os.getpid() + 1)
    assert path.exists()
    remove_state(path)
    assert not path.exists()


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2027-01-05T09:00:00+08:00", "2027-01-05T01:00:00+00:00"),
        ("2027-01-05T01:00:00Z", "2027-01-05T01:00:00+00:00"),
    ],
)
def test_a_moment_is_read_with_its_offset(text: str, utc: str) -> None:
    assert parse_moment(text).astimezone().isoformat() == parse_moment(utc).astimezone().isoformat()


@pytest.mark.parametrize("text", ["2027-01-05T09:00:00", "tomorrow", "2027-13-01T00:00:00+08:00"])
def test_a_moment_without_an_offset_or_not_a_moment_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="2027-01-05T09:00:00\\+08:00"):
        parse_moment(text)


def test_a_changed_lock_file_makes_the_npm_project_install_afresh(tmp_path: Path) -> None:
    from scripts.lib.npm_packages import npm_project_installed, project_marker

    project, installed = tmp_path / "project", tmp_path / "installed"
    project.mkdir()
    (project / "package.json").write_text('{"dependencies": {"x": "1.0.0"}}', encoding="utf-8")
    (project / "package-lock.json").write_text('{"lockfileVersion": 3}', encoding="utf-8")
    (installed / "node_modules" / "x").mkdir(parents=True)
    (installed / "node_modules" / "x" / "cli.js").write_text("", encoding="utf-8")
    (installed / ".installed-from").write_text(project_marker(project) + "\n", encoding="utf-8")
    required = Path("node_modules", "x", "cli.js")
    assert npm_project_installed(project, installed, required)

    (project / "package-lock.json").write_text('{"lockfileVersion": 3, "packages": {}}', encoding="utf-8")

    assert not npm_project_installed(project, installed, required)
