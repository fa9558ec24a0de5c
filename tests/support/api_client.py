"""Running the Chalice app in process against a chosen storage, for integration tests."""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client

API_DIR = Path(__file__).resolve().parents[2] / "api"
PORTAL_ORIGIN = "http://portal.test"


def reset_app_state() -> None:
    """Forget cached settings and repositories (both are built once per configuration)."""
    from chalicelib.settings import reset_settings
    from chalicelib.storage import forget_storage

    reset_settings()
    forget_storage()


@contextlib.contextmanager
def app_client(monkeypatch: pytest.MonkeyPatch, **env: str) -> Iterator[Client]:
    """A Chalice test client for the app, with tables under a fresh prefix (created if DynamoDB)."""
    prefix = f"t{uuid.uuid4().hex[:10]}"
    settings_env = {
        "STAGE": "test",
        "STORAGE": "dynamodb",
        "TABLE_PREFIX": prefix,
        "PORTAL_ORIGIN": PORTAL_ORIGIN,
        "ACCESS_CODE_SECRET": "integration-test-secret-" + "x" * 20,
        **env,
    }
    for name, value in settings_env.items():
        monkeypatch.setenv(name, value)
    reset_app_state()
    from chalicelib.settings import get_settings
    from chalicelib.storage.tables import ensure_tables

    if get_settings().storage == "dynamodb":
        ensure_tables(get_settings())
    from app import app
    from scripts.lib.gateway_emulation import emulate_api_gateway

    emulate_api_gateway()
    try:
        with Client(app, stage_name="test", project_dir=str(API_DIR)) as client:
            yield client
    finally:
        reset_app_state()


def post_json(
    client: Client, path: str, body: Any, headers: Mapping[str, str] | None = None
) -> tuple[int, dict[str, Any], Mapping[str, str]]:
    response = client.http.post(
        path,
        headers={"Content-Type": "application/json", **(headers or {})},
        body=body if isinstance(body, (str, bytes)) else json.dumps(body),
    )
    return response.status_code, json.loads(response.body), response.headers


def get_json(
    client: Client, path: str, headers: Mapping[str, str] | None = None
) -> tuple[int, dict[str, Any], Mapping[str, str]]:
    response = client.http.get(path, headers=dict(headers or {}))
    return response.status_code, json.loads(response.body), response.headers
