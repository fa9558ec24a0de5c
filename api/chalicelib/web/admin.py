"""Staff routes under /admin: every one behind the staff authorizer and a role check."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import ParamSpec
from urllib.parse import unquote

from chalice.app import AuthRequest, AuthResponse, Blueprint, Request, Response

from ..domain.deadlines import default_policy
from ..domain.lifecycle import Status
from ..domain.messages import Message
from ..domain.staff import ALL_STAFF, OFFICE, SUPERVISORS, Role, StaffMember
from ..domain.tracking import format_code
from ..services.case_messages import RESEND_ROLES
from ..services.repository import CaseQuery
from ..settings import get_settings
from ..storage import identity_hasher_for, outbox_for, report_store_for, repository_for
from .auth import authorizer_context, staff_from_context, verify_staff_token
from .cors import preflight_response
from .errors import RequestError
from .requests import body_kind, idempotency_key, limited_body
from .responses import json_response
from .routing import ANY_CONTENT_TYPE, endpoint, request_language
from .views import case_messages_view, queue_item_view, receipt_view, staff_case_view

__all__ = ["admin_routes", "allowed_roles"]

P = ParamSpec("P")

admin_routes = Blueprint(__name__)


@admin_routes.authorizer(ttl_seconds=60)
def staff_authorizer(auth_request: AuthRequest) -> AuthResponse:
    """Verifies the token; an invalid one raises ``Unauthorized`` (401). Any valid staff token is
    allowed on to the route, which checks the role (403)."""
    staff = verify_staff_token(auth_request.token, get_settings())
    # Every route: API Gateway caches this answer per token for all of them.
    return AuthResponse(routes=["*"], principal_id=staff.id, context=authorizer_context(staff))


def _request() -> Request:
    request = admin_routes.current_request
    assert request is not None  # set by Chalice while a view runs
    return request


def _staff() -> StaffMember:
    return staff_from_context(_request().context)


def allowed_roles(view: Callable[..., Response]) -> frozenset[Role]:
    """The roles a route admits (the route-table test reads it)."""
    roles: frozenset[Role] = getattr(view, "allowed_roles", frozenset())
    return roles


def _for(roles: frozenset[Role]) -> Callable[[Callable[P, Response]], Callable[P, Response]]:
    """Refuse (403) staff without one of ``roles``; map every error to the one error shape."""

    def decorate(view: Callable[P, Response]) -> Callable[P, Response]:
        @functools.wraps(view)
        def checked(*args: P.args, **kwargs: P.kwargs) -> Response:
            _staff().ensure_role(roles)
            return view(*args, **kwargs)

        guarded = endpoint(_request)(checked)
        guarded.allowed_roles = roles  # type: ignore[attr-defined]
        return guarded

    return decorate


def _now() -> datetime:
    return datetime.now(UTC)


@admin_routes.route(
    "/admin/complaints", methods=["GET"], content_types=ANY_CONTENT_TYPE, authorizer=staff_authorizer
)
@_for(ALL_STAFF)
def list_complaints() -> Response:
    # The staff services (and the actions' rules they apply) are imported by the staff routes that
    # use them: a cold public request needs none of them.
    from ..services.staff_cases import list_queue
    from .schemas import parse_queue_parameters

    query_params = _request().query_params
    params = parse_queue_parameters(dict(query_params.items()) if query_params else None)
    now = _now()
    query = CaseQuery(
        now=now,
        limit=params.limit,
        status=Status(params.status) if params.status else None,
        department=params.department,
        category=params.category,
        priority=params.priority,
        overdue=params.overdue,
        month=params.month,
        cursor=params.cursor,
        descending=params.order == "desc",
        due_kind=params.due,
        extension_waiting=params.extension == "waiting",
    )
    settings, policy = get_settings(), default_policy()
    queue = list_queue(
        repository_for(settings),
        outbox_for(settings),
        _staff(),
        query,
        escalated=bool(params.escalated),
        count=bool(params.total),
        policy=policy,
    )
    items = [
        queue_item_view(c, now, policy, delivery_failed=c.tracking_no in queue.delivery_failed)
        for c in queue.page.cases
    ]
    return json_response({"items": items, "cursor": queue.page.cursor, "total": queue.total})


@admin_routes.route("/admin/complaints", methods=["POST"], authorizer=staff_authorizer, content_types=["*/*"])
@_for(OFFICE)
def register() -> Response:
    request, settings = _request(), get_settings()
    body_kind(request.headers, allow_form=False)
    body = limited_body(request.raw_body, settings.max_body_bytes)
    from ..services.staff_cases import register_complaint
    from .schemas import parse_staff_registration

    draft, registration = parse_staff_registration(body)
    receipt = register_complaint(
        repository_for(settings),
        _staff(),
        draft,
        channel=registration.channel,
        received_at=registration.received_at,
        idempotency_key=idempotency_key(request.headers),
        access_code_secret=settings.access_code_secret,
        now=_now(),
        policy=default_policy(),
        notify=settings.messages_enabled,
    )
    replayed = {"Idempotent-Replayed": "true"} if receipt.replayed else {}
    return json_response(receipt_view(receipt, default_policy()), 201, replayed)


@admin_routes.route(
    "/admin/complaints/{tracking_no}",
    methods=["GET"],
    content_types=ANY_CONTENT_TYPE,
    authorizer=staff_authorizer,
)
@_for(ALL_STAFF)
def case_detail(tracking_no: str) -> Response:
    staff, now = _staff(), _now()
    from ..services.staff_cases import view_case

    view = view_case(repository_for(get_settings()), staff, unquote(tracking_no), now=now)
    return json_response(staff_case_view(view, staff, now, default_policy()))


@admin_routes.route(
    "/admin/complaints/{tracking_no}/actions",
    methods=["POST"],
    authorizer=staff_authorizer,
    content_types=["*/*"],
)
@_for(ALL_STAFF)
def act(tracking_no: str) -> Response:
    request, settings = _request(), get_settings()
    body_kind(request.headers, allow_form=False)
    body = limited_body(request.raw_body, settings.max_body_bytes)
    from .schemas import parse_action

    action, expected_version = parse_action(body)
    staff, now = _staff(), _now()
    from ..services.staff_cases import act_on_case

    view = act_on_case(
        repository_for(settings),
        staff,
        unquote(tracking_no),
        action,
        expected_version=expected_version,
        now=now,
        policy=default_policy(),
        notify=settings.messages_enabled,
    )
    return json_response(staff_case_view(view, staff, now, default_policy()))


@admin_routes.route(
    "/admin/complaints/{tracking_no}/access-log",
    methods=["GET"],
    content_types=ANY_CONTENT_TYPE,
    authorizer=staff_authorizer,
)
@_for(SUPERVISORS)
def access_log(tracking_no: str) -> Response:
    from ..services.access_log import case_access_log
    from .search_views import access_entry_view

    entries = case_access_log(repository_for(get_settings()), unquote(tracking_no))
    return json_response({"items": [access_entry_view(e) for e in entries]})


@admin_routes.route(
    "/admin/access-log", methods=["GET"], content_types=ANY_CONTENT_TYPE, authorizer=staff_authorizer
)
@_for(SUPERVISORS)
def staff_access_log_route() -> Response:
    """What one staff member viewed and searched, day by day."""
    from ..services.access_log import staff_access_log
    from .schemas import parse_staff_access_parameters
    from .search_views import staff_access_view

    query = _request().query_params
    params = parse_staff_access_parameters(dict(query.items()) if query else None)
    log = staff_access_log(
        repository_for(get_settings()),
        params.staff_id,
        params.since,
        params.until,
        now=_now(),
        policy=default_policy(),
    )
    return json_response(staff_access_view(log))


@admin_routes.route(
    "/admin/search", methods=["GET"], content_types=ANY_CONTENT_TYPE, authorizer=staff_authorizer
)
@_for(ALL_STAFF)
def search() -> Response:
    """Cases by tracking number, phone, e-mail, credit code, organisation or name (logged)."""
    from ..services.case_search import search_cases
    from .schemas import parse_search_parameters
    from .search_views import search_view

    query = _request().query_params
    params = parse_search_parameters(dict(query.items()) if query else None)
    settings, now, policy = get_settings(), _now(), default_policy()
    result = search_cases(
        repository_for(settings),
        outbox_for(settings),
        identity_hasher_for(settings),
        _staff(),
        params.q,
        now=now,
        policy=policy,
    )
    return json_response(search_view(result, now, policy))


@admin_routes.route(
    "/admin/complaints/{tracking_no}/history",
    methods=["GET"],
    content_types=ANY_CONTENT_TYPE,
    authorizer=staff_authorizer,
)
@_for(ALL_STAFF)
def complainant_history_route(tracking_no: str) -> Response:
    """The complainant's other complaints (same phone, e-mail or credit code)."""
    from ..services.case_search import complainant_history
    from .search_views import history_view

    settings, now = get_settings(), _now()
    history = complainant_history(
        repository_for(settings),
        outbox_for(settings),
        identity_hasher_for(settings),
        _staff(),
        unquote(tracking_no),
        now=now,
    )
    return json_response(history_view(history, now, default_policy()))


@admin_routes.route(
    "/admin/complaints/{tracking_no}/contact",
    methods=["POST"],
    content_types=["*/*"],
    authorizer=staff_authorizer,
)
@_for(OFFICE)
def contact(tracking_no: str) -> Response:
    """How to reach the complainant, for a call back: each reveal is written to the access log."""
    from ..services.contact_reveal import reveal_contact
    from .schemas import parse_empty_body

    request, settings = _request(), get_settings()
    if request.raw_body:
        body_kind(request.headers, allow_form=False)
        parse_empty_body(limited_body(request.raw_body, settings.max_body_bytes))
    shown = reveal_contact(repository_for(settings), _staff(), unquote(tracking_no), now=_now())
    c = shown.case.complainant
    return json_response(
        {
            "tracking_no": format_code(shown.case.tracking_no),
            "name": c.name,
            "organization": c.organization,
            "phone": c.phone,
            "email": c.email,
            "preferred_language": c.preferred_language,
        }
    )


@admin_routes.route(
    "/admin/complaints/{tracking_no}/messages",
    methods=["GET"],
    content_types=ANY_CONTENT_TYPE,
    authorizer=staff_authorizer,
)
@_for(ALL_STAFF)
def messages(tracking_no: str) -> Response:
    from ..services.case_messages import case_messages

    settings = get_settings()
    view = case_messages(
        repository_for(settings), outbox_for(settings), _staff(), unquote(tracking_no), now=_now()
    )
    return json_response(case_messages_view(view))


@admin_routes.route(
    "/admin/complaints/{tracking_no}/messages/{message_id}/resend",
    methods=["POST"],
    content_types=["*/*"],
    authorizer=staff_authorizer,
)
@_for(RESEND_ROLES)
def resend(tracking_no: str, message_id: str) -> Response:
    from ..services.case_messages import resend_message
    from .schemas import parse_empty_body

    request, settings = _request(), get_settings()
    if request.raw_body:
        body_kind(request.headers, allow_form=False)
        parse_empty_body(limited_body(request.raw_body, settings.max_body_bytes))
    view = resend_message(
        repository_for(settings),
        outbox_for(settings),
        _staff(),
        unquote(tracking_no),
        unquote(message_id),
        now=_now(),
    )
    return json_response(case_messages_view(view))


@admin_routes.route(
    "/admin/reports/monthly", methods=["GET"], content_types=ANY_CONTENT_TYPE, authorizer=staff_authorizer
)
@_for(OFFICE)
def monthly_report_route() -> Response:
    """The monthly report, as JSON (with its charts), an Excel workbook or the month's cases as CSV."""
    from ..services.reports import monthly_report
    from .downloads import file_response
    from .report_views import report_view
    from .schemas import parse_report_parameters

    request, now, policy = _request(), _now(), default_policy()
    query = request.query_params
    params = parse_report_parameters(dict(query.items()) if query else None)
    report = monthly_report(
        report_store_for(get_settings()),
        _staff(),
        params.month,
        source=params.source,
        now=now,
        policy=policy,
        case_rows=params.case_rows,
    )
    lang = request_language(request)
    view = report_view(report, lang, policy)
    name = f"complaints-report-{report.month}-{report.source}-{lang}"
    if params.format == "xlsx":
        from .report_xlsx import XLSX_MEDIA_TYPE, accepts_workbook, workbook

        if not accepts_workbook(request.headers.get("accept")):
            # API Gateway (and Chalice) answer a binary type only to a request that accepts it.
            message = Message("workbook_not_accepted", {"media_type": XLSX_MEDIA_TYPE})
            raise RequestError(406, "not_acceptable", message, {"format": message})
        return file_response(workbook(view), XLSX_MEDIA_TYPE, f"{name}.xlsx")
    if params.format == "csv":
        from .report_csv import CSV_MEDIA_TYPE, cases_csv

        return file_response(cases_csv(view), CSV_MEDIA_TYPE, f"{name}-cases.csv")
    return json_response(view)


@admin_routes.route("/admin/reports/monthly", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE)
@admin_routes.route("/admin/search", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE)
@admin_routes.route("/admin/access-log", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE)
@admin_routes.route(
    "/admin/complaints/{tracking_no}/history", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE
)
@admin_routes.route(
    "/admin/complaints/{tracking_no}/contact", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE
)
@admin_routes.route("/admin/complaints", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE)
@admin_routes.route("/admin/complaints/{tracking_no}", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE)
@admin_routes.route(
    "/admin/complaints/{tracking_no}/actions", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE
)
@admin_routes.route(
    "/admin/complaints/{tracking_no}/access-log", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE
)
@admin_routes.route(
    "/admin/complaints/{tracking_no}/messages", methods=["OPTIONS"], content_types=ANY_CONTENT_TYPE
)
@admin_routes.route(
    "/admin/complaints/{tracking_no}/messages/{message_id}/resend",
    methods=["OPTIONS"],
    content_types=ANY_CONTENT_TYPE,
)
def admin_preflight(tracking_no: str | None = None, message_id: str | None = None) -> Response:
    # A browser's preflight carries no credentials: it must not meet the authorizer.
    return preflight_response()
