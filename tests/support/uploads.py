"""Posting a file to S3 as a browser does with a presigned POST (multipart/form-data), and images
with the metadata a phone camera writes."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from typing import Any

__all__ = ["camera_jpeg", "error_code", "post_to_s3", "presigned_upload"]


def post_to_s3(
    url: str, fields: Mapping[str, str], data: bytes, *, filename: str = "photo.jpg"
) -> tuple[int, str]:
    """POST ``fields`` then the file (S3 wants the file last); the status and body of S3's answer.
    Redirects are not followed (a success_action_redirect answers 303)."""
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    body = b"".join(parts) + head + data + f"\r\n--{boundary}--\r\n".encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}
    )

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode("utf-8", "replace")


def presigned_upload(offer: Mapping[str, Any], data: bytes, **changes: str) -> tuple[int, str]:
    """Post ``data`` with an offer's fields (``changes`` replace some of them, as an attacker would)."""
    upload = offer["upload"]
    return post_to_s3(upload["url"], {**upload["fields"], **changes}, data)


def camera_jpeg(*, width: int = 60, height: int = 40, orientation: int = 6) -> bytes:
    """A JPEG as a phone writes it: EXIF with the camera, GPS coordinates and an orientation
    (6: the pixels must be turned 90° clockwise to stand upright)."""
    from PIL import Image

    image = Image.new("RGB", (width, height), (200, 30, 30))
    for x in range(width // 2):  # the left half blue: how it stands tells whether it was turned
        for y in range(height):
            image.putpixel((x, y), (30, 30, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0112] = orientation  # Orientation
    gps = {1: "N", 2: (31.0, 17.0, 30.0), 3: "E", 4: (120.0, 37.0, 12.0)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), comment=b"taken at home")
    return out.getvalue()


def error_code(body: str) -> str:
    """The <Code> of S3's XML error answer."""
    start, end = body.find("<Code>"), body.find("</Code>")
    return body[start + 6 : end] if start >= 0 < end else json.dumps(body[:200])
