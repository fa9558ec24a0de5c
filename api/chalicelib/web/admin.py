"""The staff routes' handlers: web/staff_routes.py declares each route (behind the staff
authorizer, with the roles it admits, checked before a handler runs) and imports this module with
the first staff request."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import unquote

from chalice.app import Response

from ..domain.deadlines import default_policy
from ..domain.lifecycle import Status
from ..domain.messages import Message
from ..domain.staff import StaffMember
from ..domain.tracking import format_code
from ..services.repository import CaseQuery
from ..settings import get_settings
from ..storage import identity_hasher_for, outbox_for, report_store_for, repository_for
from .auth import staff_from_context
from .errors import RequestError
from .requests import body_kind, idempotency_key, limited_body
from .responses import json_response
from .routing import request_language
from .staff_routes import staff_request as _request
from .views import case_messages_view, queue_item_view, receipt_view, staff_case_view

__all__ = [
    "access_log",
    "act",
    "case_detail",
    "complainant_history_route",
    "contact",
    "list_complaints",
    "messages",
    "monthly_report_route",
    "register",
    "resend",
    "search",
    "staff_access_log_route",
]


def _staff() -> StaffMember:
    return staff_from_context(_request().context)


def _now() -> datetime:
    return datetime.now(UTC)


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


def case_detail(tracking_no: str) -> Response:
    staff, now = _staff(), _now()
    from ..services.staff_cases import view_case

    view = view_case(repository_for(get_settings()), staff, unquote(tracking_no), now=now)
    return json_response(staff_case_view(view, staff, now, default_policy()))


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


def access_log(tracking_no: str) -> Response:
    from ..services.access_log import case_access_log
    from .search_views import access_entry_view

    entries = case_access_log(repository_for(get_settings()), unquote(tracking_no))
    return json_response({"items": [access_entry_view(e) for e in entries]})


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


def messages(tracking_no: str) -> Response:
    from ..services.case_messages import case_messages

    settings = get_settings()
    view = case_messages(
        repository_for(settings), outbox_for(settings), _staff(), unquote(tracking_no), now=_now()
    )
    return json_response(case_messages_view(view))


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
