"""Who complained about staff conduct never reaches anyone but supervisors (issue 8, item 1).

Random sequences of every action officers and handlers can take (and the complainant's own, with
the access code), by random staff, over the API: after each step every route a non-supervisor can
call is read by the one who acted, another officer and the handlers of the case's department, and
no answer holds any part of the complainant's identity. Supervisors are left out of the walk: they
alone may lift confidentiality."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from chalice.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain.actions import STAFF_ACTIONS
from chalicelib.domain.vocabulary import categories, departments, rejection_reasons
from tests.support.api_client import app_client
from tests.support.staff import TestIssuer

from .test_public_api import COMPLAINT

IDENTITY = {
    "name": "保密证人甲",
    "organization": "绝密举报有限公司",
    "credit_code": "91350100M000100Y43",
    "phone": "13987654321",
    "email": "whistle.blower@example.cn",
}
# Every form an identity could take in an answer (phone numbers are stored without separators).
MARKERS = [*IDENTITY.values(), "whistle.blower", "87654321"]
DEPARTMENTS = sorted(departments())
NON_SUPERVISOR_ACTIONS = sorted(rule.name for rule in STAFF_ACTIONS if rule.roles - {"supervisor"})


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> TestIssuer:
    return TestIssuer(tmp_path_factory.mktemp("staff-auth"))


@pytest.fixture(scope="module")
def client(issuer: TestIssuer) -> Iterator[Client]:
    patch = pytest.MonkeyPatch()
    try:
        with app_client(patch, STORAGE="memory", **issuer.environment()) as test_client:
            yield test_client
    finally:
        patch.undo()


class Walk:
    def __init__(self, client: Client, issuer: TestIssuer) -> None:
        self.client = client
        self.officers = [issuer.bearer("officer", name=f"专员{n}") for n in range(2)]
        self.handlers = {
            code: issuer.bearer("handler", name=f"承办-{code}", department=code) for code in DEPARTMENTS
        }
        self.both = issuer.bearer("officer", "handler", name="兼任", department="discipline_inspection")
        self.answers = 0

    def request(
        self, method: str, path: str, who: dict[str, str], body: Any = None, *, staff: bool = True
    ) -> dict[str, Any]:
        """The answer, which must not show who complained when it is for staff (the complainant's own
        answers are theirs)."""
        headers = {"Content-Type": "application/json", **who}
        if method == "GET":
            response = self.client.http.get(path, headers=headers)
        else:
            response = self.client.http.post(path, headers=headers, body=json.dumps(body))
        assert response.status_code < 500, response.body
        self.answers += 1
        text = response.body.decode()
        leaked = [marker for marker in MARKERS if marker in text]
        assert not (staff and leaked), f"{method} {path} showed {leaked}"
        return json.loads(text) if text else {}

    def everyone(self) -> list[dict[str, str]]:
        return [*self.officers, *self.handlers.values(), self.both]


def _action_body(name: str, case: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    draw = data.draw
    text = draw(st.sampled_from(["已核实", "联系执法队", "请补充材料"]))
    bodies: dict[str, dict[str, Any]] = {
        "accept": {
            "category": draw(st.sampled_from(sorted(categories()))),
            "department": draw(st.sampled_from(DEPARTMENTS)),
            "priority": draw(st.sampled_from(["normal", "major", "urgent"])),
        },
        "reject": {"reason_code": draw(st.sampled_from(sorted(rejection_reasons()))), "explanation": text},
        "acknowledge": {"method": "phone"},
        "transfer": {"department": draw(st.sampled_from(DEPARTMENTS)), "reason": text},
        "start": {},
        "note": {"note": text},
        "reply": {"message": text},
        "respond": {"decision": "partly_upheld", "reasons": text, "remedy": "限期整改"},
        "callback": {"satisfaction": "satisfied", "comment": text},
        "callback_unreachable": {
            "retry_at": (datetime.now(UTC) + timedelta(days=1)).isoformat(),
            "comment": text,
        },
        "request_extension": {"due_at": (datetime.now(UTC) + timedelta(days=20)).isoformat(), "reason": text},
        "close": {},
    }
    return {"action": name, "expected_version": case.get("version", 1), **bodies[name]}


@pytest.fixture(scope="module")
def walk(client: Client, issuer: TestIssuer) -> Walk:
    # Made once: signing a token loads the issuer's private key (about 40 ms a token).
    return Walk(client, issuer)


def _staff_view(walk: Walk, number: str) -> dict[str, Any]:
    return walk.request("GET", f"/admin/complaints/{number}", walk.officers[0])


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    start_category=st.sampled_from(["staff_conduct", "env_noise", "admin_service"]),
    enterprise=st.booleans(),
    data=st.data(),
)
def test_no_non_supervisor_ever_sees_who_complained_about_conduct(
    client: Client, walk: Walk, start_category: str, enterprise: bool, data: st.DataObject
) -> None:
    complaint = {**COMPLAINT, "category": start_category, **IDENTITY}
    if not enterprise:
        complaint = {
            key: value for key, value in complaint.items() if key not in ("organization", "credit_code")
        }
    complaint["complainant_type"] = "enterprise" if enterprise else "individual"
    filed = client.http.post(
        "/complaints", headers={"Content-Type": "application/json"}, body=json.dumps(complaint)
    )
    assert filed.status_code == 201, filed.body
    receipt = json.loads(filed.body)
    number, code = receipt["tracking_no"], {"X-Access-Code": receipt["access_code"]}
    if start_category != "staff_conduct":
        # Not confidential yet: an officer accepts it into the conduct category first (what they
        # saw before is theirs to see). From that answer on, no identity may show.
        version = json.loads(client.http.get(f"/admin/complaints/{number}", headers=walk.officers[0]).body)[
            "version"
        ]
        accepted = client.http.post(
            f"/admin/complaints/{number}/actions",
            headers={"Content-Type": "application/json", **walk.officers[1]},
            body=json.dumps(
                {
                    "action": "accept",
                    "expected_version": version,
                    "category": "staff_conduct",
                    "department": "discipline_inspection",
                    "priority": "normal",
                }
            ),
        )
        assert accepted.status_code == 200, accepted.body
        text = accepted.body.decode()
        assert not [marker for marker in MARKERS if marker in text]
    case = _staff_view(walk, number)
    assert case["confidential"]

    for _ in range(data.draw(st.integers(1, 8), label="steps")):
        actor = data.draw(st.sampled_from(walk.everyone()), label="actor")
        if data.draw(st.integers(0, 5), label="complainant acts?") == 0:
            kind = data.draw(st.sampled_from(["information", "feedback", "review", "withdraw"]))
            bodies = {
                "information": {"message": "补充说明"},
                "feedback": {"satisfaction": "unsatisfied"},
                "review": {"reasons": "不服"},
                "withdraw": {},
            }
            walk.request("POST", f"/complaints/{number}/{kind}", code, bodies[kind], staff=False)
        else:
            name = data.draw(st.sampled_from(NON_SUPERVISOR_ACTIONS), label="action")
            answer = walk.request(
                "POST", f"/admin/complaints/{number}/actions", actor, _action_body(name, case, data)
            )
            if "tracking_no" in answer:
                assert answer["confidential"]
                assert answer["identity_visible"] is False
        case = _staff_view(walk, number)
        assert case["confidential"], "only a supervisor lifts confidentiality"
        department = case["department"]["code"] if case["department"] else None
        # The officer's view was read just above; now the actor, and the department's handlers.
        handler = walk.handlers[department] if department else walk.both
        for reader in {id(r): r for r in (actor, handler)}.values():
            walk.request("GET", f"/admin/complaints/{number}", reader)
        walk.request("GET", f"/admin/complaints?status={case['status']}&limit=5", walk.officers[1])
        walk.request("GET", "/admin/complaints?limit=5", handler)
        walk.request("GET", f"/complaints/{number}", {})
    for reader in (walk.officers[0], walk.both, *walk.handlers.values()):
        walk.request("GET", f"/admin/complaints/{number}", reader)
        walk.request("GET", f"/admin/complaints/{number}/access-log", reader)
    # Found by who made it, the case would tell them who complained: no identity search finds it,
    # and its page lists no other complaints of the same person.
    for reader in (walk.officers[1], handler):
        for identifier in IDENTITY.values():
            found = walk.request("GET", f"/admin/search?q={quote(identifier)}", reader)
            assert number not in {item["tracking_no"] for item in found.get("items", [])}, identifier
        history = walk.request("GET", f"/admin/complaints/{number}/history", reader)
        assert not history.get("items"), history


def test_a_supervisor_sees_the_identity_and_lifts_confidentiality_for_everyone_with_a_reason(
    client: Client, issuer: TestIssuer, walk: Walk
) -> None:
    supervisor = issuer.bearer("supervisor", name="张主管")
    filed = client.http.post(
        "/complaints",
        headers={"Content-Type": "application/json"},
        body=json.dumps({**COMPLAINT, "category": "staff_conduct", "name": IDENTITY["name"]}),
    )
    number = json.loads(filed.body)["tracking_no"]
    seen = json.loads(client.http.get(f"/admin/complaints/{number}", headers=supervisor).body)
    assert seen["complainant"]["name"] == IDENTITY["name"]
    assert "lift_confidentiality" in seen["allowed_actions"]
    refused = client.http.post(
        f"/admin/complaints/{number}/actions",
        headers={"Content-Type": "application/json", **walk.officers[0]},
        body=json.dumps(
            {"action": "lift_confidentiality", "expected_version": seen["version"], "reason": "x"}
        ),
    )
    assert refused.status_code == 403
    no_reason = client.http.post(
        f"/admin/complaints/{number}/actions",
        headers={"Content-Type": "application/json", **supervisor},
        body=json.dumps({"action": "lift_confidentiality", "expected_version": seen["version"]}),
    )
    assert no_reason.status_code == 400
    lifted = client.http.post(
        f"/admin/complaints/{number}/actions",
        headers={"Content-Type": "application/json", **supervisor},
        body=json.dumps(
            {
                "action": "lift_confidentiality",
                "expected_version": seen["version"],
                "reason": "投诉人书面同意",
            }
        ),
    )
    assert lifted.status_code == 200, lifted.body
    event = json.loads(lifted.body)["history"][-1]
    assert (event["action"], event["visibility"], event["note"]) == (
        "lift_confidentiality",
        "internal",
        "投诉人书面同意",
    )
    now_visible = json.loads(client.http.get(f"/admin/complaints/{number}", headers=walk.officers[0]).body)
    assert now_visible["complainant"]["name"] == IDENTITY["name"]
    public = json.loads(
        client.http.get(
            f"/complaints/{number}", headers={"X-Access-Code": json.loads(filed.body)["access_code"]}
        ).body
    )
    assert "lift_confidentiality" not in [message["action"] for message in public["messages"]]
    assert datetime.now(UTC) - timedelta(minutes=5) < datetime.fromisoformat(
        event["at"].replace("Z", "+00:00")
    )
