"""The wire shape of an upload request (pydantic: imported only by the routes that offer uploads).

What the file is (its type on the list, its size within the limits) is the domain's rule
(``domain.attachments.check_upload``): here only JSON types, unknown and repeated fields."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, ValidationError

from ..services.attachments import UploadRequest
from .requests import refuse_repeated_keys
from .schemas import RequiredText, _Body, _refusal

__all__ = ["ComplainantUploadBody", "StaffUploadBody", "parse_upload"]


class ComplainantUploadBody(_Body):
    """The file the complainant is about to post to S3."""

    file_name: RequiredText
    content_type: RequiredText
    size: Annotated[int, Field(strict=True, ge=1)]


class StaffUploadBody(ComplainantUploadBody):
    """Staff's own evidence: internal unless marked public (then the complainant sees it too)."""

    visibility: Literal["internal", "public"] = "internal"


def parse_upload(body: bytes, *, staff: bool) -> UploadRequest:
    schema = StaffUploadBody if staff else ComplainantUploadBody
    try:
        refuse_repeated_keys(body)
        parsed = schema.model_validate_json(body)
    except ValidationError as error:
        raise _refusal(error) from error
    visibility = parsed.visibility if isinstance(parsed, StaffUploadBody) else "internal"
    return UploadRequest(parsed.file_name, parsed.content_type, parsed.size, visibility)
