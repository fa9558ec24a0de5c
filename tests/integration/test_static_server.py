"""The portal's static server (scripts/lib/static_server.py): the portal's security headers on every
file, never a directory listing, and the API under /api passed on as it is, both ways."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from scripts.lib import static_server
from scripts.lib.portal_edge import content_security_policy, response_headers
from scripts.lib.ports import free_port
from scripts.lib.static_server import StaticSiteServer
from tests.support.api_client import PORTAL_ORIGIN, reset_app_state
from tests.support.api_server import serve_app

# ------------------------------------------------------------------ a stand-in API that records


@dataclass
class Seen:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]


@dataclass
class FakeApi:
    url: str
    seen: list[Seen] = field(default_factory=list)
    # What it answers: status, headers, body; "chunked" sends the body in chunks without a length.
    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=lambda: [("Content-Type", "application/json")])
    body: bytes = b'{"ok":true}'
    chunked: bool = False
    delay: float = 0.0


def _fake_handler(api: FakeApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            api.seen.append(Seen(self.command, self.path, list(self.headers.items()), body))
            if api.delay:
                time.sleep(api.delay)
            self.send_response(api.status)
            for name, value in api.headers:
                self.send_header(name, value)
            if self.command == "HEAD" or api.status in (204, 304):
                self.send_header("Content-Length", str(len(api.body)))
                self.end_headers()
                return
            if api.chunked:
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                for start in range(0, len(api.body), 1000):
                    piece = api.body[start : start + 1000]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.write(b"0\r\n\r\n")
            else:
                self.send_header("Content-Length", str(len(api.body)))
                self.end_headers()
                self.wfile.write(api.body)

        def _answer(self) -> None:
            # BrokenPipe: the proxy stopped waiting (the timeout test)
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self._any()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = do_HEAD = _answer

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            pass

    return Handler


@pytest.fixture
def fake_api() -> Iterator[FakeApi]:
    api = FakeApi(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _fake_handler(api))
    server.daemon_threads = True
    api.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield api
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    (site / "assets" / "js").mkdir(parents=True)
    (site / "en").mkdir()
    (site / "empty").mkdir()
    (site / "index.html").write_text("<title>投诉</title>", encoding="utf-8")
    (site / "en" / "index.html").write_text("<title>Complaints</title>", encoding="utf-8")
    (site / "404.html").write_text("<h1>页面不存在</h1>", encoding="utf-8")
    (site / "en" / "404.html").write_text("<h1>Page not found</h1>", encoding="utf-8")
    (site / "assets" / "js" / "portal.js").write_text("var x = 1;", encoding="utf-8")
    return site


@pytest.fixture
def portal(site_dir: Path, fake_api: FakeApi) -> Iterator[int]:
    server = StaticSiteServer(site_dir, port=0, quiet=True, api_url=fake_api.url).start()
    try:
        yield server.port
    finally:
        server.stop()


@dataclass
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> list[str]:
        return [value for key, value in self.headers if key.lower() == name.lower()]

    def one(self, name: str) -> str | None:
        values = self.header(name)
        assert len(values) <= 1, (name, values)
        return values[0] if values else None


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    *,
    connection: http.client.HTTPConnection | None = None,
) -> Answer:
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return Answer(response.status, response.getheaders(), response.read())
    finally:
        if connection is None:
            conn.close()


# ------------------------------------------------------------------ files


@pytest.mark.parametrize("path", ["/", "/en/", "/assets/js/portal.js", "/no/such/page/"])
def test_every_file_and_the_404_page_carry_the_portals_headers(portal: int, path: str) -> None:
    answer = request(portal, "GET", path)

    assert answer.status in (200, 404)
    for name, value in response_headers(https=False).items():
        assert answer.one(name) == value, name
    assert answer.one("Content-Security-Policy") == content_security_policy()
    assert "frame-ancestors 'none'" in (answer.one("Content-Security-Policy") or "")
    # HSTS means nothing on plain http
    assert answer.one("Strict-Transport-Security") is None
    assert answer.one("Cache-Control") == "no-store"


@pytest.mark.parametrize("path", ["/assets/", "/assets", "/assets/js/", "/empty/", "/empty"])
def test_a_directory_without_an_index_is_the_sites_404_page_never_a_listing(portal: int, path: str) -> None:
    answer = request(portal, "GET", path)

    assert answer.status == 404
    assert answer.one("Location") is None
    assert "页面不存在" in answer.body.decode("utf-8")
    assert b"portal.js" not in answer.body
    assert b"Directory listing" not in answer.body


@pytest.mark.parametrize(
    ("path", "page"),
    [
        ("/en/no/such/page/", "Page not found"),
        ("/en/missing.html", "Page not found"),
        ("/no/such/page/", "页面不存在"),
        ("/english/", "页面不存在"),  # a prefix without a 404 page of its own
        ("/../en/x", "页面不存在"),
    ],
)
def test_a_missing_page_is_answered_with_its_languages_404_page(portal: int, path: str, page: str) -> None:
    answer = request(portal, "GET", path)

    assert answer.status == 404
    assert answer.body.decode("utf-8") == f"<h1>{page}</h1>"


def test_a_directory_with_an_index_still_gets_its_slash(portal: int) -> None:
    answer = request(portal, "GET", "/en")

    assert answer.status == 301
    assert answer.one("Location") == "/en/"


def test_a_head_of_a_missing_page_is_a_404_without_a_body(portal: int) -> None:
    answer = request(portal, "HEAD", "/no/such/page/")

    assert answer.status == 404
    assert answer.body == b""


def test_only_the_api_takes_other_methods_than_get(portal: int, fake_api: FakeApi) -> None:
    answer = request(portal, "POST", "/submit/", body=b"x=1")

    assert answer.status == 405
    assert answer.one("Allow") == "GET, HEAD"
    assert fake_api.seen == []


# ------------------------------------------------------------------ the API under /api


def test_a_post_reaches_the_api_without_the_prefix_with_its_query_body_and_headers(
    portal: int, fake_api: FakeApi
) -> None:
    body = json.dumps({"subject": "夜间噪音"}, ensure_ascii=False).encode("utf-8")

    answer = request(
        portal,
        "POST",
        "/api/complaints?lang=en&x=%E4%B8%AD",
        body=body,
        headers={
            "Content-Type": "application/json",
            "Accept-Language": "en",
            "Idempotency-Key": "k-1",
            "Authorization": "Bearer t",
            "X-Access-Code": "AAAA-BBBB",
            "Origin": "http://127.0.0.1:8000",
            "X-Forwarded-For": "203.0.113.9",
            # hop-by-hop: never passed on
            "Connection": "keep-alive, X-Hop",
            "X-Hop": "only for the next hop",
            "Keep-Alive": "timeout=5",
            "Proxy-Authorization": "Basic eDp5",
            "TE": "trailers",
        },
    )

    assert answer.status == 200
    [seen] = fake_api.seen
    assert (seen.method, seen.path, seen.body) == ("POST", "/complaints?lang=en&x=%E4%B8%AD", body)
    for name, value in {
        "Content-Type": "application/json",
        "Accept-Language": "en",
        "Idempotency-Key": "k-1",
        "Authorization": "Bearer t",
        "X-Access-Code": "AAAA-BBBB",
        "Origin": "http://127.0.0.1:8000",
        "Content-Length": str(len(body)),
    }.items():
        assert seen.header(name) == [value], name
    for hop in ("X-Hop", "Keep-Alive", "Proxy-Authorization", "TE"):
        assert seen.header(hop) == [], hop
    assert seen.header("Connection") == ["close"]
    assert seen.header("X-Forwarded-For") == ["203.0.113.9, 127.0.0.1"]
    assert seen.header("X-Forwarded-Proto") == ["http"]


def test_the_client_is_the_first_address_when_nobody_forwarded_before(portal: int, fake_api: FakeApi) -> None:
    request(portal, "GET", "/api/meta")

    assert fake_api.seen[0].header("X-Forwarded-For") == ["127.0.0.1"]


@pytest.mark.parametrize("method", ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_every_method_reaches_the_api_as_it_was_sent(portal: int, fake_api: FakeApi, method: str) -> None:
    answer = request(portal, method, "/api/complaints/7K3M-9QX2-HD4P/feedback")

    assert answer.status == 200
    assert [(seen.method, seen.path) for seen in fake_api.seen] == [
        (method, "/complaints/7K3M-9QX2-HD4P/feedback")
    ]


@pytest.mark.parametrize(("path", "reaches"), [("/api", "/"), ("/api/", "/"), ("/api?lang=en", "/?lang=en")])
def test_the_api_prefix_alone_is_the_apis_root(
    portal: int, fake_api: FakeApi, path: str, reaches: str
) -> None:
    request(portal, "GET", path)

    assert fake_api.seen[0].path == reaches


def test_a_path_that_only_starts_like_the_prefix_is_a_file(portal: int, fake_api: FakeApi) -> None:
    answer = request(portal, "GET", "/apiary/")

    assert answer.status == 404
    assert fake_api.seen == []


def test_the_apis_answer_comes_back_with_its_status_and_headers_and_not_the_portals(
    portal: int, fake_api: FakeApi
) -> None:
    fake_api.status = 201
    fake_api.body = b'{"tracking_no":"7K3M-9QX2-HD4P"}'
    fake_api.headers = [
        ("Content-Type", "application/json; charset=utf-8"),
        ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("Idempotent-Replayed", "false"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        ("Connection", "X-Upstream-Hop"),
        ("X-Upstream-Hop", "dropped"),
        ("Keep-Alive", "timeout=5"),
    ]

    answer = request(portal, "POST", "/api/complaints", body=b"{}")

    assert answer.status == 201
    assert answer.body == fake_api.body
    assert answer.one("Content-Type") == "application/json; charset=utf-8"
    assert answer.one("Content-Security-Policy") == "default-src 'none'; frame-ancestors 'none'"
    assert answer.one("Idempotent-Replayed") == "false"
    assert answer.header("Set-Cookie") == ["a=1", "b=2"]
    assert answer.one("Content-Length") == str(len(fake_api.body))
    assert answer.header("X-Upstream-Hop") == []
    assert answer.header("Keep-Alive") == []
    # none of the portal's own headers are put over the API's
    assert answer.one("Permissions-Policy") is None
    assert answer.one("Cache-Control") is None


def test_an_error_status_and_an_empty_answer_pass_through(portal: int, fake_api: FakeApi) -> None:
    fake_api.status = 409
    fake_api.body = b'{"error":{"code":"version_conflict","message":"x","fields":{}}}'
    assert request(portal, "POST", "/api/admin/complaints/x/actions", body=b"{}").status == 409

    fake_api.status = 204
    fake_api.body = b""
    answer = request(portal, "OPTIONS", "/api/complaints")
    assert (answer.status, answer.body) == (204, b"")


def test_a_chunked_request_body_reaches_the_api_whole_with_a_length(portal: int, fake_api: FakeApi) -> None:
    body = ("补充信息" * 500).encode("utf-8")
    chunks = [body[i : i + 777] for i in range(0, len(body), 777)]
    conn = http.client.HTTPConnection("127.0.0.1", portal, timeout=10)
    try:
        conn.request(
            "POST",
            "/api/complaints",
            body=iter(chunks),
            headers={"Content-Type": "application/json"},
            encode_chunked=True,
        )
        assert conn.getresponse().status == 200
    finally:
        conn.close()

    [seen] = fake_api.seen
    assert seen.body == body
    assert seen.header("Content-Length") == [str(len(body))]
    assert seen.header("Transfer-Encoding") == []


def _read_head(raw: socket.socket) -> bytes:
    """Bytes up to the end of the next header block."""
    data = b""
    while not data.endswith(b"\r\n\r\n"):
        byte = raw.recv(1)
        assert byte, data
        data += byte
    return data


def test_a_client_that_expects_100_continue_gets_it_and_the_api_gets_the_body(
    portal: int, fake_api: FakeApi
) -> None:
    with socket.create_connection(("127.0.0.1", portal), timeout=10) as raw:
        raw.sendall(
            b"POST /api/complaints HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 2\r\nExpect: 100-continue\r\n\r\n"
        )
        interim = _read_head(raw)
        raw.sendall(b"{}")
        final = _read_head(raw)

    assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
    assert final.startswith(b"HTTP/1.1 200 ")
    [seen] = fake_api.seen
    assert seen.body == b"{}"
    assert seen.header("Expect") == []


def test_a_long_answer_without_a_length_is_streamed_back_whole(portal: int, fake_api: FakeApi) -> None:
    fake_api.chunked = True
    fake_api.body = bytes(range(256)) * 4096  # 1 MiB

    answer = request(portal, "GET", "/api/admin/complaints")

    assert answer.status == 200
    assert answer.body == fake_api.body
    assert answer.one("Transfer-Encoding") == "chunked"


def test_files_and_the_api_share_one_keep_alive_connection(portal: int, fake_api: FakeApi) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", portal, timeout=10)
    try:
        conn.connect()
        first = conn.sock
        statuses = [
            request(portal, "GET", "/", connection=conn).status,
            request(portal, "POST", "/api/complaints", body=b"{}", connection=conn).status,
            request(portal, "GET", "/assets/js/portal.js", connection=conn).status,
            request(portal, "GET", "/api/meta", connection=conn).status,
        ]
        assert conn.sock is first
    finally:
        conn.close()

    assert statuses == [200, 200, 200, 200]
    assert [seen.path for seen in fake_api.seen] == ["/complaints", "/meta"]


def test_a_body_past_api_gateways_limit_is_refused_before_the_api(
    portal: int, fake_api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(static_server, "MAX_BODY_BYTES", 1000)

    answer = request(portal, "POST", "/api/complaints", body=b"x" * 1001)

    assert answer.status == 413
    assert json.loads(answer.body)["error"]["code"] == "body_too_large"
    assert fake_api.seen == []


# ------------------------------------------------------------------ when the API cannot answer


def _error_shape(answer: Answer) -> dict[str, object]:
    assert answer.one("Content-Type") == "application/json; charset=utf-8"
    assert answer.one("X-Content-Type-Options") == "nosniff"
    body = json.loads(answer.body)
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["fields"] == {}
    error: dict[str, object] = body["error"]
    return error


def test_an_api_that_is_down_gives_a_502_in_the_apis_error_shape(site_dir: Path) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        down = f"http://127.0.0.1:{unused.getsockname()[1]}"  # bound, never listening: refused
        server = StaticSiteServer(site_dir, port=0, quiet=True, api_url=down).start()
        try:
            answer = request(server.port, "POST", "/api/complaints", body=b"{}")
            page = request(server.port, "GET", "/")
        finally:
            server.stop()

    assert answer.status == 502
    error = _error_shape(answer)
    assert error["code"] == "service_unavailable"
    assert "投诉系统" in str(error["message"])
    assert "cannot be reached" in str(error["message"])
    # the portal itself is still served
    assert page.status == 200


def test_an_api_that_does_not_answer_in_time_gives_a_504(
    portal: int, fake_api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(static_server, "API_TIMEOUT_SECONDS", 0.2)
    fake_api.delay = 1.0

    answer = request(portal, "GET", "/api/meta")

    assert answer.status == 504
    assert _error_shape(answer)["code"] == "service_unavailable"


def test_without_an_api_the_prefix_answers_502(site_dir: Path) -> None:
    server = StaticSiteServer(site_dir, port=0, quiet=True).start()
    try:
        answer = request(server.port, "GET", "/api/meta")
    finally:
        server.stop()

    assert answer.status == 502


# ------------------------------------------------------------------ the real API behind it


@pytest.fixture
def real_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    for name, value in {
        "STAGE": "test",
        "STORAGE": "memory",
        "PORTAL_ORIGIN": PORTAL_ORIGIN,
        "ACCESS_CODE_SECRET": "integration-test-secret-" + "x" * 20,
    }.items():
        monkeypatch.setenv(name, value)
    reset_app_state()
    try:
        with serve_app(free_port()) as url:
            yield url
    finally:
        reset_app_state()


def test_the_real_api_files_a_complaint_through_the_portals_origin(site_dir: Path, real_api: str) -> None:
    server = StaticSiteServer(site_dir, port=0, quiet=True, api_url=real_api).start()
    try:
        complaint = {
            "complainant_type": "individual",
            "name": "李四",
            "phone": "13800138000",
            "category": "env_odor",
            "subject": "夜间刺鼻气味",
            "description": "每天夜里园区北侧有很重的刺鼻气味，持续一个多月。",
            "consent": True,
        }
        filed = request(
            server.port,
            "POST",
            "/api/complaints",
            body=json.dumps(complaint).encode("utf-8"),
            headers={"Content-Type": "application/json", "Origin": f"http://127.0.0.1:{server.port}"},
        )
        tracking_no = json.loads(filed.body)["tracking_no"]
        looked_up = request(server.port, "GET", f"/api/complaints/{tracking_no}")
        missing = request(server.port, "GET", "/api/no-such-route")
    finally:
        server.stop()

    assert filed.status == 201, filed.body
    assert looked_up.status == 200
    for answer in (filed, looked_up, missing):
        assert answer.one("X-Content-Type-Options") == "nosniff"
        assert answer.one("Content-Security-Policy") != content_security_policy()
    # same origin: no CORS grant is needed, and none is given to an origin that is not the portal's
    assert filed.one("Access-Control-Allow-Origin") is None
    assert missing.status == 403
    assert json.loads(missing.body)["error"]["code"] == "route_not_found"
