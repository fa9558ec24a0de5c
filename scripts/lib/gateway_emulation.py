"""What API Gateway does that ``chalice local`` does not, applied to the local gateway in-process.

A TOKEN authorizer that raises ``Exception("Unauthorized")`` gets a 401 from API Gateway, and our
gateway response (infra/resources.json, ``UnauthorizedResponse``) gives it the API's error body and
the portal's CORS origin. Any other exception is an authorizer failure: API Gateway answers 500
with our DEFAULT_5XX gateway response. ``chalice local`` instead lets every exception escape (the
connection drops, the client waits for an answer that never comes) and answers a missing header with
its own body. This makes the local gateway answer all of them the way the deployed one does, so the
same authorizer code runs locally, in tests and on AWS.
"""

from __future__ import annotations

import json
import logging
from functools import cache
from typing import Any

from scripts.lib.paths import REPO_ROOT

__all__ = ["emulate_api_gateway"]

_LOG = logging.getLogger(__name__)


@cache
def _failure_body() -> bytes:
    """The body API Gateway gives a failed authorizer's 500: the template's DEFAULT_5XX response."""
    template = json.loads((REPO_ROOT / "infra" / "resources.json").read_text(encoding="utf-8"))
    response = template["Resources"]["Default5xxResponse"]["Properties"]
    return str(response["ResponseTemplates"]["application/json"]).encode()


def emulate_api_gateway() -> None:
    from chalice import local

    from chalicelib.settings import get_settings
    from chalicelib.web.auth import UNAUTHORIZED_BODY, Unauthorized

    original = local.LocalGatewayAuthorizer.authorize
    if getattr(original, "emulates_api_gateway", False):
        return

    def authorize(self: Any, raw_path: str, lambda_event: Any, lambda_context: Any) -> Any:
        def headers(error_type: str) -> dict[str, str]:
            return {
                "x-amzn-RequestId": lambda_context.aws_request_id,
                "x-amzn-ErrorType": error_type,
                "Content-Type": "application/json; charset=utf-8",
                "Cache-Control": "no-store",
                "Access-Control-Allow-Origin": get_settings().portal_origin,
            }

        try:
            return original(self, raw_path, lambda_event, lambda_context)
        except (Unauthorized, local.NotAuthorizedError):
            raise local.NotAuthorizedError(
                headers("UnauthorizedException"), UNAUTHORIZED_BODY.encode()
            ) from None
        except local.LocalGatewayException:
            raise  # chalice's own answers (403 for a route the policy leaves out)
        except Exception:  # noqa: BLE001 - whatever it is, API Gateway answers 500
            _LOG.exception("the staff authorizer failed")  # a bug: say where, as CloudWatch would
            raise local.InvalidAuthorizerError(
                headers("AuthorizerConfigurationException"), _failure_body()
            ) from None

    authorize.emulates_api_gateway = True  # type: ignore[attr-defined]
    local.LocalGatewayAuthorizer.authorize = authorize  # type: ignore[method-assign]
