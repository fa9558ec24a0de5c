"""The attachment routes' bodies in the OpenAPI document are their pydantic models (issue 12)."""

from __future__ import annotations

import pytest
from pydantic import BaseModel

from chalicelib.web.attachment_schemas import ComplainantUploadBody, StaffUploadBody
from tests.support.openapi import documented_operations

from .test_openapi_document import _assert_describes, _resolve


@pytest.mark.parametrize(
    ("path", "model"),
    [
        ("/complaints/{tracking_no}/attachments", ComplainantUploadBody),
        ("/admin/complaints/{tracking_no}/attachments", StaffUploadBody),
    ],
)
def test_each_upload_body_is_its_model(path: str, model: type[BaseModel]) -> None:
    operation = documented_operations()[(path, "POST")]
    schema = _resolve(operation["requestBody"]["content"]["application/json"]["schema"])
    _assert_describes(model, schema, model.__name__)
