"""A local HTTP server run as a managed child process: started, waited for until it answers, stopped.

The local stand-ins for AWS services (``mail_server``, ``sms_server``) are this, each with its own
command and the path that answers once it is ready.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import Self

from scripts.lib.paths import REPO_ROOT
from scripts.lib.ports import local_url, wait_for_http
from scripts.lib.processes import ManagedProcess

__all__ = ["ServerProcess", "ServerStartError"]


class ServerStartError(RuntimeError):
    """A local server could not be installed or did not start answering."""


class ServerProcess:
    """Subclasses set ``name``, ``label``, ``ready_path`` and ``command()``."""

    name = "server"  # the ManagedProcess name, the [name] prefix of its output
    label = "server"  # how messages call it
    ready_path = "/"  # answers HTTP once the server is ready

    def __init__(self, port: int, *, host: str = "127.0.0.1", log_path: Path | None = None) -> None:
        self.port = port
        self.host = host
        self.log_path = log_path
        self._process: ManagedProcess | None = None

    @property
    def url(self) -> str:
        """Its base URL, without a trailing slash."""
        return local_url(self.port)

    @property
    def process(self) -> ManagedProcess | None:
        return self._process

    def command(self) -> list[str]:
        raise NotImplementedError

    def environment(self, base: Mapping[str, str]) -> dict[str, str]:
        """The server's environment, made from ours."""
        return dict(base)

    def cwd(self) -> Path:
        return REPO_ROOT

    def start(self, *, timeout: float = 60.0) -> Self:
        """Start it and wait until it answers."""
        try:
            self.launch()
            self.wait_until_ready(timeout=timeout)
        except BaseException:
            self.stop()
            raise
        return self

    def launch(self) -> Self:
        """Start the process without waiting (``wait_until_ready`` then waits), so that several
        servers can come up side by side."""
        if self._process is not None:
            raise ServerStartError(f"the {self.label} is already started")
        process = ManagedProcess(
            self.name,
            self.command(),
            cwd=self.cwd(),
            env=self.environment(os.environ),
            log_path=self.log_path,
        )
        self._process = process
        process.start()
        return self

    def wait_until_ready(self, *, timeout: float = 60.0) -> None:
        process = self._process
        if process is None:
            raise ServerStartError(f"the {self.label} was never started")
        try:
            status = wait_for_http(
                f"http://{self.host}:{self.port}{self.ready_path}",
                timeout=timeout,
                still_starting=lambda: process.running,
            )
        except (TimeoutError, RuntimeError) as error:
            tail = process.log_tail()
            raise ServerStartError(
                f"the {self.label} did not start on port {self.port}: {error}"
                + (f" (exit code {process.poll()})" if process.poll() is not None else "")
                + (f"\n--- last lines of {process.log_path} ---\n{tail}" if tail else "")
            ) from error
        if status != 200:
            raise ServerStartError(f"the {self.label} answered {status} on {self.ready_path}, not 200")

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.running

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
