"""Attachments end to end on a real S3 (SeaweedFS) and DynamoDB Local (issue 12).

S3 itself refuses what the presigned POST's policy does not allow (moto would accept all of it);
processing keeps a clean copy (no GPS, upright) and refuses what is not what it claims to be or
what the scanner flags; staff and the complainant open what they may, staff openings are in the
access log, and the public status holds no trace of any attachment.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client

from scripts.lib.s3_server import S3Server
from tests.support import artifact_path, unavailable
from tests.support.api_client import app_client, get_json, post_json
from tests.support.stack import start_s3_server
from tests.support.staff import TestIssuer
from tests.support.uploads import camera_jpeg, error_code, post_to_s3, presigned_upload

from .test_public_api import COMPLAINT

BUCKET = "attachments-under-test"
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"

pytestmark = pytest.mark.usefixtures("dynamodb_local")


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    server = start_s3_server(
        tmp_path_factory.mktemp("s3-data"),
        buckets=(BUCKET,),
        log_path=artifact_path("logs", "s3-attachments.log"),
    )
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def signatures(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ClamAV signature file of our own: the EICAR test file's MD5 signature (sigtool)."""
    if shutil.which("sigtool") is None or shutil.which("clamscan") is None:
        unavailable("ClamAV is not installed (apt-get install clamav): the scan step cannot be tested")
    folder = tmp_path_factory.mktemp("clamav")
    sample = folder / "eicar.com"
    sample.write_bytes(EICAR)
    made = subprocess.run(["sigtool", "--md5", str(sample)], capture_output=True, check=True, timeout=60)
    database = folder / "eicar.hdb"
    database.write_bytes(made.stdout)
    return database


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> TestIssuer:
    return TestIssuer(tmp_path_factory.mktemp("staff-auth"))


@pytest.fixture(scope="module")
def client(s3: S3Server, signatures: Path, issuer: TestIssuer, dynamodb_local: str) -> Iterator[Client]:
    patch = pytest.MonkeyPatch()
    env = {
        "S3_ENDPOINT_URL": s3.url,
        "ATTACHMENTS_BUCKET": BUCKET,
        "ATTACHMENT_SCANNER": "clamav",
        "CLAMSCAN_DATABASE": str(signatures),
        **issuer.environment(),
    }
    try:
        with app_client(patch, **env) as test_client:
            yield test_client
    finally:
        patch.undo()


def _file(client: Client, **changes: Any) -> tuple[str, dict[str, str]]:
    status, receipt, _ = post_json(client, "/complaints", {**COMPLAINT, **changes})
    assert status == 201, receipt
    # As stored and in keys: without the hyphens of its display form.
    return receipt["tracking_no"].replace("-", ""), {"X-Access-Code": receipt["access_code"]}


def _offer(
    client: Client,
    number: str,
    headers: dict[str, str],
    *,
    size: int,
    content_type: str = "image/jpeg",
    **more: Any,
) -> dict[str, Any]:
    body = {"file_name": "现场照片.jpg", "content_type": content_type, "size": size, **more}
    status, offer, _ = post_json(client, f"/complaints/{number}/attachments", body, headers)
    assert status == 201, offer
    return offer


def _process() -> dict[str, int]:
    from chalicelib.jobs.attachments import process_attachments

    return dict(process_attachments(datetime.now(UTC)).counts)


def _listed(client: Client, number: str, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    status, body, _ = get_json(client, f"/complaints/{number}/attachments", headers)
    assert status == 200, body
    return {item["id"]: item for item in body["items"]}


def _download(url: str) -> tuple[bytes, dict[str, str]]:
    with urllib.request.urlopen(url, timeout=30) as answer:
        return answer.read(), dict(answer.headers)


def _keys(s3: S3Server) -> list[str]:
    from chalicelib.settings import get_settings
    from chalicelib.storage.attachment_storage import object_store_for

    objects = object_store_for(get_settings())
    return objects.keys("", limit=1000)


# --- S3 itself refuses what the policy does not allow ---------------------------------------------


def test_s3_refuses_an_oversize_file_another_type_a_tampered_signature_or_policy(client: Client) -> None:
    number, headers = _file(client)
    offer = _offer(client, number, headers, size=1000)
    fields = offer["upload"]["fields"]
    assert offer["upload"]["url"].startswith("http://localhost:")
    assert fields["key"].startswith(f"quarantine/{number}/")

    status, body = presigned_upload(offer, b"x" * 1001)
    assert (status, error_code(body)) == (400, "EntityTooLarge")
    status, body = presigned_upload(offer, b"x" * 10, **{"Content-Type": "text/html"})
    assert status == 403
    assert "Policy Condition failed" in body
    status, body = presigned_upload(offer, b"x" * 10, key=f"cases/{number}/{offer['attachment']['id']}")
    assert status == 403
    signature = fields["x-amz-signature"]
    tampered = ("0" if signature[-1] != "0" else "1").join([signature[:-1], ""])
    status, body = presigned_upload(offer, b"x" * 10, **{"x-amz-signature": tampered})
    assert (status, error_code(body)) == (403, "SignatureDoesNotMatch")
    import base64

    policy = json.loads(base64.b64decode(fields["policy"]))
    policy["conditions"] = [
        c for c in policy["conditions"] if not (isinstance(c, list) and c[0] == "content-length-range")
    ]
    widened = base64.b64encode(json.dumps(policy).encode()).decode()
    status, body = presigned_upload(offer, b"x" * 5000, policy=widened)
    assert (status, error_code(body)) == (403, "SignatureDoesNotMatch")
    # Nothing got in: the quarantine holds no object for this case.
    assert not [k for k in _keys_now() if number in k]
    status, _ = presigned_upload(offer, b"x" * 10)
    assert status == 204


def _keys_now() -> list[str]:
    from chalicelib.settings import get_settings
    from chalicelib.storage.attachment_storage import object_store_for

    return object_store_for(get_settings()).keys("", limit=1000)


def test_s3_refuses_an_expired_policy(client: Client) -> None:
    from chalicelib.settings import get_settings
    from chalicelib.storage.attachment_storage import object_store_for

    post = object_store_for(get_settings()).presigned_post(
        "quarantine/EXPIREDTEST0/0000000000000000",
        content_type="image/png",
        max_size=100,
        expires_in=1,
        redirect=None,
    )
    time.sleep(2.5)
    status, body = post_to_s3(post.url, post.fields, b"x" * 10)
    assert status == 403
    assert "expired" in body.lower()


# --- Processing ------------------------------------------------------------------------------------


def test_a_jpeg_with_gps_comes_out_without_it_upright_and_recorded_with_an_event(
    client: Client, issuer: TestIssuer
) -> None:
    from PIL import Image

    photo = camera_jpeg(width=60, height=40, orientation=6)
    assert Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)  # the original has GPS
    number, headers = _file(client)
    offer = _offer(client, number, headers, size=len(photo))
    assert presigned_upload(offer, photo)[0] == 204
    attachment_id = offer["attachment"]["id"]
    assert _listed(client, number, headers)[attachment_id]["state"] == "pending"

    assert _process().get("ready", 0) >= 1
    listed = _listed(client, number, headers)[attachment_id]
    assert listed["state"] == "ready"
    assert listed["name"] == "现场照片.jpg"
    assert listed["content_type"] == "image/jpeg"

    status, opened, _ = get_json(client, f"/complaints/{number}/attachments/{attachment_id}", headers)
    assert status == 200, opened
    data, answer_headers = _download(opened["url"])
    assert answer_headers["Content-Type"] == "image/jpeg"
    assert answer_headers["Content-Disposition"].startswith("attachment;")
    import hashlib

    assert hashlib.sha256(data).hexdigest() == listed["sha256"]
    assert len(data) == listed["size"]
    clean = Image.open(io.BytesIO(data))
    assert not clean.getexif()  # no EXIF at all: no GPS, no camera, no orientation left to apply
    assert b"taken at home" not in data
    assert clean.size == (40, 60)  # turned upright
    top = clean.getpixel((20, 5))
    assert isinstance(top, tuple)
    assert top[2] > 150  # the blue half is on top now
    # The original is gone from quarantine; the clean copy is kept under the case.
    keys = [k for k in _keys_now() if number in k]
    assert keys == [f"cases/{number}/{attachment_id}"]
    # One event on the case, naming the file by id only.
    supervisor = issuer.bearer("supervisor", name="张主管")
    _, case, _ = get_json(client, f"/admin/complaints/{number}", supervisor)
    events = [e for e in case["history"] if e["action"] == "attachment_added"]
    assert [e["data"]["attachment"] for e in events] == [attachment_id]
    assert events[0]["data"]["sha256"] == listed["sha256"]
    assert "现场照片" not in json.dumps(case["history"], ensure_ascii=False)
    # A second run finds nothing to do and writes no second event.
    _process()
    _, case, _ = get_json(client, f"/admin/complaints/{number}", supervisor)
    assert len([e for e in case["history"] if e["action"] == "attachment_added"]) == 1


def test_an_html_file_named_jpg_is_refused_and_deleted(client: Client) -> None:
    page = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
    number, headers = _file(client)
    offer = _offer(client, number, headers, size=len(page))
    assert presigned_upload(offer, page)[0] == 204
    _process()
    listed = _listed(client, number, headers)[offer["attachment"]["id"]]
    assert listed["state"] == "refused"
    assert "JPEG" in listed["refusal"]["zh"]
    assert "was deleted" in listed["refusal"]["en"]
    assert not [k for k in _keys_now() if number in k]
    status, _body, _ = get_json(
        client, f"/complaints/{number}/attachments/{offer['attachment']['id']}", headers
    )
    assert status == 404


def test_the_eicar_test_file_is_refused_by_the_configured_scanner(client: Client) -> None:
    number, headers = _file(client)
    offer = _offer(client, number, headers, size=len(EICAR), content_type="application/pdf")
    assert presigned_upload(offer, EICAR)[0] == 204
    assert _process().get("refused", 0) >= 1
    listed = _listed(client, number, headers)[offer["attachment"]["id"]]
    assert listed["state"] == "refused"
    assert "virus" in listed["refusal"]["en"]
    assert not [k for k in _keys_now() if number in k]


# --- Viewing ---------------------------------------------------------------------------------------


def _ready_file(client: Client, number: str, headers: dict[str, str]) -> str:
    photo = camera_jpeg()
    offer = _offer(client, number, headers, size=len(photo))
    assert presigned_upload(offer, photo)[0] == 204
    _process()
    return str(offer["attachment"]["id"])


def test_staff_openings_are_logged_and_the_public_status_shows_no_trace(
    client: Client, issuer: TestIssuer
) -> None:
    number, headers = _file(client)
    attachment_id = _ready_file(client, number, headers)
    officer = issuer.bearer("officer", name="王专员")
    status, listed, _ = get_json(client, f"/admin/complaints/{number}/attachments", officer)
    assert status == 200
    assert [i["id"] for i in listed["items"]] == [attachment_id]
    status, opened, _ = get_json(client, f"/admin/complaints/{number}/attachments/{attachment_id}", officer)
    assert status == 200
    assert _download(opened["url"])[1]["Content-Disposition"].startswith("attachment;")
    supervisor = issuer.bearer("supervisor", name="张主管")
    _, log, _ = get_json(client, f"/admin/complaints/{number}/access-log", supervisor)
    assert ("王专员", "attachment_open") in [(e["staff_name"], e["purpose"]) for e in log["items"]]

    for path in (f"/complaints/{number}", f"/status-page?no={number}"):
        answer = client.http.get(path)
        assert answer.status_code == 200
        text = answer.body.decode("utf-8")
        assert attachment_id not in text
        assert "attach" not in text.lower()
        assert "附件" not in text


def test_an_officer_cannot_open_a_confidential_complainants_files_and_a_supervisor_can(
    client: Client, issuer: TestIssuer
) -> None:
    number, headers = _file(client, category="staff_conduct")
    attachment_id = _ready_file(client, number, headers)
    officer = issuer.bearer("officer", name="王专员")
    status, listed, _ = get_json(client, f"/admin/complaints/{number}/attachments", officer)
    assert status == 200
    assert listed["items"] == []
    assert listed["withheld"] == 1
    status, refused, _ = get_json(
        client,
        f"/admin/complaints/{number}/attachments/{attachment_id}",
        {**officer, "Accept-Language": "en"},
    )
    assert status == 403
    assert "supervisors only" in refused["error"]["message"]
    supervisor = issuer.bearer("supervisor", name="张主管")
    status, opened, _ = get_json(
        client, f"/admin/complaints/{number}/attachments/{attachment_id}", supervisor
    )
    assert status == 200
    assert opened["url"]
    # Staff's own evidence on the same case is for every officer.
    offer_status, offer, _ = post_json(
        client,
        f"/admin/complaints/{number}/attachments",
        {"file_name": "现场记录.pdf", "content_type": "application/pdf", "size": 400},
        officer,
    )
    assert offer_status == 201, offer
    assert offer["attachment"]["uploaded_by"] == "staff"
    assert offer["attachment"]["visibility"] == "internal"


def test_the_complainant_sees_staff_files_only_when_marked_public(client: Client, issuer: TestIssuer) -> None:
    number, headers = _file(client)
    officer = issuer.bearer("officer", name="王专员")
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\nstartxref\n9\n%%EOF\n"
    ids = {}
    for visibility in ("internal", "public"):
        status, offer, _ = post_json(
            client,
            f"/admin/complaints/{number}/attachments",
            {
                "file_name": f"{visibility}.pdf",
                "content_type": "application/pdf",
                "size": len(pdf),
                "visibility": visibility,
            },
            officer,
        )
        assert status == 201, offer
        assert presigned_upload(offer, pdf)[0] == 204
        ids[visibility] = offer["attachment"]["id"]
    _process()
    assert set(_listed(client, number, headers)) == {ids["public"]}
    status, _, _ = get_json(client, f"/complaints/{number}/attachments/{ids['internal']}", headers)
    assert status == 404
    status, opened, _ = get_json(client, f"/complaints/{number}/attachments/{ids['public']}", headers)
    assert status == 200
    assert _download(opened["url"])[0] == pdf


# --- Without JavaScript ----------------------------------------------------------------------------


def _form_post(client: Client, fields: dict[str, str], lang: str = "zh") -> tuple[int, str, dict[str, str]]:
    from urllib.parse import urlencode

    answer = client.http.post(
        f"/attachment-upload?lang={lang}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=urlencode(fields),
    )
    return answer.status_code, answer.body.decode("utf-8"), dict(answer.headers)


def _upload_form(page: str) -> tuple[str, dict[str, str]]:
    import re
    from html import unescape

    found = re.search(r'<form method="post" action="([^"]+)" enctype="multipart/form-data">', page)
    assert found is not None, page
    action = unescape(found[1])
    fields = {
        unescape(name): unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page)
    }
    return action, fields


def test_without_javascript_the_api_page_posts_the_file_to_s3_which_sends_the_browser_back(
    client: Client,
) -> None:
    number, headers = _file(client)
    status, page, answer_headers = _form_post(
        client,
        {"no": number, "access_code": headers["X-Access-Code"], "content_type": "application/pdf"},
        "en",
    )
    assert status == 200, page
    action, fields = _upload_form(page)
    assert action.startswith("http://localhost:")
    assert f"form-action 'self' {action.rsplit('/', 1)[0]}" in answer_headers["Content-Security-Policy"]
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\nstartxref\n9\n%%EOF\n"
    status, _ = post_to_s3(action, fields, pdf)
    assert status == 303
    assert fields["success_action_redirect"] == "http://portal.test/en/attachment-received/"
    _process()
    [listed] = _listed(client, number, headers).values()
    assert (listed["state"], listed["name"]) == ("ready", "attachment.pdf")


def test_without_javascript_mistakes_are_pages_naming_each_field(client: Client) -> None:
    number, headers = _file(client)
    status, page, _ = _form_post(client, {"no": number, "content_type": "text/html", "extra": "x"})
    assert status == 400
    assert "请填写查询码" in page
    assert "不接受此字段" in page
    status, page, _ = _form_post(
        client, {"no": number, "access_code": headers["X-Access-Code"], "content_type": "text/html"}
    )
    assert status == 400
    assert "只能上传 JPEG、PNG、WebP 图片或 PDF 文件" in page
    status, page, _ = _form_post(
        client, {"no": number, "access_code": "AAAA-BBBB-CCCC-DDDD", "content_type": "image/png"}
    )
    assert status == 403
    assert "查询码不正确" in page
    assert _listed(client, number, headers) == {}


def test_the_s3_event_function_processes_the_upload_it_names(client: Client) -> None:
    from urllib.parse import quote_plus

    from chalicelib.jobs.attachments import process_attachment_upload

    number, headers = _file(client)
    offer = _offer(client, number, headers, size=len(camera_jpeg()))
    assert presigned_upload(offer, camera_jpeg())[0] == 204
    # S3 notifications carry the key URL-encoded, as S3 sends it.
    event = {
        "Records": [
            {
                "eventName": "ObjectCreated:Post",
                "s3": {"object": {"key": quote_plus(offer["upload"]["fields"]["key"])}},
            }
        ]
    }
    process_attachment_upload(event, None)
    assert _listed(client, number, headers)[offer["attachment"]["id"]]["state"] == "ready"


def test_an_offer_names_each_wrong_field_in_the_callers_language_and_writes_nothing(client: Client) -> None:
    number, headers = _file(client)
    path = f"/complaints/{number}/attachments"
    body = {"file_name": "a.svg", "content_type": "image/svg+xml", "size": 20 * 1024 * 1024, "extra": 1}
    status, refused, _ = post_json(client, path, body, {**headers, "Accept-Language": "en"})
    assert status == 400
    assert refused["error"]["fields"] == {"extra": "This field is not accepted."}
    body.pop("extra")
    status, refused, _ = post_json(client, path, body, {**headers, "Accept-Language": "en"})
    assert status == 400
    assert refused["error"]["fields"] == {
        "content_type": "Only JPEG, PNG and WebP images and PDF files can be uploaded.",
        "size": "A file can be at most 10 MB.",
    }
    status, refused, _ = post_json(
        client,
        path,
        {"file_name": "a.jpg", "content_type": "image/jpeg", "size": 1},
        {"X-Access-Code": "AAAA-BBBB-CCCC-DDDD"},
    )
    assert status == 403
    answer = client.http.post(path, headers={**headers, "Content-Type": "text/plain"}, body="file")
    assert answer.status_code == 415
    assert _listed(client, number, headers) == {}
