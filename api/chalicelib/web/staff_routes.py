"""The staff routes under /admin, declared in one table: each route's path, method, the roles it
admits and its handler in web/admin.py, all behind the staff authorizer.

A handler, and everything it uses, is imported by the first request to a staff route, not with the
API: a cold public request (scripts/bench measures the lookup's) loads none of the staff modules.
Chalice registers every route when app.py is imported, so each is registered here through a small
view that checks the roles, imports web/admin.py and calls the handler.
"""

from __future__ import annotations

from collections.abc import Callable

from chalice.app import AuthRequest, AuthResponse, Blueprint, Request, Response
from msgspec import Struct

from ..domain.staff import ALL_STAFF, OFFICE, RESEND_ROLES, SUPERVISORS, Role
from ..settings import get_settings
from .cors import preflight_response
from .routing import ANY_CONTENT_TYPE, endpoint

__all__ = ["STAFF_ROUTES", "StaffRoute", "admin_routes", "allowed_roles", "staff_authorizer", "staff_request"]

admin_routes = Blueprint(__name__)


@admin_routes.authorizer(ttl_seconds=60)
def staff_authorizer(auth_request: AuthRequest) -> AuthResponse:
    """Verifies the token; an invalid one raises ``Unauthorized`` (401). Any valid staff token is
    allowed on to the route, which checks the role (403)."""
    from .auth import authorizer_context, verify_staff_token

    staff = verify_staff_token(auth_request.token, get_settings())
    # Every route: API Gateway caches this answer per token for all of them.
    return AuthResponse(routes=["*"], principal_id=staff.id, context=authorizer_context(staff))


def staff_request() -> Request:
    request = admin_routes.current_request
    assert request is not None  # set by Chalice while a view runs
    return request


class StaffRoute(Struct, frozen=True):
    path: str
    method: str
    roles: frozenset[Role]
    # The function of web/admin.py that answers it; also the route's name.
    handler: str


# Who may call what (the message resend's roles also decide whether the console offers it).
STAFF_ROUTES: tuple[StaffRoute, ...] = (
    StaffRoute("/admin/complaints", "GET", ALL_STAFF, "list_complaints"),
    StaffRoute("/admin/complaints", "POST", OFFICE, "register"),
    StaffRoute("/admin/complaints/{tracking_no}", "GET", ALL_STAFF, "case_detail"),
    StaffRoute("/admin/complaints/{tracking_no}/actions", "POST", ALL_STAFF, "act"),
    StaffRoute("/admin/complaints/{tracking_no}/access-log", "GET", SUPERVISORS, "access_log"),
    StaffRoute("/admin/access-log", "GET", SUPERVISORS, "staff_access_log_route"),
    StaffRoute("/admin/search", "GET", ALL_STAFF, "search"),
    StaffRoute("/admin/complaints/{tracking_no}/history", "GET", ALL_STAFF, "complainant_history_route"),
    StaffRoute("/admin/complaints/{tracking_no}/contact", "POST", OFFICE, "contact"),
    StaffRoute("/admin/complaints/{tracking_no}/messages", "GET", ALL_STAFF, "messages"),
    StaffRoute(
        "/admin/complaints/{tracking_no}/messages/{message_id}/resend", "POST", RESEND_ROLES, "resend"
    ),
    StaffRoute("/admin/reports/monthly", "GET", OFFICE, "monthly_report_route"),
)


def allowed_roles(view: Callable[..., Response]) -> frozenset[Role]:
    """The roles a route admits (the route-table test reads it)."""
    roles: frozenset[Role] = getattr(view, "allowed_roles", frozenset())
    return roles


def _view(route: StaffRoute) -> Callable[..., Response]:
    def view(**parameters: str) -> Response:
        from . import admin
        from .auth import staff_from_context

        staff_from_context(staff_request().context).ensure_role(route.roles)
        handler: Callable[..., Response] = getattr(admin, route.handler)
        return handler(**parameters)

    view.__name__ = view.__qualname__ = route.handler
    guarded = endpoint(staff_request)(view)
    guarded.allowed_roles = route.roles  # type: ignore[attr-defined]
    return guarded


for _route in STAFF_ROUTES:
    # Any content type: a route without a body has none for Chalice to refuse (415); a route with
    # one checks its own (web/requests.py body_kind), in the caller's language.
    admin_routes.route(
        _route.path,
        methods=[_route.method],
        content_types=ANY_CONTENT_TYPE,
        authorizer=staff_authorizer,
        name=_route.handler,
    )(_view(_route))


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
