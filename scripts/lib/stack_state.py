"""What a running stack tells the tools that work against it: ``.local/stack.json``.

``./scripts/serve`` writes it once everything answers and removes it when it stops; ``./scripts/jobs``
reads it, so a job runs with exactly the settings the running API has (table prefix, endpoints,
staff issuer, ports chosen through PORTAL_PORT, MAIL_PORT and the like) without deriving them a
second time. It holds the settings the stack gives the API (``scripts.lib.stack.stack_settings``)
minus the secrets: of those it keeps a SHA-256 only, so a tool given the wrong secret says so
instead of running with it. The file also names the process that wrote it (pid and start time),
so a file left behind by a killed ``serve`` is recognised as stale.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from scripts.lib.paths import LOCAL_DIR

__all__ = [
    "SECRET_VARIABLES",
    "STATE_FILE",
    "StackState",
    "StackUnavailableError",
    "read_state",
    "remove_state",
    "write_state",
]

STATE_FILE = LOCAL_DIR / "stack.json"
# Settings that are secrets: never written, only their hash (to check what a tool is given).
SECRET_VARIABLES = ("ACCESS_CODE_SECRET",)
_VERSION = 1


class StackUnavailableError(RuntimeError):
    """There is no running stack to work against (none recorded, the one recorded has gone), or it
    cannot be used as asked (another secret than its own)."""


def _fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _process_start(pid: int) -> str | None:
    """When process ``pid`` started (clock ticks since boot, from /proc), or None if unknown or gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    # Field 2 (the command) is in parentheses and may hold spaces; field 22 (starttime) comes after.
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else None


def _alive(pid: int, start: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, someone else's
    # A recycled pid belongs to a process that started at another moment.
    return start is None or _process_start(pid) in (None, start)


@dataclass(frozen=True, slots=True)
class StackState:
    path: Path
    pid: int
    storage: str
    # The API's settings, secrets left out.
    settings: Mapping[str, str]
    secret_hashes: Mapping[str, str]
    # What people and tests open: portal, api, dynamodb, mail viewer, sms data (those running).
    urls: Mapping[str, str]

    def environment(self, base: Mapping[str, str], secrets: Mapping[str, str]) -> dict[str, str]:
        """``base`` with the stack's settings and ``secrets`` (checked against the recorded hashes)."""
        for name, expected in self.secret_hashes.items():
            given = secrets.get(name)
            if given is None:
                raise StackUnavailableError(
                    f"{name} is needed: set it to the value ./scripts/serve was started with"
                )
            if _fingerprint(given) != expected:
                raise StackUnavailableError(
                    f"{name} is not the one the running stack uses: set it to the value "
                    "./scripts/serve was started with (by default .local/access-code-secret)"
                )
        env = dict(base)
        env.update(self.settings)
        env.update({name: secrets[name] for name in self.secret_hashes})
        return env


def write_state(
    path: Path,
    *,
    settings: Mapping[str, str],
    storage: str,
    urls: Mapping[str, str],
    pid: int | None = None,
) -> None:
    """Record the running stack (atomically, readable by its owner only)."""
    pid = os.getpid() if pid is None else pid
    payload = {
        "version": _VERSION,
        "pid": pid,
        "process_start": _process_start(pid),
        "storage": storage,
        "settings": {name: value for name, value in settings.items() if name not in SECRET_VARIABLES},
        "secret_hashes": {
            name: _fingerprint(value) for name, value in settings.items() if name in SECRET_VARIABLES
        },
        "urls": dict(urls),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(payload, file, ensure_ascii=False, indent=2)
            file.write("\n")
        os.chmod(temporary, 0o600)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_state(path: Path, *, pid: int | None = None) -> None:
    """Remove the record if it is ours (another stack may have written it since)."""
    pid = os.getpid() if pid is None else pid
    try:
        recorded = json.loads(path.read_text(encoding="utf-8")).get("pid")
    except (OSError, ValueError):
        return
    if recorded == pid:
        path.unlink(missing_ok=True)


def read_state(path: Path = STATE_FILE) -> StackState:
    """The running stack recorded in ``path``; StackUnavailableError says why there is none."""
    start_it = "start it with ./scripts/serve (in another terminal) and try again"
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StackUnavailableError(f"the local stack is not running (no {path}): {start_it}") from None
    except (OSError, ValueError) as error:
        raise StackUnavailableError(f"{path} cannot be read ({error}): {start_it}") from None
    if not isinstance(payload, dict) or payload.get("version") != _VERSION:
        raise StackUnavailableError(f"{path} is from another version of the scripts: {start_it}")
    pid = int(payload["pid"])
    if not _alive(pid, payload.get("process_start")):
        raise StackUnavailableError(
            f"the local stack recorded in {path} (process {pid}) is not running any more: {start_it}"
        )
    return StackState(
        path=path,
        pid=pid,
        storage=str(payload["storage"]),
        settings=dict(payload["settings"]),
        secret_hashes=dict(payload["secret_hashes"]),
        urls=dict(payload["urls"]),
    )
