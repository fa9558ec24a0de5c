"""Ports: is one free, find a free one, wait until something answers HTTP on one."""

from __future__ import annotations

import http.client
import socket
import time
from collections.abc import Callable
from urllib.parse import urlsplit

__all__ = [
    "PortBusyError",
    "free_port",
    "is_port_free",
    "local_url",
    "require_free_ports",
    "wait_for_http",
]


class PortBusyError(RuntimeError):
    """A port the stack wants is already taken."""


def is_port_free(port: int) -> bool:
    """True when nothing listens on ``port`` on any IPv4 address.

    SO_REUSEADDR ignores sockets in TIME_WAIT (a just-stopped server) but still fails on a
    listener; binding the wildcard address also catches listeners bound to one address.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0", port))  # noqa: S104 - a probe, closed at once
        except OSError:
            return False
    return True


def require_free_ports(ports: dict[str, int]) -> None:
    """Raise PortBusyError naming every busy port and the variable that sets it."""
    busy = [f"{name}={port}" for name, port in ports.items() if not is_port_free(port)]
    if busy:
        raise PortBusyError(
            "port already in use: " + ", ".join(busy) + ". Stop whatever listens there "
            "(ss -ltnp shows it) or choose other ports, e.g. PORTAL_PORT=9000 API_PORT=9010 "
            "DYNAMODB_PORT=9020 MAIL_PORT=9005 SMS_PORT=9006 ./scripts/serve"
        )


def local_url(port: int) -> str:
    """A local server's base URL, as clients and people use it (no trailing slash)."""
    return f"http://localhost:{port}"


def free_port() -> int:
    """A port that was free a moment ago (the kernel's choice, so unlikely to be taken soon)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_http(
    url: str,
    *,
    timeout: float,
    still_starting: Callable[[], bool] = lambda: True,
    interval: float = 0.05,
) -> int:
    """Wait until ``url`` answers any HTTP status; return that status.

    ``still_starting`` is asked between tries: return False (e.g. the server process died) to give up
    at once. Raises TimeoutError or RuntimeError.
    """
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    port = parts.port or 80
    path = parts.path or "/"
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if not still_starting():
            raise RuntimeError(f"gave up waiting for {url}: the server process ended")
        connection = http.client.HTTPConnection(host, port, timeout=2)
        try:
            connection.request("GET", path)
            status = connection.getresponse().status
            return status
        except (OSError, http.client.HTTPException) as error:
            last_error = error
        finally:
            connection.close()
        time.sleep(interval)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s (last error: {last_error})")
