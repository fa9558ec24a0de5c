"""Complaints in a given state on a running API, for browser tests: filed through the public API,
then moved on by a supervisor through the admin API with a token of the stack's own issuer."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

from scripts.lib.staff_tokens import LocalIssuer

__all__ = [
    "ApiError",
    "FiledComplaint",
    "file_accepted_complaint",
    "file_complaint",
    "get_json",
    "staff_action",
]

COMPLAINT: dict[str, Any] = {
    "complainant_type": "individual",
    "name": "李四",
    "phone": "13800138000",
    "category": "env_odor",
    "subject": "夜间刺鼻气味",
    "description": "每天夜里园区北侧有很重的刺鼻气味，持续一个多月。",
    "location": "园区北路 3 号",
    "desired_outcome": "查明来源，停止排放。",
    "consent": True,
}


class ApiError(AssertionError):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"HTTP {status}: {body}")
        self.status = status
        self.body = body


@dataclass(frozen=True)
class FiledComplaint:
    tracking_no: str
    access_code: str


def _call(method: str, url: str, body: Any = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        method=method,
        data=None if body is None else json.dumps(body).encode("utf-8"),
        headers={"Content-Type": "application/json", "Accept": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def get_json(url: str, headers: dict[str, str] | None = None) -> Any:
    status, body = _call("GET", url, headers=headers)
    if status != 200:
        raise ApiError(status, body)
    return body


def file_complaint(api_url: str, **changes: Any) -> FiledComplaint:
    """A complaint filed online; its tracking number and access code."""
    status, body = _call(
        "POST", f"{api_url}/complaints", {**COMPLAINT, **changes}, {"Idempotency-Key": str(uuid.uuid4())}
    )
    if status != 201:
        raise ApiError(status, body)
    return FiledComplaint(str(body["tracking_no"]), str(body["access_code"]))


def staff_action(api_url: str, issuer: LocalIssuer, tracking_no: str, action: str, **fields: Any) -> Any:
    """A supervisor takes ``action`` on the case at its current version; returns the staff view."""
    bearer = {"Authorization": "Bearer " + issuer.token(roles=["supervisor"], name="张主管")}
    case = get_json(f"{api_url}/admin/complaints/{tracking_no}", bearer)
    status, body = _call(
        "POST",
        f"{api_url}/admin/complaints/{tracking_no}/actions",
        {"action": action, "expected_version": case["version"], **fields},
        bearer,
    )
    if status != 200:
        raise ApiError(status, body)
    return body


def file_accepted_complaint(api_url: str, issuer: LocalIssuer) -> FiledComplaint:
    """A complaint filed, then accepted by an officer (routed to the ecology bureau)."""
    filed = file_complaint(api_url)
    staff_action(
        api_url,
        issuer,
        filed.tracking_no,
        "accept",
        category="env_odor",
        department="ecology_environment",
        priority="normal",
    )
    return filed
