"""Attachment routes: offer an upload (an S3 presigned POST), list a case's files, open one (an S3
presigned GET); for the complainant with the access code, and for staff behind the authorizer.

The API never carries a file's bytes. Staff openings are written to the access log; the public
status (web/public.py) knows nothing of attachments.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ParamSpec
from urllib.parse import unquote

from chalice.app import Blueprint, Request, Response

from ..domain.deadlines import default_policy
from ..domain.messages import Message, render
from ..domain.staff import ALL_STAFF
from ..domain.vocabulary import LANGUAGES
from ..settings import Settings, get_settings
from ..storage import attempt_counter_for, repository_for
from .cors import preflight_response
from .requests import body_kind, limited_body
from .responses import json_response
from .routing import ANY_CONTENT_TYPE, endpoint
from .staff_routes import staff_authorizer
from .views import iso

if TYPE_CHECKING:  # the service, and the actions' rules it reads, load on these routes only
    from ..domain.attachments import Attachment, AttachmentPolicy
    from ..services.attachments import AttachmentStore, ObjectStore, UploadOffer, UploadRequest

__all__ = ["attachment_routes", "attachment_view"]

P = ParamSpec("P")

attachment_routes = Blueprint(__name__)


def _request() -> Request:
    request = attachment_routes.current_request
    assert request is not None  # set by Chalice while a view runs
    return request


handles_errors = endpoint(_request)


def _client() -> str:
    from .client_address import throttle_client

    return throttle_client(_request(), get_settings())


# The attachments' rules and stores (and the staff's identity) load on these routes, not with the
# API: a cold public lookup needs none of them.
def _limits() -> AttachmentPolicy:
    from ..domain.attachments import attachment_policy

    return attachment_policy()


def _files(settings: Settings) -> AttachmentStore:
    from ..storage.attachment_storage import attachment_store_for

    return attachment_store_for(settings)


def _objects(settings: Settings) -> ObjectStore:
    from ..storage.attachment_storage import object_store_for

    return object_store_for(settings)


def _access_code() -> str:
    return str(_request().headers.get("x-access-code", ""))


def _now() -> datetime:
    return datetime.now(UTC)


def _upload_request(body: bytes, *, staff: bool) -> UploadRequest:
    from .attachment_schemas import parse_upload  # pydantic only on the routes that take a body

    return parse_upload(body, staff=staff)


def _refusal_view(key: str | None) -> dict[str, str] | None:
    return None if key is None else {lang: render(Message(key), lang) for lang in LANGUAGES}


def attachment_view(attachment: Attachment, *, for_staff: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": attachment.id,
        "name": attachment.name,
        "state": attachment.state,
        "uploaded_by": attachment.uploaded_by,
        "visibility": attachment.visibility,
        "content_type": attachment.content_type or attachment.declared_type,
        "size": attachment.size if attachment.size is not None else attachment.declared_size,
        "sha256": attachment.sha256,
        "created_at": iso(attachment.created_at),
        "processed_at": iso(attachment.processed_at) if attachment.processed_at else None,
        "refusal": _refusal_view(attachment.refusal),
    }
    if for_staff:
        view["staff_name"] = attachment.staff_name
    return view


def _offer_view(offer: UploadOffer, *, for_staff: bool) -> dict[str, Any]:
    return {
        "attachment": attachment_view(offer.attachment, for_staff=for_staff),
        "upload": {
            "url": offer.post.url,
            "fields": dict(offer.post.fields),
            "file_field": "file",
            "expires_at": iso(offer.attachment.offer_expires_at),
        },
    }


def _limits_view() -> dict[str, Any]:
    limits = _limits()
    return {
        "max_file_bytes": limits.max_file_bytes,
        "max_files_per_case": limits.max_files_per_case,
        "max_total_bytes": limits.max_total_bytes,
        "content_types": list(limits.content_types),
    }


# --- The complainant's ----------------------------------------------------------------------------


@attachment_routes.route("/complaints/{tracking_no}/attachments", methods=["POST"], content_types=["*/*"])
@handles_errors
def offer_upload(tracking_no: str) -> Response:
    """An upload for the complainant: where to post the file, and the fields to post with it."""
    from ..services.attachments import offer_complainant_upload

    request, settings = _request(), get_settings()
    body_kind(request.headers, allow_form=False)
    upload = _upload_request(limited_body(request.raw_body, settings.max_body_bytes), staff=False)
    objects = _objects(settings)
    offer = offer_complainant_upload(
        repository_for(settings),
        attempt_counter_for(settings),
        _files(settings),
        objects,
        unquote(tracking_no),
        _access_code(),
        upload,
        client=_client(),
        redirect=None,
        now=_now(),
        policy=default_policy(),
        limits=_limits(),
    )
    return json_response(_offer_view(offer, for_staff=False), 201)


@attachment_routes.route(
    "/complaints/{tracking_no}/attachments", methods=["GET"], content_types=ANY_CONTENT_TYPE
)
@handles_errors
def list_own(tracking_no: str) -> Response:
    from ..services.attachments import complainant_attachments

    settings = get_settings()
    found = complainant_attachments(
        repository_for(settings),
        attempt_counter_for(settings),
        _files(settings),
        unquote(tracking_no),
        _access_code(),
        client=_client(),
        now=_now(),
    )
    items = [attachment_view(a, for_staff=False) for a in found]
    return json_response({"items": items, "limits": _limits_view()})


@attachment_routes.route(
    "/complaints/{tracking_no}/attachments/{attachment_id}", methods=["GET"], content_types=ANY_CONTENT_TYPE
)
@handles_errors
def open_own(tracking_no: str, attachment_id: str) -> Response:
    """A link valid for a minute that downloads the file (never shown inline)."""
    from ..services.attachments import open_as_complainant

    settings = get_settings()
    link = open_as_complainant(
        repository_for(settings),
        attempt_counter_for(settings),
        _files(settings),
        _objects(settings),
        unquote(tracking_no),
        _access_code(),
        unquote(attachment_id),
        client=_client(),
        now=_now(),
        limits=_limits(),
    )
    return json_response({"url": link, "expires_in": _limits().open_expiry_seconds})


_FORM_FIELDS = ("no", "access_code", "content_type")


def _form_upload_fields(request: Request) -> dict[str, str]:
    """The plain form's fields: each of ``_FORM_FIELDS``, and nothing else."""
    from ..domain.messages import field_message
    from .errors import RequestError
    from .requests import form_fields

    # Too large is said first, whatever the body is (as every route with a body does).
    body = limited_body(request.raw_body, get_settings().max_body_bytes)
    if body_kind(request.headers, allow_form=True) != "form":
        raise RequestError(415, "unsupported_media_type", Message("unsupported_media_type"))
    fields = form_fields(body)
    problems = {name: Message("unknown_field") for name in fields if name not in _FORM_FIELDS}
    label = {"no": "tracking_no", "access_code": "X-Access-Code", "content_type": "content_type"}
    problems.update(
        {name: field_message("required", label[name]) for name in _FORM_FIELDS if name not in fields}
    )
    if problems:
        raise RequestError(400, "validation_failed", Message("validation_failed"), problems)
    return fields


@attachment_routes.route("/attachment-upload", methods=["POST"], content_types=["*/*"])
def upload_form() -> Response:
    """Without JavaScript: the number, the access code and the file's type, as a plain form post;
    the answer is a page whose form posts the file to S3, which then sends the browser back to the
    portal. Errors are pages too."""
    from ..services.attachments import offer_complainant_form_upload
    from .attachment_pages import RECEIVED_PAGE, upload_error_page, upload_page, upload_page_response
    from .errors import error_response
    from .routing import request_language

    request = _request()
    lang = request_language(request)
    try:
        fields = _form_upload_fields(request)
        settings = get_settings()
        number = fields["no"].strip()
        offer = offer_complainant_form_upload(
            repository_for(settings),
            attempt_counter_for(settings),
            _files(settings),
            _objects(settings),
            number,
            fields["access_code"],
            fields["content_type"],
            client=_client(),
            redirect=settings.portal_url + ("" if lang == "zh" else "en/") + RECEIVED_PAGE,
            now=_now(),
            policy=default_policy(),
            limits=_limits(),
        )
        page = upload_page(offer, offer.attachment.tracking_no, lang, _limits())
        return upload_page_response(page, offer.post.url)
    except Exception as error:  # noqa: BLE001  # every error, unexpected ones too, is a page here
        return error_response(error, lang, page=upload_error_page)


# --- Staff's --------------------------------------------------------------------------------------


def _staff_route(view: Callable[P, Response]) -> Callable[P, Response]:
    """Any staff member (the services apply the case's rules); errors in the one shape."""
    guarded = endpoint(_request)(view)
    guarded.allowed_roles = ALL_STAFF  # type: ignore[attr-defined]  # read by the route-table test
    return guarded


def _staff() -> Any:
    from .auth import staff_from_context

    staff = staff_from_context(_request().context)
    staff.ensure_role(ALL_STAFF)
    return staff


@attachment_routes.route(
    "/admin/complaints/{tracking_no}/attachments",
    methods=["POST"],
    content_types=["*/*"],
    authorizer=staff_authorizer,
)
@_staff_route
def offer_staff_upload(tracking_no: str) -> Response:
    from ..services.attachments import offer_staff_upload as offer

    request, settings = _request(), get_settings()
    staff = _staff()
    body_kind(request.headers, allow_form=False)
    upload = _upload_request(limited_body(request.raw_body, settings.max_body_bytes), staff=True)
    made = offer(
        repository_for(settings),
        _files(settings),
        _objects(settings),
        staff,
        unquote(tracking_no),
        upload,
        now=_now(),
        limits=_limits(),
    )
    return json_response(_offer_view(made, for_staff=True), 201)


@attachment_routes.route(
    "/admin/complaints/{tracking_no}/attachments",
    methods=["GET"],
    content_types=ANY_CONTENT_TYPE,
    authorizer=staff_authorizer,
)
@_staff_route
def list_for_staff(tracking_no: str) -> Response:
    from ..services.attachments import staff_attachments

    settings = get_settings()
    shown, withheld = staff_attachments(
        repository_for(settings), _files(settings), _staff(), unquote(tracking_no), now=_now()
    )
    items = [attachment_view(a, for_staff=True) for a in shown]
    return json_response({"items": items, "withheld": withheld, "limits": _limits_view()})


@attachment_routes.route(
    "/admin/complaints/{tracking_no}/attachments/{attachment_id}",
    methods=["GET"],
    content_types=ANY_CONTENT_TYPE,
    authorizer=staff_authorizer,
)
@_staff_route
def open_for_staff(tracking_no: str, attachment_id: str) -> Response:
    """A link valid for a minute; the opening is in the case's access log before the link is given."""
    from ..services.attachments import open_as_staff

    settings = get_settings()
    link = open_as_staff(
        repository_for(settings),
        _files(settings),
        _objects(settings),
        _staff(),
        unquote(tracking_no),
        unquote(attachment_id),
        now=_now(),
        limits=_limits(),
    )
    return json_response({"url": link, "expires_in": _limits().open_expiry_seconds})


@attachment_routes.route("/attachment-upload", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE)
@attachment_routes.route(
    "/complaints/{tracking_no}/attachments", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE
)
@attachment_routes.route(
    "/complaints/{tracking_no}/attachments/{attachment_id}",
    methods=["OPTIONS"],
    content_types=ANY_CONTENT_TYPE,
)
@attachment_routes.route(
    "/admin/complaints/{tracking_no}/attachments", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE
)
@attachment_routes.route(
    "/admin/complaints/{tracking_no}/attachments/{attachment_id}",
    methods=["OPTIONS"],
    content_types=ANY_CONTENT_TYPE,
)
def preflight(tracking_no: str | None = None, attachment_id: str | None = None) -> Response:
    return preflight_response()
