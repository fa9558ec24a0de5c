"""Validly signed staff tokens whose claims hold anything JSON can: the authorizer answers 401, or
lets the request on with a well-formed staff member (200 or the route's 403), and never raises.
The rule for which shape gets which answer is in chalicelib/web/auth.py's docstring."""

from __future__ import annotations

import http.client
import json
import time
import unicodedata
from collections.abc import Iterator
from typing import Any

import pytest
from chalice.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain.staff import ROLES, StaffMember
from chalicelib.domain.vocabulary import departments
from chalicelib.settings import get_settings
from chalicelib.web.auth import Unauthorized, authorizer_context, staff_from_context, verify_staff_token
from tests.support import free_port
from tests.support.api_client import app_client
from tests.support.api_server import serve_app
from tests.support.staff import TestIssuer

ABSENT = object()  # the claim is left out
CLAIMS = [
    "sub",
    "name",
    "cognito:username",
    "username",
    "custom:department",
    "aud",
    "client_id",
    "token_use",
    "cognito:groups",
    "exp",
    "iat",
    "nbf",
    "iss",
]
# The groups shapes issue 8 named: each crashed the authorizer (null, a number) or, for an object,
# read its keys as groups.
ODD_GROUPS = [None, 7, {"supervisor": True}]


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> TestIssuer:
    return TestIssuer(tmp_path_factory.mktemp("staff-auth"))


@pytest.fixture(scope="module")
def client(issuer: TestIssuer) -> Iterator[Client]:
    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        app_client(monkeypatch, STORAGE="memory", **issuer.environment()) as test_client,
    ):
        yield test_client


def _token(issuer: TestIssuer, kind: str, changes: dict[str, object]) -> str:
    """An ID token (or, with ``kind`` "access", an access token naming the client in client_id) of an
    officer in a department, with every claim the authorizer reads, changed by ``changes``."""
    from jwt.api_jws import PyJWS

    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": issuer.issuer,
        "sub": "sub-claims",
        "name": "王专员",
        "cognito:username": "wang",
        "username": "wang",
        "custom:department": "ecology_environment",
        "cognito:groups": ["officer", "department:ecology_environment"],
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }
    if kind == "id":
        claims.update({"aud": issuer.audience, "token_use": "id"})
    else:
        claims.update({"client_id": issuer.audience, "token_use": "access"})
    for claim, value in changes.items():
        if value is ABSENT:
            claims.pop(claim, None)
        else:
            claims[claim] = value
    # Signed as bytes: PyJWT's own encode refuses some shapes (a non-string iss) the issuer could send.
    payload = json.dumps(claims).encode()
    return PyJWS().encode(payload, issuer.signing_key(), algorithm="RS256", headers={"kid": issuer.kid})


def _no_hidden_characters(text: str) -> bool:
    return not any(unicodedata.category(c)[0] == "C" or unicodedata.category(c) in ("Zl", "Zp") for c in text)


def assert_well_formed(staff: StaffMember) -> None:
    assert isinstance(staff.id, str)
    assert staff.id == staff.id.strip()
    assert 0 < len(staff.id) <= 128
    assert _no_hidden_characters(staff.id), repr(staff.id)
    assert isinstance(staff.name, str)
    assert staff.name == staff.name.strip()
    assert 0 < len(staff.name) <= 128
    assert _no_hidden_characters(staff.name), repr(staff.name)
    assert staff.roles <= frozenset(ROLES)
    assert staff.department is None or staff.department in departments()
    # What the routes get through API Gateway's context is the same person.
    assert staff_from_context({"authorizer": authorizer_context(staff)}) == staff


def _answer(client: Client, token: str) -> int:
    response = client.http.get("/admin/complaints", headers={"Authorization": f"Bearer {token}"})
    return int(response.status_code)


def _outcome(client: Client, token: str) -> tuple[StaffMember | None, int]:
    try:
        staff: StaffMember | None = verify_staff_token(f"Bearer {token}", get_settings())
    except Unauthorized:
        staff = None
    return staff, _answer(client, token)


SPECIAL_STRINGS = st.sampled_from(
    [
        "",
        " ",
        "\u3000",
        "officer",
        "supervisor",
        "handler",
        "ecology_environment",
        "department:ecology_environment",
        "department:nowhere",
        "id",
        "access",
        "urn:complaint-portal:local-staff-issuer",
        "complaint-portal-staff-console",
        "1" * 20,
        str(int(time.time()) + 600),
        "x" * 129,
        "王" * 5000,
        "a\nb",
        "a\x00b",
        "\u202eabc",
        "line\u2028break",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats()  # NaN and ±Infinity included: json.dumps writes them and PyJWT reads them back
    | st.text()
    | st.text(min_size=100, max_size=400)
    | SPECIAL_STRINGS
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
CLAIM_VALUES = st.just(ABSENT) | JSON_VALUES


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(["id", "access"]), value=CLAIM_VALUES)
@pytest.mark.parametrize("claim", CLAIMS)
def test_any_value_of_any_claim_gets_401_or_a_well_formed_staff_member(
    client: Client, issuer: TestIssuer, claim: str, kind: str, value: object
) -> None:
    token = _token(issuer, kind, {claim: value})
    staff, status = _outcome(client, token)
    if staff is None:
        assert status == 401, (claim, value)
        return
    assert_well_formed(staff)
    assert status == (200 if staff.roles else 403), (claim, value, staff)


@pytest.mark.parametrize("groups", ODD_GROUPS, ids=["null", "number", "object"])
def test_groups_that_are_not_a_list_count_as_no_groups(
    client: Client, issuer: TestIssuer, groups: object
) -> None:
    token = _token(issuer, "id", {"cognito:groups": groups})
    response = client.http.get("/admin/complaints", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 403, response.body
    assert json.loads(response.body)["error"]["code"] == "forbidden"


def test_over_http_odd_groups_get_an_answer_not_a_dropped_connection(
    client: Client, issuer: TestIssuer
) -> None:
    port = free_port()  # chalice local's own server, in this process, with the client's settings
    with serve_app(port):
        for groups in ODD_GROUPS:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            token = _token(issuer, "id", {"cognito:groups": groups})
            connection.request("GET", "/admin/complaints", headers={"Authorization": f"Bearer {token}"})
            response = connection.getresponse()
            assert response.status == 403, (groups, response.read())
            connection.close()


@pytest.mark.parametrize(
    ("claim", "value"),
    [
        ("custom:department", "nowhere"),
        ("custom:department", ["ecology_environment"]),
        ("custom:department", {"code": "ecology_environment"}),
    ],
)
def test_a_department_that_is_not_a_known_code_counts_as_none(
    client: Client, issuer: TestIssuer, claim: str, value: object
) -> None:
    staff = verify_staff_token(f"Bearer {_token(issuer, 'id', {claim: value})}", get_settings())
    # The department:ecology_environment group still names one.
    assert staff.department == "ecology_environment"
    handler = _token(issuer, "id", {claim: value, "cognito:groups": ["handler"]})
    without_group = verify_staff_token(f"Bearer {handler}", get_settings())
    assert without_group.department is None


@pytest.mark.parametrize(
    ("claim", "value", "expected_name"),
    [
        ("name", {"zh": "王"}, "wang"),
        ("name", "  王专员  ", "王专员"),
        ("name", "王\n专员", "wang"),
        ("name", "", "wang"),
        ("name", "王" * 129, "wang"),
    ],
)
def test_a_name_that_is_not_text_gives_way_to_the_next(
    client: Client, issuer: TestIssuer, claim: str, value: object, expected_name: str
) -> None:
    staff = verify_staff_token(f"Bearer {_token(issuer, 'id', {claim: value})}", get_settings())
    assert staff.name == expected_name


@pytest.mark.parametrize("sub", ["", " sub-x", "sub\nx", "s" * 129, 42, ["sub-x"]])
def test_a_subject_that_is_not_an_identifier_gets_401(
    client: Client, issuer: TestIssuer, sub: object
) -> None:
    assert _answer(client, _token(issuer, "id", {"sub": sub})) == 401
