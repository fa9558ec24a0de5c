"""What API Gateway does that ``chalice local`` does not, applied to the local gateway in-process.

API Gateway answers some requests itself, with the gateway responses of infra/resources.json: the
API's error body, the portal's CORS origin and the API's security headers. Three of them matter
locally, and this makes the local gateway give them exactly as the template defines them:

* ``UNAUTHORIZED``: a TOKEN authorizer that raises ``Exception("Unauthorized")`` gets a 401.
  ``chalice local`` instead lets the exception escape (the connection drops) and answers a missing
  header with its own body.
* ``DEFAULT_5XX``: any other exception in the authorizer is an authorizer failure, which API
  Gateway answers with a 500 (``chalice local`` drops the connection: the client waits for an
  answer that never comes).
* ``MISSING_AUTHENTICATION_TOKEN``: a path no route matches gets a 403 ("route_not_found").
  ``chalice local`` answers with its own body and none of those headers.

So the same authorizer code runs locally, in tests and on AWS, and every local answer carries the
headers a deployed one does.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scripts.lib.paths import REPO_ROOT

__all__ = ["GatewayResponse", "emulate_api_gateway", "gateway_response"]

TEMPLATE = REPO_ROOT / "infra" / "resources.json"
# API Gateway's status for these response types when the template does not set one.
_DEFAULT_STATUS = {"UNAUTHORIZED": 401, "MISSING_AUTHENTICATION_TOKEN": 403, "DEFAULT_5XX": 500}
_HEADER_PREFIX = "gatewayresponse.header."


@dataclass(frozen=True)
class GatewayResponse:
    status: int
    headers: dict[str, str]
    body: bytes


def _static_value(value: Any, parameters: dict[str, str]) -> str:
    """A gateway response header value: a constant in single quotes, maybe inside Fn::Sub."""
    if isinstance(value, dict) and set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
        text = value["Fn::Sub"]
        for name, replacement in parameters.items():
            text = text.replace("${" + name + "}", replacement)
    elif isinstance(value, str):
        text = value
    else:
        raise ValueError(f"{TEMPLATE}: a gateway response header this emulation cannot read: {value!r}")
    if len(text) < 2 or text[0] != "'" or text[-1] != "'" or "${" in text:
        raise ValueError(f"{TEMPLATE}: not a static gateway response header value: {text!r}")
    return text[1:-1]


def gateway_response(response_type: str, *, portal_origin: str, template: Path = TEMPLATE) -> GatewayResponse:
    """The answer API Gateway gives for ``response_type``, as infra/resources.json defines it."""
    resources = json.loads(template.read_text(encoding="utf-8"))["Resources"]
    for resource in resources.values():
        properties = resource.get("Properties", {})
        if resource.get("Type") == "AWS::ApiGateway::GatewayResponse" and (
            properties.get("ResponseType") == response_type
        ):
            break
    else:
        raise LookupError(f"{template} has no gateway response of type {response_type}")
    parameters = {"PortalOrigin": portal_origin}
    headers = {
        name[len(_HEADER_PREFIX) :]: _static_value(value, parameters)
        for name, value in properties.get("ResponseParameters", {}).items()
        if name.startswith(_HEADER_PREFIX)
    }
    headers["Content-Type"] = "application/json; charset=utf-8"
    status = int(properties.get("StatusCode") or _DEFAULT_STATUS[response_type])
    body = properties["ResponseTemplates"]["application/json"].encode("utf-8")
    return GatewayResponse(status, headers, body)


_LOG = logging.getLogger(__name__)


def emulate_api_gateway() -> None:
    from chalice import local

    from chalicelib.settings import get_settings
    from chalicelib.web.auth import Unauthorized

    original_authorize = local.LocalGatewayAuthorizer.authorize
    if getattr(original_authorize, "emulates_api_gateway", False):
        return
    original_event = local.LocalGateway._generate_lambda_event

    def answer(response_type: str, request_id: str) -> tuple[dict[str, str], bytes]:
        response = gateway_response(response_type, portal_origin=get_settings().portal_origin)
        headers = {"x-amzn-RequestId": request_id, **response.headers}
        return headers, response.body

    def authorize(self: Any, raw_path: str, lambda_event: Any, lambda_context: Any) -> Any:
        try:
            return original_authorize(self, raw_path, lambda_event, lambda_context)
        except (Unauthorized, local.NotAuthorizedError):
            headers, body = answer("UNAUTHORIZED", lambda_context.aws_request_id)
            headers["x-amzn-ErrorType"] = "UnauthorizedException"
            raise local.NotAuthorizedError(headers, body) from None
        except local.LocalGatewayException:
            raise  # chalice's own answers (403 for a route the policy leaves out)
        except Exception:  # noqa: BLE001 - whatever it is, API Gateway answers 500
            _LOG.exception("the staff authorizer failed")  # a bug: say where, as CloudWatch would
            headers, body = answer("DEFAULT_5XX", lambda_context.aws_request_id)
            headers["x-amzn-ErrorType"] = "AuthorizerConfigurationException"
            raise local.InvalidAuthorizerError(headers, body) from None

    def generate_lambda_event(self: Any, method: str, path: str, headers: Any, body: Any) -> Any:
        try:
            return original_event(self, method, path, headers, body)
        except ValueError:
            # No route matches (the only ValueError here): LocalGateway.handle_request would answer
            # with chalice's own 403; this one passes through it to the server unchanged.
            error_headers, error_body = answer("MISSING_AUTHENTICATION_TOKEN", str(uuid.uuid4()))
            error_headers["x-amzn-ErrorType"] = "MissingAuthenticationTokenException"
            raise local.ForbiddenError(error_headers, error_body) from None

    authorize.emulates_api_gateway = True  # type: ignore[attr-defined]
    local.LocalGatewayAuthorizer.authorize = authorize  # type: ignore[method-assign]
    local.LocalGateway._generate_lambda_event = generate_lambda_event  # type: ignore[method-assign]
