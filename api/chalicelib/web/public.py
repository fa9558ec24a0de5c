"""Public routes: the portal's metadata, filing a complaint (or only checking it), and its public
status, as JSON and as the status page's HTML answer without JavaScript."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from urllib.parse import unquote

from chalice.app import Blueprint, Request, Response

from ..domain.case import COMPLAINANT
from ..domain.deadlines import default_policy
from ..domain.errors import InvalidInputError
from ..domain.messages import Message, field_message
from ..services.lookup import find_case
from ..settings import get_settings
from ..storage import attempt_counter_for, report_store_for, repository_for
from .cors import preflight_response
from .errors import RequestError, error_response
from .requests import body_kind, form_fields, idempotency_key, limited_body
from .responses import html_response, json_response
from .routing import ANY_CONTENT_TYPE, STATUS_PAGE, endpoint, request_language
from .views import complainant_view, meta_view, public_status_view, receipt_view

__all__ = ["public_routes"]

public_routes = Blueprint(__name__)


def _request() -> Request:
    request = public_routes.current_request
    assert request is not None  # set by Chalice while a view runs
    return request


handles_errors = endpoint(_request)


def _client() -> str:
    from .client_address import throttle_client

    return throttle_client(_request(), get_settings())


@public_routes.route("/meta", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@handles_errors
def meta() -> Response:
    return json_response(meta_view(default_policy()), cache="public, max-age=300")


_QUERY_BOOLEANS = {"true": True, "false": False}


def _dry_run(request: Request) -> bool:
    """``?dry_run=true``: check the complaint exactly as filing would, and file nothing."""
    query = request.query_params
    if not query or "dry_run" not in query:
        return False
    values = query.getlist("dry_run")
    if len(values) == 1 and values[0] in _QUERY_BOOLEANS:
        return _QUERY_BOOLEANS[values[0]]
    raise RequestError(
        400,
        "validation_failed",
        Message("validation_failed"),
        {"dry_run": field_message("invalid_boolean", "dry_run")},
    )


@public_routes.route("/complaints", methods=["POST"], content_types=["*/*"])
@handles_errors
def submit() -> Response:
    request, settings = _request(), get_settings()
    kind = body_kind(request.headers, allow_form=True)
    body = limited_body(request.raw_body, settings.max_body_bytes)
    dry_run = _dry_run(request)
    form = form_fields(body) if kind == "form" else None
    # Filing's modules load on this route, not on a cold lookup's path.
    from ..services.submissions import submit_complaint
    from ..services.validation import check_complaint
    from .complaint_body import parse_complaint_body

    draft = parse_complaint_body(kind, body, form)
    if dry_run:
        # The same parsing and rules as filing; a key is still checked, but not used up.
        idempotency_key(request.headers)
        check_complaint(draft, now=datetime.now(UTC), policy=default_policy())
        return json_response({"valid": True})
    receipt = submit_complaint(
        repository_for(settings),
        draft,
        channel="web",
        actor=COMPLAINANT,
        idempotency_key=idempotency_key(request.headers),
        access_code_secret=settings.access_code_secret,
        now=datetime.now(UTC),
        policy=default_policy(),
        notify=settings.messages_enabled,
    )
    replayed = {"Idempotent-Replayed": "true"} if receipt.replayed else {}
    if kind == "form":
        from .pages import confirmation_page  # the HTML pages load where a page is answered

        return html_response(confirmation_page(receipt, request_language(request)), 201, replayed)
    return json_response(receipt_view(receipt, default_policy()), 201, replayed)


@public_routes.route("/complaints/{tracking_no}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@handles_errors
def public_status(tracking_no: str) -> Response:
    """The public status; with the complainant's X-Access-Code, their own view of the case."""
    settings, now = get_settings(), datetime.now(UTC)
    # API Gateway decodes path parameters and chalice local does not: decode here for both.
    number = unquote(tracking_no)
    access_code = _request().headers.get("x-access-code")
    if access_code is None:
        case = find_case(repository_for(settings), number)
        return json_response(public_status_view(case, now))
    # The complainant's actions and their rules only where a complainant acts (not a cold lookup).
    from ..services.self_service import open_own_case

    view = open_own_case(
        repository_for(settings),
        attempt_counter_for(settings),
        number,
        access_code,
        client=_client(),
        now=now,
    )
    return json_response(complainant_view(view, now, default_policy()))


@public_routes.route(f"/{STATUS_PAGE}", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@handles_errors
def public_status_page() -> Response:
    """The public status as an HTML page: the status page's lookup form without JavaScript sends
    the typed number here (``?no=``). Only the public status: an access code never travels in a URL."""
    from .pages import status_error_page, status_page  # off the JSON lookup's path

    request = _request()
    lang = request_language(request)
    query = request.query_params
    typed = str(query.get("no", "")) if query else ""
    try:
        if not typed.strip():
            raise InvalidInputError({"no": Message("tracking_number_required")})
        case = find_case(repository_for(get_settings()), typed)
    except Exception as error:  # noqa: BLE001  # every error, unexpected ones too, is a page here
        return error_response(error, lang, page=partial(status_error_page, typed))
    return html_response(status_page(public_status_view(case, datetime.now(UTC)), typed, lang))


def _complainant_action(tracking_no: str, kind: str) -> Response:
    request, settings, now = _request(), get_settings(), datetime.now(UTC)
    body_kind(request.headers, allow_form=False)
    body = limited_body(request.raw_body, settings.max_body_bytes)
    from ..services.self_service import act_as_complainant
    from .schemas import parse_complainant_action

    action = parse_complainant_action(kind, body)
    view = act_as_complainant(
        repository_for(settings),
        attempt_counter_for(settings),
        unquote(tracking_no),
        request.headers.get("x-access-code", ""),
        action,
        client=_client(),
        now=now,
        policy=default_policy(),
        notify=settings.messages_enabled,
    )
    return json_response(complainant_view(view, now, default_policy()))


@public_routes.route("/complaints/{tracking_no}/information", methods=["POST"], content_types=["*/*"])
@handles_errors
def add_information(tracking_no: str) -> Response:
    return _complainant_action(tracking_no, "information")


@public_routes.route("/complaints/{tracking_no}/feedback", methods=["POST"], content_types=["*/*"])
@handles_errors
def feedback(tracking_no: str) -> Response:
    return _complainant_action(tracking_no, "feedback")


@public_routes.route("/complaints/{tracking_no}/review", methods=["POST"], content_types=["*/*"])
@handles_errors
def request_review(tracking_no: str) -> Response:
    return _complainant_action(tracking_no, "review")


@public_routes.route("/complaints/{tracking_no}/withdraw", methods=["POST"], content_types=["*/*"])
@handles_errors
def withdraw(tracking_no: str) -> Response:
    return _complainant_action(tracking_no, "withdraw")


# Published once a month: an hour in caches is fresh enough, and spares the one read.
STATISTICS_CACHE = "public, max-age=3600"


@public_routes.route("/stats/monthly", methods=["GET"], content_types=ANY_CONTENT_TYPE)
@handles_errors
def statistics() -> Response:
    """The published statistics of the twelve months ending at ``month`` (the latest by default), as
    JSON with a chart, or as CSV: from one stored item, one read."""
    from ..services.reports import public_statistics
    from .schemas import parse_statistics_parameters

    request = _request()
    query = request.query_params
    params = parse_statistics_parameters(dict(query.items()) if query else None)
    dataset = public_statistics(
        report_store_for(get_settings()), params.month, now=datetime.now(UTC), policy=default_policy()
    )
    if params.format == "csv":
        from .downloads import file_response
        from .report_csv import CSV_MEDIA_TYPE, statistics_csv

        name = f"complaint-statistics-{dataset['month']}.csv"
        return file_response(statistics_csv(dataset), CSV_MEDIA_TYPE, name, cache=STATISTICS_CACHE)
    from .report_views import statistics_view

    return json_response(statistics_view(dataset, request_language(request)), cache=STATISTICS_CACHE)


@public_routes.route("/stats/monthly", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE)
@public_routes.route("/meta", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE)
@public_routes.route(f"/{STATUS_PAGE}", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE)
@public_routes.route("/complaints", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE)
@public_routes.route("/complaints/{tracking_no}", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE)
@public_routes.route(
    "/complaints/{tracking_no}/information", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE
)
@public_routes.route(
    "/complaints/{tracking_no}/feedback", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE
)
@public_routes.route("/complaints/{tracking_no}/review", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE)
@public_routes.route(
    "/complaints/{tracking_no}/withdraw", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE
)
def preflight(tracking_no: str | None = None) -> Response:
    return preflight_response()
