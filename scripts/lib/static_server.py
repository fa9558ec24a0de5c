"""A small threaded server for the built portal (``mkdocs build`` output), with the API under ``/api``.

* Files: correct content types (utf-8 for text), no caching (a rebuilt site shows at once), the
  portal's security headers on every answer (scripts/lib/portal_edge.py, the definition CloudFront
  is given when deployed), the site's ``404.html`` for anything missing, and never a directory
  listing: a directory without ``index.html`` is missing too.
* ``/api/...``: passed on to the local API with the prefix stripped (``/api/complaints`` reaches
  its route ``/complaints``), as CloudFront's ``/api/*`` behaviour passes it to API Gateway. So the
  portal calls its API on its own origin, whatever name it is opened under, and no request is
  cross-origin. The API's answers come back as the API gave them, with its own headers. When the
  API cannot be reached the answer is a 502 in the API's error shape; 504 when it does not answer
  within API Gateway's integration time limit.

HTTP/1.1 keep-alive towards the browser, without the Nagle delay (see STACK-NOTES).
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import sys
import threading
from collections.abc import Iterable, Mapping
from email.message import Message
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from scripts.lib.portal_edge import API_PATH, response_headers

__all__ = ["CONTENT_TYPES", "HOP_BY_HOP_HEADERS", "StaticSiteServer"]

CONTENT_TYPES: dict[str, str] = {
    ".html": "text/html; charset=utf-8",
    ".htm": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".map": "application/json; charset=utf-8",
    ".webmanifest": "application/manifest+json; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".gz": "application/gzip",
    "": "application/octet-stream",
}

# Headers that describe one connection, not the message (RFC 9110 7.6.1), plus those a proxy
# answers for itself: never passed on, in either direction. So are those named in Connection.
HOP_BY_HOP_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        # This server has already answered 100-continue and read the whole body.
        "expect",
    }
)
# Rewritten by the proxy rather than copied.
_REWRITTEN_REQUEST_HEADERS = frozenset({"host", "content-length", "x-forwarded-for"})

# API Gateway's limits, which the deployed edge puts in front of the API: a 10 MB payload and a
# 29 s integration timeout.
MAX_BODY_BYTES = 10 * 1024 * 1024
API_TIMEOUT_SECONDS = 30.0
_COPY_CHUNK = 64 * 1024

# The edge answers before any language is negotiated: both languages, as API Gateway's gateway
# responses in infra/resources.json do.
_EDGE_ERRORS: dict[int, tuple[str, str]] = {
    HTTPStatus.BAD_REQUEST: ("bad_request", "请求无法处理。 The request could not be handled."),
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: ("body_too_large", "提交的内容过大。 What was sent is too large."),
    HTTPStatus.BAD_GATEWAY: (
        "service_unavailable",
        "暂时无法连接投诉系统，请稍后重试。 The complaint system cannot be reached: try again shortly.",
    ),
    HTTPStatus.GATEWAY_TIMEOUT: (
        "service_unavailable",
        "投诉系统没有及时答复，请稍后重试。 The complaint system did not answer in time: try again shortly.",
    ),
}


class _BadRequestBody(Exception):
    def __init__(self, status: HTTPStatus) -> None:
        super().__init__(status.phrase)
        self.status = status


def _connection_tokens(headers: Message) -> set[str]:
    """The hop-by-hop headers of a message: the fixed ones and those its Connection header names."""
    names = set(HOP_BY_HOP_HEADERS)
    for value in headers.get_all("Connection") or []:
        names.update(token.strip().lower() for token in value.split(",") if token.strip())
    return names


class _SiteRequestHandler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    extensions_map = CONTENT_TYPES
    quiet = False
    # Set per server (StaticSiteServer): the portal's headers, and where the API listens.
    portal_headers: Mapping[str, str] = {}
    api_address: tuple[str, int] | None = None

    # ------------------------------------------------------------------ files

    def end_headers(self) -> None:
        # Every answer of this server's own (files, 404, the proxy's 502) carries the portal's
        # headers; the proxy passes the API's answers on through _end_headers_as_given instead.
        self.send_header("Cache-Control", "no-store")
        for name, value in self.portal_headers.items():
            self.send_header(name, value)
        super().end_headers()

    def _end_headers_as_given(self) -> None:
        super().end_headers()

    def handle_expect_100(self) -> bool:
        # An interim "100 Continue" is no answer of the portal's: no headers of its own.
        self.send_response_only(HTTPStatus.CONTINUE)
        self._end_headers_as_given()
        return True

    def send_head(self) -> BinaryIO | None:
        path = Path(self.translate_path(self.path))
        if path.is_dir() and not (path / "index.html").is_file():
            # Not even the redirect to "dir/": nothing says the directory exists.
            self.send_error(HTTPStatus.NOT_FOUND)
            return None
        head: BinaryIO | None = super().send_head()
        return head

    def list_directory(self, path: str | Path) -> None:  # type: ignore[override]
        # send_head never gets here; should it ever, a listing is still not shown.
        self.send_error(HTTPStatus.NOT_FOUND)

    def _not_found_page(self) -> Path:
        """The 404 page of the address's language: under its first segment's (en/404.html) when
        the site has one there, as the deployed CloudFront function answers; else the site's."""
        site = Path(self.directory)
        first = urlsplit(self.path).path.lstrip("/").split("/", 1)[0]
        if first and "." not in first and (site / first / "404.html").is_file():
            return site / first / "404.html"
        return site / "404.html"

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        not_found_page = self._not_found_page()
        if (
            code != HTTPStatus.NOT_FOUND
            or self.command not in ("GET", "HEAD")
            or not not_found_page.is_file()
        ):
            super().send_error(code, message, explain)
            return
        body = not_found_page.read_bytes()
        self.send_response(code, message)
        self.send_header("Content-Type", CONTENT_TYPES[".html"])
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _method_not_allowed(self) -> None:
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        self.send_header("Allow", "GET, HEAD")
        self.send_header("Content-Length", "0")
        self.end_headers()

    # ------------------------------------------------------------------ routing

    def _api_target(self) -> str | None:
        """The API path and query for a request under API_PATH, else None (a file)."""
        parts = urlsplit(self.path)
        path = parts.path
        if path != API_PATH and not path.startswith(API_PATH + "/"):
            return None
        target = path[len(API_PATH) :] or "/"
        return f"{target}?{parts.query}" if parts.query else target

    def do_GET(self) -> None:
        target = self._api_target()
        if target is None:
            super().do_GET()
        else:
            self._proxy(target)

    def do_HEAD(self) -> None:
        target = self._api_target()
        if target is None:
            super().do_HEAD()
        else:
            self._proxy(target)

    def _api_only(self) -> None:
        target = self._api_target()
        if target is None:
            self._method_not_allowed()
        else:
            self._proxy(target)

    do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _api_only

    # ------------------------------------------------------------------ the API proxy

    def _edge_error(self, status: HTTPStatus) -> None:
        code, message = _EDGE_ERRORS[status]
        body = json.dumps({"error": {"code": code, "message": message, "fields": {}}}, ensure_ascii=False)
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def _request_body(self) -> bytes | None:
        transfer_encoding = self.headers.get("Transfer-Encoding")
        if transfer_encoding is not None:
            # Transfer-Encoding wins over Content-Length (RFC 9112 6.3); only chunked is understood.
            if transfer_encoding.replace(" ", "").lower().split(",")[-1] != "chunked":
                raise _BadRequestBody(HTTPStatus.BAD_REQUEST)
            return self._read_chunked()
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            return None
        try:
            length = int(length_header)
        except ValueError:
            raise _BadRequestBody(HTTPStatus.BAD_REQUEST) from None
        if length < 0:
            raise _BadRequestBody(HTTPStatus.BAD_REQUEST)
        if length > MAX_BODY_BYTES:
            raise _BadRequestBody(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        body = self.rfile.read(length)
        if len(body) != length:
            raise _BadRequestBody(HTTPStatus.BAD_REQUEST)
        return body

    def _read_chunked(self) -> bytes:
        # The API (chalice local, like Lambda behind API Gateway) takes a body with a length: the
        # chunks are joined here and sent on with Content-Length.
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise _BadRequestBody(HTTPStatus.BAD_REQUEST) from None
            if size == 0:
                break
            total += size
            if total > MAX_BODY_BYTES:
                raise _BadRequestBody(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            chunk = self.rfile.read(size)
            if len(chunk) != size or self.rfile.readline(3) not in (b"\r\n", b"\n"):
                raise _BadRequestBody(HTTPStatus.BAD_REQUEST)
            parts.append(chunk)
        while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
            pass  # trailer fields: hop-by-hop, dropped
        return b"".join(parts)

    def _forwarded_headers(self) -> list[tuple[str, str]]:
        dropped = _connection_tokens(self.headers) | _REWRITTEN_REQUEST_HEADERS
        headers = [(name, value) for name, value in self.headers.items() if name.lower() not in dropped]
        chain = [v.strip() for v in self.headers.get_all("X-Forwarded-For") or [] if v.strip()]
        headers.append(("X-Forwarded-For", ", ".join([*chain, self.client_address[0]])))
        headers.append(("X-Forwarded-Proto", "http"))
        if "host" in self.headers:
            headers.append(("X-Forwarded-Host", self.headers["Host"]))
        return headers

    def _proxy(self, target: str) -> None:
        try:
            body = self._request_body()
        except _BadRequestBody as error:
            # The rest of the request cannot be told from the next one: this connection ends here.
            self.close_connection = True
            self._edge_error(error.status)
            return
        if self.api_address is None:
            self._edge_error(HTTPStatus.BAD_GATEWAY)
            return
        host, port = self.api_address
        upstream = http.client.HTTPConnection(host, port, timeout=API_TIMEOUT_SECONDS)
        try:
            try:
                upstream.connect()
                upstream.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                upstream.putrequest(self.command, target, skip_host=False, skip_accept_encoding=True)
                for name, value in self._forwarded_headers():
                    upstream.putheader(name, value)
                if body is not None or self.command in ("POST", "PUT", "PATCH"):
                    upstream.putheader("Content-Length", str(len(body or b"")))
                # One request per connection to the API: nothing can go stale between requests.
                upstream.putheader("Connection", "close")
                upstream.endheaders(body)
                answer = upstream.getresponse()
            except TimeoutError:
                self._edge_error(HTTPStatus.GATEWAY_TIMEOUT)
                return
            except (OSError, http.client.HTTPException):
                self._edge_error(HTTPStatus.BAD_GATEWAY)
                return
            self._relay(answer)
        finally:
            upstream.close()

    def _relay(self, answer: http.client.HTTPResponse) -> None:
        """Send the API's answer on: its status and headers, then its body as it arrives."""
        dropped = _connection_tokens(answer.msg) | {"content-length"}
        bodiless = self.command == "HEAD" or answer.status in (204, 304) or 100 <= answer.status < 200
        # send_response_only: the API's own Date and Server headers are passed on, not doubled.
        self.log_request(answer.status)
        self.send_response_only(answer.status, answer.reason)
        for name, value in answer.msg.items():
            if name.lower() not in dropped:
                self.send_header(name, value)
        chunked = False
        if bodiless:
            length = answer.msg.get("Content-Length")
            if length is not None and answer.status not in (204, 304):
                self.send_header("Content-Length", length)
        elif answer.length is not None:
            self.send_header("Content-Length", str(answer.length))
        elif self.request_version >= "HTTP/1.1":
            self.send_header("Transfer-Encoding", "chunked")
            chunked = True
        else:
            self.close_connection = True
        self._end_headers_as_given()
        if bodiless:
            return
        try:
            for chunk in _chunks(answer):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
                self.wfile.flush()
            if chunked:
                self.wfile.write(b"0\r\n\r\n")
        except (OSError, http.client.HTTPException):
            # The status line is out: a broken answer can only end the connection.
            self.close_connection = True

    # ------------------------------------------------------------------ logging

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # The path without its query string: a status lookup's may hold a tracking number.
        if isinstance(code, HTTPStatus):
            code = code.value
        path = urlsplit(self.path).path if hasattr(self, "path") else "-"
        self.log_message('"%s %s" %s', getattr(self, "command", "-"), path, code)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        if not self.quiet:
            super().log_message(format, *args)


def _chunks(answer: http.client.HTTPResponse) -> Iterable[bytes]:
    while chunk := answer.read1(_COPY_CHUNK):
        yield chunk


class StaticSiteServer:
    """Serve ``site_dir`` on ``host:port`` from a background thread, with the API at ``api_url``
    under ``/api`` (without it, ``/api`` answers 502).

    ``headers``: the portal's security headers; by default portal_edge's for plain http, without
    Strict-Transport-Security (browsers ignore it on http, and on localhost it would only get in
    the way of other local servers).
    """

    def __init__(
        self,
        site_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int,
        quiet: bool = False,
        api_url: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.site_dir = site_dir
        handler = type(
            "SiteRequestHandler",
            (_SiteRequestHandler,),
            {
                "quiet": quiet,
                "portal_headers": dict(response_headers(https=False) if headers is None else headers),
                "api_address": None if api_url is None else _address(api_url),
            },
        )
        self._server = ThreadingHTTPServer((host, port), partial(handler, directory=str(site_dir)))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        port: int = self._server.server_address[1]
        return port

    def start(self) -> StaticSiteServer:
        # A short poll: stop() (shutdown) waits for the loop to notice, up to one interval.
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="portal-static",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()


def _address(api_url: str) -> tuple[str, int]:
    parts = urlsplit(api_url)
    if parts.scheme != "http" or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError(f"the API must be an http://host:port address, not {api_url!r}")
    return parts.hostname, parts.port or 80


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.lib.static_server")
    parser.add_argument("site_dir", type=Path)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--api-url", default="http://127.0.0.1:8010", help="the API that /api/ leads to")
    args = parser.parse_args(argv)
    server = StaticSiteServer(args.site_dir, host=args.host, port=args.port, api_url=args.api_url)
    print(f"Serving {args.site_dir} on http://{args.host}:{server.port}/ (API: {args.api_url})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
