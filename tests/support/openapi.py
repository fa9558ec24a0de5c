"""The API's OpenAPI document (api/openapi.yaml), for the tests that hold it to the app."""

from __future__ import annotations

from functools import cache
from typing import Any

from tests.support.api_client import API_DIR

__all__ = ["OPENAPI_PATH", "documented_operations", "load_openapi"]

OPENAPI_PATH = API_DIR / "openapi.yaml"
HTTP_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})


@cache
def load_openapi() -> dict[str, Any]:
    import yaml  # type: ignore[import-untyped]  # mkdocs' own dependency, no stubs here

    document: dict[str, Any] = yaml.safe_load(OPENAPI_PATH.read_text(encoding="utf-8"))
    return document


def documented_operations() -> dict[tuple[str, str], dict[str, Any]]:
    """Each operation of the document by (path, METHOD)."""
    return {
        (path, method.upper()): operation
        for path, item in load_openapi()["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    }
