"""Child processes that are always stopped: each runs in its own process group and session.

``ManagedProcess.stop()`` signals the whole group (SIGTERM, then SIGKILL), so a child's own children
go too. Where util-linux ``setpriv`` exists, children also get SIGTERM when their parent dies
(``--pdeathsig``), so even a SIGKILLed supervisor leaves no orphans behind. Linux ties that signal
to the *thread* that started the child: start long-lived children from the main thread.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

__all__ = ["ManagedProcess", "ProcessError"]


class ProcessError(RuntimeError):
    """A child process could not be started, or ended when it should not have."""


def _with_parent_death_signal(argv: Sequence[str]) -> list[str]:
    setpriv = shutil.which("setpriv")
    if setpriv is None or not sys.platform.startswith("linux"):
        return list(argv)
    return [setpriv, "--pdeathsig", "TERM", "--", *argv]


class ManagedProcess:
    """One child process. Output goes to ``log_path`` if given, else to our stdout, prefixed."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        cwd: Path,
        env: Mapping[str, str],
        log_path: Path | None = None,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.cwd = cwd
        self.env = dict(env)
        self.log_path = log_path
        self._popen: subprocess.Popen[bytes] | None = None
        self._log_file: IO[bytes] | None = None
        self._pump: threading.Thread | None = None

    @property
    def pid(self) -> int:
        if self._popen is None:
            raise ProcessError(f"{self.name} was never started")
        return self._popen.pid

    def start(self) -> ManagedProcess:
        if self._popen is not None:
            raise ProcessError(f"{self.name} is already started")
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log_file = self.log_path.open("ab")
            stdout: int | IO[bytes] = self._log_file
        else:
            stdout = subprocess.PIPE
        try:
            self._popen = subprocess.Popen(
                _with_parent_death_signal(self.argv),
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as error:
            self._close_log()
            raise ProcessError(f"cannot start {self.name} ({self.argv[0]}): {error}") from error
        if self._popen.stdout is not None:
            self._pump = threading.Thread(
                target=self._echo, args=(self._popen.stdout,), name=f"echo-{self.name}", daemon=True
            )
            self._pump.start()
        return self

    def _echo(self, stream: IO[bytes]) -> None:
        prefix = f"[{self.name}] ".encode()
        echo = True
        for line in iter(stream.readline, b""):
            if not echo:
                continue  # keep draining, or the child blocks on a full pipe
            try:
                sys.stdout.buffer.write(prefix + line)
                sys.stdout.buffer.flush()
            except (OSError, ValueError):  # our stdout went away (closed pipe, closed file)
                echo = False
        stream.close()

    def poll(self) -> int | None:
        """The exit code if the process has ended, else None."""
        if self._popen is None:
            return None
        return self._popen.poll()

    @property
    def running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    def wait(self, timeout: float | None = None) -> int:
        if self._popen is None:
            raise ProcessError(f"{self.name} was never started")
        code = self._popen.wait(timeout)
        self._finish_output()
        return code

    def log_tail(self, lines: int = 30) -> str:
        """The last lines of the log file (empty when output went to stdout)."""
        if self.log_path is None or not self.log_path.exists():
            return ""
        text = self.log_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def _signal_group(self, signum: signal.Signals) -> None:
        if self._popen is None:
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self._popen.pid, signum)

    def stop(self, timeout: float = 8.0) -> int | None:
        """Stop the process group: SIGTERM, then SIGKILL after ``timeout`` seconds. Idempotent."""
        if self._popen is None:
            return None
        # Signal the group even if the leader is gone: a child of it may still be there.
        self._signal_group(signal.SIGTERM)
        try:
            code = self._popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self._signal_group(signal.SIGKILL)
            code = self._popen.wait(5)
        # A grandchild that ignored SIGTERM must not outlive us.
        self._signal_group(signal.SIGKILL)
        self._finish_output()
        return code

    def _finish_output(self) -> None:
        if self._pump is not None:
            self._pump.join(timeout=2)
            self._pump = None
        self._close_log()

    def _close_log(self) -> None:
        if self._log_file is not None:
            self._log_file.close()
            self._log_file = None
