"""Every /admin route, found from the app's own route table, refuses bad credentials (401) and
wrong roles (403): a new route cannot be left open."""

from __future__ import annotations

import base64
import http.client
import json
import time
from collections.abc import Iterator

import jwt
import pytest
from chalice.test import Client
from cryptography.hazmat.primitives.asymmetric import rsa

from app import app
from chalicelib.domain.staff import ROLES
from chalicelib.domain.tracking import format_code, new_tracking_no
from chalicelib.web import admin, auth
from chalicelib.web.staff_routes import STAFF_ROUTES, allowed_roles
from tests.support import free_port
from tests.support.api_client import app_client
from tests.support.api_server import serve_app
from tests.support.staff import TestIssuer

ADMIN_ROUTES = sorted(
    (path, method, entry.view_function)
    for path, methods in app.routes.items()
    if path.startswith("/admin")
    for method, entry in methods.items()
    if method != "OPTIONS"
)


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> TestIssuer:
    return TestIssuer(tmp_path_factory.mktemp("staff-auth"))


@pytest.fixture
def client(issuer: TestIssuer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    with app_client(monkeypatch, STORAGE="memory", **issuer.environment()) as test_client:
        yield test_client


def _call(client: Client, path: str, method: str, headers: dict[str, str]) -> tuple[int, dict[str, object]]:
    concrete = path.replace("{tracking_no}", format_code(new_tracking_no()))
    response = client.http.request(
        method, concrete, headers={"Content-Type": "application/json", **headers}, body=b"{}"
    )
    return response.status_code, json.loads(response.body or b"{}")


def _unsigned(claims: dict[str, object], kid: str) -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")

    return f"{part({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{part(claims)}."


def _bad_tokens(issuer: TestIssuer) -> dict[str, dict[str, str]]:
    now = int(time.time())
    good_claims = {
        "iss": issuer.issuer,
        "aud": issuer.audience,
        "sub": "sub-x",
        "cognito:groups": list(ROLES),
        "iat": now,
        "exp": now + 600,
    }
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_jwk = json.loads((issuer.jwks_path).read_text())["keys"][0]
    forged = jwt.encode(good_claims, stranger, algorithm="RS256", headers={"kid": issuer.kid})
    # Algorithm confusion: an HMAC "signed" with the public key's text.
    confused = jwt.encode(
        good_claims, json.dumps(public_jwk).encode() * 2, algorithm="HS256", headers={"kid": issuer.kid}
    )
    return {
        "no token": {},
        "not a bearer token": {"Authorization": "Basic dXNlcjpwYXNz"},
        "garbage": {"Authorization": "Bearer not.a.jwt"},
        "bad signature": {"Authorization": f"Bearer {forged}"},
        "alg none": {"Authorization": f"Bearer {_unsigned(good_claims, issuer.kid)}"},
        "alg HS256": {"Authorization": f"Bearer {confused}"},
        "expired": issuer.bearer(*ROLES, iat=now - 7200, exp=now - 3600),
        "wrong audience": issuer.bearer(*ROLES, aud="some-other-app"),
        "wrong issuer": issuer.bearer(*ROLES, iss="https://cognito-idp.example/other-pool"),
        "unknown key id": {
            "Authorization": "Bearer "
            + jwt.encode(good_claims, stranger, algorithm="RS256", headers={"kid": "nope"})
        },
    }


def test_the_route_table_has_the_staff_routes() -> None:
    paths = {(path, method) for path, method, _ in ADMIN_ROUTES}
    assert ("/admin/complaints", "GET") in paths
    assert ("/admin/complaints/{tracking_no}/actions", "POST") in paths
    assert all(allowed_roles(view) for _, _, view in ADMIN_ROUTES), "every admin route declares its roles"


def test_each_declared_staff_route_has_its_handler_and_each_handler_its_route() -> None:
    # web/staff_routes.py names each route's handler in web/admin.py, imported with the first staff
    # request: a name without a function would fail only then, a function without a route never.
    handlers = {route.handler for route in STAFF_ROUTES}
    assert handlers == set(admin.__all__)
    assert all(callable(getattr(admin, name)) for name in handlers)
    assert {(route.path, route.method) for route in STAFF_ROUTES} <= {(p, m) for p, m, _ in ADMIN_ROUTES}


@pytest.mark.parametrize(
    ("path", "method", "view"), ADMIN_ROUTES, ids=[f"{m} {p}" for p, m, _ in ADMIN_ROUTES]
)
def test_every_admin_route_answers_401_to_bad_credentials(
    client: Client, issuer: TestIssuer, path: str, method: str, view: object
) -> None:
    for case, headers in _bad_tokens(issuer).items():
        status, body = _call(client, path, method, headers)
        assert status == 401, f"{case}: {status} {body}"
        assert body["error"]["code"] == "unauthorized", case  # type: ignore[index]


@pytest.mark.parametrize(
    ("path", "method", "view"), ADMIN_ROUTES, ids=[f"{m} {p}" for p, m, _ in ADMIN_ROUTES]
)
def test_every_admin_route_answers_403_to_a_role_it_does_not_admit(
    client: Client, issuer: TestIssuer, path: str, method: str, view: object
) -> None:
    admitted = allowed_roles(view)  # type: ignore[arg-type]
    outsiders: list[str] = [role for role in ROLES if role not in admitted] or ["citizen"]
    for role in outsiders:
        status, body = _call(client, path, method, issuer.bearer(role, department="ecology_environment"))
        assert status == 403, f"{role}: {status} {body}"
        assert body["error"]["code"] == "forbidden"  # type: ignore[index]


def test_a_valid_token_gets_through(client: Client, issuer: TestIssuer) -> None:
    response = client.http.get("/admin/complaints", headers=issuer.bearer("officer"))
    assert response.status_code == 200, response.body
    assert json.loads(response.body) == {"items": [], "cursor": None, "total": None}


def test_a_cognito_access_token_names_the_client_in_client_id(client: Client, issuer: TestIssuer) -> None:
    access = issuer.bearer("supervisor", aud=None, client_id=issuer.audience, token_use="access")
    assert client.http.get("/admin/complaints", headers=access).status_code == 200
    other_client = issuer.bearer("supervisor", aud=None, client_id="another-client", token_use="access")
    assert client.http.get("/admin/complaints", headers=other_client).status_code == 401


def test_a_stage_without_issuer_settings_lets_nobody_in(
    monkeypatch: pytest.MonkeyPatch, issuer: TestIssuer
) -> None:
    with app_client(monkeypatch, STORAGE="memory") as unconfigured:
        response = unconfigured.http.get("/admin/complaints", headers=issuer.bearer("supervisor"))
    assert response.status_code == 401


def test_an_authorizer_that_fails_gets_api_gateways_500_not_a_dropped_connection(
    client: Client, issuer: TestIssuer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # chalice local let any exception but Unauthorized escape: the connection dropped unanswered.
    def failing(authorization: str, settings: object) -> None:
        raise RuntimeError("a bug in the authorizer")

    monkeypatch.setattr(auth, "verify_staff_token", failing)
    port = free_port()
    with serve_app(port):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/admin/complaints", headers=issuer.bearer("officer"))
        response = connection.getresponse()
        body = json.loads(response.read())
        connection.close()
    assert response.status == 500
    assert body["error"]["code"] == "service_unavailable"


BODILESS_ROUTES = sorted(
    (path, method)
    for path, methods in app.routes.items()
    for method in methods
    if method in ("GET", "OPTIONS")
)


@pytest.mark.parametrize(("path", "method"), BODILESS_ROUTES, ids=[f"{m} {p}" for p, m in BODILESS_ROUTES])
def test_a_content_type_on_a_request_without_a_body_is_ignored(
    client: Client, issuer: TestIssuer, path: str, method: str
) -> None:
    # Found by schemathesis: Chalice refused such requests itself, 415 in a body of its own shape.
    concrete = path.replace("{tracking_no}", format_code(new_tracking_no()))
    # Routes whose required parameters come in the query:
    concrete += {
        "/status-page": "?no=" + format_code(new_tracking_no()),
        "/admin/search": "?q=13800138000",
        "/admin/access-log": "?staff_id=someone",
    }.get(path, "")
    headers = {"Content-Type": "text/plain", **issuer.bearer("supervisor")}
    response = client.http.request(method, concrete, headers=headers)
    assert response.status_code in (200, 204, 404), response.body
    if response.body and response.headers["Content-Type"].startswith("application/json"):
        assert set(json.loads(response.body)) != {"Code", "Message"}
