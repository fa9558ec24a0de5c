"""What API Gateway does that ``chalice local`` does not, applied to the local gateway in-process.

A TOKEN authorizer that raises ``Exception("Unauthorized")`` gets a 401 from API Gateway, and our
gateway response (infra/resources.json, ``UnauthorizedResponse``) gives it the API's error body and
the portal's CORS origin. ``chalice local`` instead lets the exception escape (the connection
drops) and answers a missing header with its own body. This makes the local gateway answer both
the way the deployed one does, so the same authorizer code runs locally, in tests and on AWS.
"""

from __future__ import annotations

from typing import Any

__all__ = ["emulate_api_gateway"]


def emulate_api_gateway() -> None:
    from chalice import local

    from chalicelib.settings import get_settings
    from chalicelib.web.auth import UNAUTHORIZED_BODY, Unauthorized

    original = local.LocalGatewayAuthorizer.authorize
    if getattr(original, "emulates_api_gateway", False):
        return

    def authorize(self: Any, raw_path: str, lambda_event: Any, lambda_context: Any) -> Any:
        try:
            return original(self, raw_path, lambda_event, lambda_context)
        except (Unauthorized, local.NotAuthorizedError):
            headers = {
                "x-amzn-RequestId": lambda_context.aws_request_id,
                "x-amzn-ErrorType": "UnauthorizedException",
                "Content-Type": "application/json; charset=utf-8",
                "Cache-Control": "no-store",
                "Access-Control-Allow-Origin": get_settings().portal_origin,
            }
            raise local.NotAuthorizedError(headers, UNAUTHORIZED_BODY.encode()) from None

    authorize.emulates_api_gateway = True  # type: ignore[attr-defined]
    local.LocalGatewayAuthorizer.authorize = authorize  # type: ignore[method-assign]
