"""Every route that takes a body refuses an oversized one (413) and a non-JSON one (415), and
stores nothing: found from the app's route table, so a new route is covered too."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from chalice.test import Client

from app import app
from chalicelib.domain.tracking import format_code, new_tracking_no
from chalicelib.settings import get_settings
from chalicelib.storage import repository_for
from tests.support.api_client import app_client
from tests.support.staff import TestIssuer

POST_ROUTES = sorted(path for path, methods in app.routes.items() if "POST" in methods)
LIMIT = 2048


@pytest.fixture
def client(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Client, dict[str, str]]]:
    issuer = TestIssuer(tmp_path_factory.mktemp("staff-auth"))
    env = {"STORAGE": "memory", "MAX_BODY_BYTES": str(LIMIT), **issuer.environment()}
    with app_client(monkeypatch, **env) as test_client:
        yield test_client, issuer.bearer("supervisor", name="张主管")


def _headers(path: str, staff: dict[str, str], content_type: str) -> dict[str, str]:
    extra = staff if path.startswith("/admin") else {"X-Access-Code": "0000-0000-0000-0000"}
    return {"Content-Type": content_type, **extra}


# Routes that answer with pages (the plain upload form for browsers without JavaScript) err in pages.
PAGE_ROUTES = {"/attachment-upload"}
# What those pages say for each error, in the default language.
PAGE_MESSAGES = {"body_too_large": "提交的内容过大", "unsupported_media_type": "不支持的内容类型"}


def _error_code_is(path: str, body: bytes, code: str) -> None:
    if path in PAGE_ROUTES:
        assert PAGE_MESSAGES[code] in body.decode("utf-8")
    else:
        assert json.loads(body)["error"]["code"] == code


def test_the_route_table_has_post_routes() -> None:
    assert {"/complaints", "/admin/complaints", "/admin/complaints/{tracking_no}/actions"} <= set(POST_ROUTES)


@pytest.mark.parametrize("path", POST_ROUTES)
def test_an_oversized_body_gets_413_and_stores_nothing(
    client: tuple[Client, dict[str, str]], path: str
) -> None:
    http, staff = client
    concrete = path.replace("{tracking_no}", format_code(new_tracking_no()))
    body = json.dumps({"description": "很" * LIMIT})
    response = http.http.post(concrete, headers=_headers(path, staff, "application/json"), body=body)
    assert response.status_code == 413, response.body
    _error_code_is(path, response.body, "body_too_large")
    assert repository_for(get_settings()).count() == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", POST_ROUTES)
@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/xml", "multipart/form-data; boundary=x", ""]
)
def test_a_body_that_is_not_json_gets_415(
    client: tuple[Client, dict[str, str]], path: str, content_type: str
) -> None:
    http, staff = client
    concrete = path.replace("{tracking_no}", format_code(new_tracking_no()))
    response = http.http.post(concrete, headers=_headers(path, staff, content_type), body="hello")
    assert response.status_code == 415, (content_type, response.body)
    _error_code_is(path, response.body, "unsupported_media_type")
