"""Every answer of the API carries its security headers (api/chalicelib/web/security_headers.py):
every route and method of the route table, with and without a staff token, preflights, errors, the
authorizer's 401 and unknown routes, which API Gateway answers itself (infra/resources.json)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from urllib.parse import urlencode

import pytest
from chalice.test import Client

from app import app
from chalicelib.domain.tracking import format_code, new_tracking_no
from chalicelib.web.pages import STYLE_HASH
from chalicelib.web.security_headers import JSON_CONTENT_SECURITY_POLICY, SECURITY_HEADERS
from scripts.lib.gateway_emulation import TEMPLATE, gateway_response
from tests.support.api_client import PORTAL_ORIGIN, app_client
from tests.support.staff import TestIssuer

ROUTES = sorted((path, method) for path, methods in app.routes.items() for method in {*methods, "OPTIONS"})
GATEWAY_RESPONSES = {
    name: resource["Properties"]
    for name, resource in json.loads(TEMPLATE.read_text(encoding="utf-8"))["Resources"].items()
    if resource.get("Type") == "AWS::ApiGateway::GatewayResponse"
}


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> TestIssuer:
    return TestIssuer(tmp_path_factory.mktemp("staff-auth"))


@pytest.fixture
def client(issuer: TestIssuer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    with app_client(monkeypatch, STORAGE="memory", **issuer.environment()) as test_client:
        yield test_client


def _headers(response_headers: Mapping[str, str]) -> dict[str, str]:
    return {name.lower(): value for name, value in response_headers.items()}


def assert_protected(response_headers: Mapping[str, str], where: str) -> dict[str, str]:
    headers = _headers(response_headers)
    for name, value in SECURITY_HEADERS.items():
        assert headers.get(name.lower()) == value, f"{where}: {name} is {headers.get(name.lower())!r}"
    return headers


def _call(client: Client, method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    concrete = path.replace("{tracking_no}", format_code(new_tracking_no()))
    body = b"{}" if method in ("POST", "PUT", "PATCH") else b""
    response = client.http.request(
        method, concrete, headers={"Content-Type": "application/json", **headers}, body=body
    )
    return response.status_code, response.headers


def test_the_route_table_is_read() -> None:
    assert ("/complaints", "POST") in ROUTES
    assert ("/admin/complaints/{tracking_no}/actions", "POST") in ROUTES
    assert ("/meta", "OPTIONS") in ROUTES


@pytest.mark.parametrize(("path", "method"), ROUTES, ids=[f"{m} {p}" for p, m in ROUTES])
def test_every_route_answers_with_nosniff_no_referrer_and_no_framing(
    client: Client, issuer: TestIssuer, path: str, method: str
) -> None:
    staff = issuer.bearer("supervisor", name="张主管") if path.startswith("/admin") else {}
    cases = {
        "as called": {**staff, "X-Access-Code": "0000-0000-0000-0000"},
        "from the portal's origin": {**staff, "Origin": PORTAL_ORIGIN},
        "without credentials": {},
    }
    for case, headers in cases.items():
        status, answer = _call(client, method, path, headers)
        where = f"{method} {path} {case} ({status})"
        received = assert_protected(answer, where)
        # The app's own answers also have a policy; the gateway's (the 401) cannot hold one
        if "x-amzn-errortype" not in received:
            assert "content-security-policy" in received, where


def test_json_answers_may_load_nothing_and_be_framed_by_nothing(client: Client) -> None:
    response = client.http.get("/meta")

    assert response.status_code == 200
    assert _headers(response.headers)["content-security-policy"] == JSON_CONTENT_SECURITY_POLICY


def test_a_preflight_from_the_portals_origin_keeps_its_cors_grant(client: Client) -> None:
    response = client.http.request(
        "OPTIONS",
        "/complaints",
        headers={"Origin": PORTAL_ORIGIN, "Access-Control-Request-Method": "POST"},
    )

    headers = assert_protected(response.headers, "preflight")
    assert response.status_code == 204
    assert headers["access-control-allow-origin"] == PORTAL_ORIGIN
    assert "POST" in headers["access-control-allow-methods"]


@pytest.mark.parametrize("origin", [None, "http://127.0.0.1:8000", "https://elsewhere.example"])
def test_no_other_origin_gets_a_cors_grant(client: Client, origin: str | None) -> None:
    # The portal calls its API on its own origin (/api): such requests need no grant.
    response = client.http.get("/meta", headers={} if origin is None else {"Origin": origin})

    headers = assert_protected(response.headers, f"origin {origin}")
    assert "access-control-allow-origin" not in headers


def test_the_html_page_of_a_plain_form_post_keeps_its_own_policy(client: Client) -> None:
    form = urlencode(
        {
            "complainant_type": "individual",
            "name": "张三",
            "phone": "13800138000",
            "category": "env_noise",
            "subject": "夜间噪音",
            "description": "园区东路的工厂每晚 23 点后仍在作业，噪音很大。",
            "consent": "on",
        }
    )

    response = client.http.post(
        "/complaints?lang=zh",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=form.encode("utf-8"),
    )

    headers = assert_protected(response.headers, "form post")
    assert headers["content-type"].startswith("text/html")
    # The page's own policy: its one stylesheet by hash, nothing else, framed by no one.
    assert f"style-src '{STYLE_HASH}'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["content-security-policy"] != JSON_CONTENT_SECURITY_POLICY


def test_the_authorizers_401_carries_the_headers_of_the_gateway_response(client: Client) -> None:
    response = client.http.get("/admin/complaints")

    headers = assert_protected(response.headers, "401")
    assert response.status_code == 401
    assert json.loads(response.body)["error"]["code"] == "unauthorized"
    assert headers["access-control-allow-origin"] == PORTAL_ORIGIN
    assert headers["cache-control"] == "no-store"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer x"}], ids=["anonymous", "with a token"])
def test_a_route_that_does_not_exist_is_answered_as_api_gateway_does(
    client: Client, headers: dict[str, str]
) -> None:
    response = client.http.get("/no/such/route", headers=headers)

    received = assert_protected(response.headers, "unknown route")
    assert response.status_code == 403
    assert json.loads(response.body)["error"]["code"] == "route_not_found"
    assert received["content-type"] == "application/json; charset=utf-8"


@pytest.mark.parametrize("name", sorted(GATEWAY_RESPONSES))
def test_every_gateway_response_of_the_template_carries_the_security_headers(name: str) -> None:
    parameters = GATEWAY_RESPONSES[name]["ResponseParameters"]

    for header, value in SECURITY_HEADERS.items():
        assert parameters.get(f"gatewayresponse.header.{header}") == f"'{value}'", (name, header)


@pytest.mark.parametrize("response_type", ["UNAUTHORIZED", "MISSING_AUTHENTICATION_TOKEN"])
def test_the_local_gateway_answers_from_the_template(response_type: str) -> None:
    [properties] = [p for p in GATEWAY_RESPONSES.values() if p["ResponseType"] == response_type]

    response = gateway_response(response_type, portal_origin="https://portal.example.cn")

    assert response.status == {"UNAUTHORIZED": 401, "MISSING_AUTHENTICATION_TOKEN": 403}[response_type]
    assert response.body.decode("utf-8") == properties["ResponseTemplates"]["application/json"]
    assert response.headers["Access-Control-Allow-Origin"] == "https://portal.example.cn"
    for header, value in SECURITY_HEADERS.items():
        assert response.headers[header] == value
