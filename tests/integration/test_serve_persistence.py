"""What ./scripts/serve promises: a complaint filed through the running stack is still there after
the stack is stopped and started again (DynamoDB Local keeps its data in a folder)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from scripts.lib.dynamodb_local import unavailable_reason
from scripts.lib.stack import LocalStack, StackConfig, new_access_code_secret
from tests.support import free_port

from .test_public_api import COMPLAINT


def _stack(tmp_path: Path, data_dir: Path, secret: str, run: int) -> LocalStack:
    return LocalStack(
        StackConfig(
            portal_port=free_port(),
            api_port=free_port(),
            dynamodb_port=free_port(),
            site_dir=tmp_path / f"site-{run}",
            access_code_secret=secret,
            dynamodb_data_dir=data_dir,
            log_dir=tmp_path / f"logs-{run}",
            quiet_static=True,
            staff_auth_dir=tmp_path / "staff-auth",
        )
    )


@pytest.mark.timeout(300)
def test_a_complaint_filed_through_the_stack_survives_a_restart(tmp_path: Path) -> None:
    if unavailable_reason() is not None:
        pytest.fail(f"DynamoDB Local cannot run here: {unavailable_reason()}")
    data_dir, secret = tmp_path / "dynamodb-data", new_access_code_secret()

    with _stack(tmp_path, data_dir, secret, 1) as first:
        request = urllib.request.Request(
            f"{first.api_url}/complaints",
            json.dumps(COMPLAINT).encode(),
            {"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            assert response.status == 201
            receipt = json.loads(response.read())

    with _stack(tmp_path, data_dir, secret, 2) as second:
        number = receipt["tracking_no"]
        with urllib.request.urlopen(f"{second.api_url}/complaints/{number}", timeout=30) as response:
            assert response.status == 200
            assert json.loads(response.read())["status"] == "received"
        own = urllib.request.Request(
            f"{second.api_url}/complaints/{number}", headers={"X-Access-Code": receipt["access_code"]}
        )
        with urllib.request.urlopen(own, timeout=30) as response:
            assert json.loads(response.read())["complaint"]["subject"] == COMPLAINT["subject"]
