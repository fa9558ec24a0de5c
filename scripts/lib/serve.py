"""``./scripts/serve``: run the whole portal locally until Ctrl-C (SIGINT) or SIGTERM.

Environment: PORTAL_PORT (8000), API_PORT (8010), DYNAMODB_PORT (8020), MAIL_PORT (8005), SMS_PORT
(8006), S3_PORT (8333, the local S3 for attachments; data in .local/s3-data), STORAGE (dynamodb, or memory to keep nothing). Data lives in .local/dynamodb-data and survives
restarts. While it runs, .local/stack.json tells ./scripts/jobs what it runs with.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
from types import FrameType

from scripts.lib import mail_server, s3_server, sms_server
from scripts.lib.dynamodb_local import DUMMY_AWS_ENV, DynamoDBLocalError
from scripts.lib.paths import LOCAL_DIR
from scripts.lib.ports import PortBusyError, require_free_ports
from scripts.lib.processes import ProcessError
from scripts.lib.server_process import ServerStartError
from scripts.lib.stack import LocalStack, StackConfig, StackError, Storage, ensure_access_code_secret
from scripts.lib.stack_state import STATE_FILE

__all__ = ["main", "staff_sign_in_lines"]

_RULE = "=" * 78

# Who the sign-in link printed at start-up signs in as.
DEMO_SUPERVISOR = "张主管"
DEMO_LINK_HOURS = 12


class _StopRequested(BaseException):
    """Raised by the signal handler to abort whatever the main thread is doing."""


def _port(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip() or str(default)
    try:
        port = int(raw)
    except ValueError:
        raise SystemExit(f"ERROR: {name} must be a port number, not {raw!r}") from None
    if not 0 < port < 65536:
        raise SystemExit(f"ERROR: {name} must be between 1 and 65535, not {port}")
    return port


def _loud(*lines: str) -> None:
    bar = "!" * 78
    print("\n" + bar, file=sys.stderr)
    for line in lines:
        print(f"!!! {line}", file=sys.stderr)
    print(bar + "\n", file=sys.stderr, flush=True)


def _choose_storage() -> Storage:
    wanted = os.environ.get("STORAGE", "").strip() or "dynamodb"
    if wanted not in ("dynamodb", "memory"):
        raise SystemExit(f"ERROR: STORAGE must be 'dynamodb' or 'memory', not {wanted!r}")
    if wanted == "dynamodb" and shutil.which("java") is None:
        _loud(
            "java is not installed, so DynamoDB Local cannot run.",
            "Falling back to STORAGE=memory: NOTHING IS KEPT AFTER YOU STOP THE SERVER.",
            "Install Java to keep data: apt-get install -y openjdk-17-jre-headless",
        )
        return "memory"
    if wanted == "memory":
        _loud("STORAGE=memory: NOTHING IS KEPT AFTER YOU STOP THE SERVER.")
        return "memory"
    return "dynamodb"


def _messages_servers() -> bool:
    """Whether the mail and the SMS server can both run (one alone sends nothing: the API's messages
    are on with both or off); loudly says what is missing and what follows."""
    reasons = {
        "mail (SES v2)": mail_server.unavailable_reason(),
        "SMS (SNS)": sms_server.unavailable_reason(),
    }
    missing = [f"No local {what} server: {reason}" for what, reason in reasons.items() if reason is not None]
    if missing:
        _loud(
            *missing,
            "So the API runs with MESSAGES=off: it SENDS NO E-MAIL AND NO SMS.",
            "Install what is missing and start ./scripts/serve again to have them.",
        )
    return not missing


def _s3_server() -> bool:
    """Whether the local S3 can run; loudly says what follows when it cannot."""
    reason = s3_server.unavailable_reason()
    if reason is not None:
        _loud(
            f"No local S3 server: {reason}",
            "So the portal offers NO ATTACHMENTS (the API names no bucket).",
        )
    return reason is None


def staff_sign_in_lines(stack: LocalStack) -> list[str]:
    """The staff console's sign-in link for a demo supervisor, and how to get other roles."""
    token = stack.issuer.token(
        roles=["supervisor"], name=DEMO_SUPERVISOR, lifetime_seconds=DEMO_LINK_HOURS * 3600
    )
    return [
        f"  Staff console: sign in as supervisor {DEMO_SUPERVISOR} (valid {DEMO_LINK_HOURS} h) with",
        f"    {stack.staff_console_url}#token={token}",
        f"    (English: {stack.portal_url}en/staff/#token=<the same token>)",
        "  Other roles: paste a token from ./scripts/staff-token into the console, or add it as #token=...",
        "    ./scripts/staff-token --role officer --name 王专员",
        "    ./scripts/staff-token --role handler --name 李承办 --department ecology_environment",
    ]


def message_lines(stack: LocalStack) -> list[str]:
    """Where sent messages can be read, and how the jobs run."""
    lines = []
    if stack.mail_viewer_url is not None and stack.sms_data_url is not None:
        lines += [
            f"    Mail (SES v2)   {stack.mail_viewer_url}  (every e-mail sent; as JSON: {stack.mail_store_url})",
            f"    SMS (SNS)       {stack.sms_data_url}  (every SMS sent, under sns → SMS)",
        ]
    else:
        lines.append("    Messages        OFF: no local mail or SMS server (see the warning above)")
    if stack.s3_url is not None:
        lines.append(
            f"    S3 (SeaweedFS)  {stack.s3_url}  (attachments, bucket {stack.config.attachments_bucket}; "
            f"data in {stack.s3.data_dir if stack.s3 else ''})"
        )
    else:
        lines.append("    S3              OFF: no local S3 server, no attachments (see the warning above)")
    if stack.scheduler is not None:
        lines.append("    Jobs            fired on their schedules, one [jobs] line per run")
    else:
        lines.append("    Jobs            not scheduled (STORAGE=memory: a job's process would see no data)")
    lines.append(
        "                    ./scripts/jobs list | ./scripts/jobs run NAME [--at 2027-01-05T09:00:00+08:00]"
    )
    return lines


def _print_ready(stack: LocalStack) -> None:
    config = stack.config
    print(f"\n{_RULE}", flush=True)
    print("  Complaint portal is running", flush=True)
    print(f"    Portal          {config.portal_url}", flush=True)
    print(f"    API             {config.portal_api_url}/  (what the portal calls)", flush=True)
    print(f"                    {config.api_url}/  (the same API on its own port)", flush=True)
    if config.storage == "dynamodb":
        print(f"    DynamoDB Local  {config.dynamodb_url}  (data in {config.dynamodb_data_dir})", flush=True)
        credentials = " ".join(
            f"{key}={value}" for key, value in DUMMY_AWS_ENV.items() if "DEFAULT" not in key
        )
        print(f"                    clients must use {credentials}", flush=True)
    else:
        print("    Storage         in memory: nothing is kept after stopping", flush=True)
    for line in message_lines(stack):
        print(line, flush=True)
    print("", flush=True)
    for line in staff_sign_in_lines(stack):
        print(line, flush=True)
    print("", flush=True)
    took = stack.timings.get("all ready", 0.0)
    steps = ", ".join(f"{name} {at:.1f} s" for name, at in stack.timings.items() if name != "all ready")
    print(f"  Ready in {took:.1f} s ({steps}). Press Ctrl-C to stop everything.", flush=True)
    print(f"{_RULE}\n", flush=True)


def main() -> int:
    ports = {
        name: _port(name, default)
        for name, default in (
            ("PORTAL_PORT", 8000),
            ("API_PORT", 8010),
            ("DYNAMODB_PORT", 8020),
            ("MAIL_PORT", 8005),
            ("SMS_PORT", 8006),
            ("S3_PORT", 8333),
        )
    }
    if len(set(ports.values())) != len(ports):
        print(f"ERROR: {', '.join(ports)} must all differ", file=sys.stderr)
        return 2
    storage = _choose_storage()
    messages = _messages_servers()
    s3 = _s3_server()
    wanted_ports = {name: ports[name] for name in ("PORTAL_PORT", "API_PORT")}
    if storage == "dynamodb":
        wanted_ports["DYNAMODB_PORT"] = ports["DYNAMODB_PORT"]
    if messages:
        wanted_ports["MAIL_PORT"] = ports["MAIL_PORT"]
        wanted_ports["SMS_PORT"] = ports["SMS_PORT"]
    if s3:
        wanted_ports["S3_PORT"] = ports["S3_PORT"]
    try:
        require_free_ports(wanted_ports)
    except PortBusyError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1

    config = StackConfig(
        portal_port=ports["PORTAL_PORT"],
        api_port=ports["API_PORT"],
        dynamodb_port=ports["DYNAMODB_PORT"],
        site_dir=LOCAL_DIR / "site",
        access_code_secret=os.environ.get("ACCESS_CODE_SECRET", "").strip() or ensure_access_code_secret(),
        storage=storage,
        dynamodb_data_dir=LOCAL_DIR / "dynamodb-data",
        mail_port=ports["MAIL_PORT"] if messages else None,
        sms_port=ports["SMS_PORT"] if messages else None,
        s3_port=ports["S3_PORT"] if s3 else None,
        s3_data_dir=LOCAL_DIR / "s3-data",
        # A job run is a process of its own: with STORAGE=memory it would see none of the API's data.
        run_schedules=storage == "dynamodb",
        state_file=STATE_FILE,
    )
    stack = LocalStack(config)
    stopping = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        if stopping.is_set():
            return
        stopping.set()
        print(
            f"\n==> {signal.Signals(signum).name} received: stopping everything", file=sys.stderr, flush=True
        )
        raise _StopRequested

    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, request_stop)

    exit_code = 0
    try:
        stack.start()
        _print_ready(stack)
        while True:
            dead = stack.dead_process()
            if dead is not None:
                print(f"\nERROR: {dead} stopped on its own; stopping the rest", file=sys.stderr, flush=True)
                exit_code = 1
                break
            stopping.wait(1.0)
    except _StopRequested:
        pass
    except (StackError, DynamoDBLocalError, ServerStartError, ProcessError, OSError) as error:
        print(f"\nERROR: {error}", file=sys.stderr, flush=True)
        exit_code = 1
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        stack.stop()
        print("==> stopped: everything this script started is down", file=sys.stderr, flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
