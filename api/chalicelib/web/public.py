"""Public routes: the portal's metadata, filing a complaint, and its public status."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import unquote

from chalice.app import Blueprint, Request, Response

from ..domain.case import COMPLAINANT
from ..domain.deadlines import default_policy
from ..services.lookup import find_case
from ..services.submissions import submit_complaint
from ..settings import get_settings
from ..storage import repository_for
from .cors import preflight_response
from .requests import body_kind, form_fields, idempotency_key, limited_body
from .responses import html_response, json_response
from .routing import endpoint, request_language
from .views import meta_view, public_status_view, receipt_view

__all__ = ["public_routes"]

public_routes = Blueprint(__name__)


def _request() -> Request:
    request = public_routes.current_request
    assert request is not None  # set by Chalice while a view runs
    return request


handles_errors = endpoint(_request)


@public_routes.route("/meta", methods=["GET"])
@handles_errors
def meta() -> Response:
    return json_response(meta_view(default_policy()), cache="public, max-age=300")


@public_routes.route("/complaints", methods=["POST"], content_types=["*/*"])
@handles_errors
def submit() -> Response:
    request, settings = _request(), get_settings()
    kind = body_kind(request.headers, allow_form=True)
    body = limited_body(request.raw_body, settings.max_body_bytes)
    form = form_fields(body) if kind == "form" else None
    from .schemas import parse_complaint  # pydantic only on the routes that take a complaint

    draft, channel = parse_complaint(kind, body, form, staff=False)
    receipt = submit_complaint(
        repository_for(settings),
        draft,
        channel=channel,
        actor=COMPLAINANT,
        idempotency_key=idempotency_key(request.headers),
        access_code_secret=settings.access_code_secret,
        now=datetime.now(UTC),
        policy=default_policy(),
    )
    replayed = {"Idempotent-Replayed": "true"} if receipt.replayed else {}
    if kind == "form":
        from .pages import confirmation_page

        return html_response(confirmation_page(receipt, request_language(request)), 201, replayed)
    return json_response(receipt_view(receipt, default_policy()), 201, replayed)


@public_routes.route("/complaints/{tracking_no}", methods=["GET"])
@handles_errors
def public_status(tracking_no: str) -> Response:
    # API Gateway decodes path parameters and chalice local does not: decode here for both.
    case = find_case(repository_for(get_settings()), unquote(tracking_no))
    return json_response(public_status_view(case, datetime.now(UTC)))


@public_routes.route("/meta", methods=["OPTIONS"])
@public_routes.route("/complaints", methods=["OPTIONS"])
@public_routes.route("/complaints/{tracking_no}", methods=["OPTIONS"])
def preflight(tracking_no: str | None = None) -> Response:
    return preflight_response()
