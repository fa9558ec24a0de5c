"""The launchers behind ./scripts/serve on loopback: static server, ports, process groups."""

from __future__ import annotations

import http.client
import os
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.lib.ports import PortBusyError, free_port, is_port_free, require_free_ports
from scripts.lib.processes import ManagedProcess
from scripts.lib.static_server import StaticSiteServer


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<title>投诉</title>", encoding="utf-8")
    (tmp_path / "404.html").write_text("<h1>页面不存在</h1>", encoding="utf-8")
    for name in ("app.js", "style.css", "logo.svg", "data.json"):
        (tmp_path / "assets" / name).write_text("x", encoding="utf-8")
    server = StaticSiteServer(tmp_path, port=0, quiet=True).start()
    try:
        yield tmp_path, server.port
    finally:
        server.stop()


def _get(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/assets/app.js", "text/javascript; charset=utf-8"),
        ("/assets/style.css", "text/css; charset=utf-8"),
        ("/assets/logo.svg", "image/svg+xml; charset=utf-8"),
        ("/assets/data.json", "application/json; charset=utf-8"),
    ],
)
def test_the_portal_server_sends_correct_utf8_content_types(
    site: tuple[Path, int], path: str, content_type: str
) -> None:
    status, headers, _ = _get(site[1], path)

    assert status == 200
    assert headers["content-type"] == content_type
    assert headers["cache-control"] == "no-store"


def test_a_missing_page_gets_the_sites_own_404_page(site: tuple[Path, int]) -> None:
    status, headers, body = _get(site[1], "/no/such/page/")

    assert status == 404
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert "页面不存在" in body.decode("utf-8")


def test_a_listening_port_is_reported_busy_by_its_variable_name() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        assert not is_port_free(port)
        with pytest.raises(PortBusyError, match=f"API_PORT={port}"):
            require_free_ports({"API_PORT": port})


def test_a_free_port_is_free() -> None:
    assert is_port_free(free_port())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie has exited; only its parent has not reaped it yet.
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat_file:
        return stat_file.read().split()[2] != "Z"


def test_stopping_a_process_also_stops_the_children_it_started(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"
    script = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "time.sleep(120)\n"
    )
    process = ManagedProcess(
        "sleeper", [sys.executable, "-c", script], cwd=tmp_path, env=os.environ, log_path=tmp_path / "log"
    ).start()
    deadline = time.monotonic() + 10
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, "the child never started its own child"
        time.sleep(0.05)
    grandchild = int(pid_file.read_text())

    process.stop(timeout=5)

    deadline = time.monotonic() + 5
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild)
    assert not process.running
