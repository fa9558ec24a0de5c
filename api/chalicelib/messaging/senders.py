"""Sending a rendered notice: e-mail through Amazon SES v2, text messages through Amazon SNS.

SDK errors become ``ProviderError``s here, transient (throttling, timeouts, the provider's own
faults: retried later) or not (a refused address or sender: marked failed for staff). Only the
error's code is kept: a provider's message text may quote the address. Locally the clients point
at the stand-ins ``./scripts/serve`` starts (aws-ses-v2-local, moto's server).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from ..domain.notifications import Notice
from ..services.message_delivery import ProviderError
from ..settings import Settings
from .rendering import render_notice

__all__ = ["NoticeSender", "sender_for"]

_TRANSIENT_CODES = frozenset(
    {
        "TooManyRequestsException",
        "LimitExceededException",
        "Throttling",
        "ThrottlingException",
        "Throttled",
        "InternalError",
        "InternalFailure",
        "InternalServerError",
        "ServiceUnavailable",
        "SendingPausedException",
        "KMSThrottlingException",
    }
)


def _provider_error(error: Exception) -> ProviderError:
    from botocore import exceptions

    if isinstance(error, exceptions.ClientError):
        code = str(error.response.get("Error", {}).get("Code") or "ClientError")
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        return ProviderError(code, transient=code in _TRANSIENT_CODES or status >= 500)
    if isinstance(error, (exceptions.ConnectionError, exceptions.HTTPClientError)):
        return ProviderError(type(error).__name__, transient=True)
    raise error


class NoticeSender:
    """``services.message_delivery.MessageSender`` for both channels."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def send(self, notice: Notice) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        rendered = render_notice(notice, portal_url=self._settings.portal_url)
        try:
            if notice.channel == "sms":
                return self._sms(notice.address, rendered.text)
            return self._email(notice.address, rendered.subject, rendered.text, rendered.html)
        except (ClientError, BotoCoreError) as error:
            raise _provider_error(error) from error

    def _email(self, to: str, subject: str, text: str, html: str) -> str:
        answer = _client(self._settings, "sesv2").send_email(
            FromEmailAddress=self._settings.mail_from,
            Destination={"ToAddresses": [to]},
            Content={
                "Simple": {
                    "Subject": {"Data": subject, "Charset": "UTF-8"},
                    "Body": {
                        "Text": {"Data": text, "Charset": "UTF-8"},
                        "Html": {"Data": html, "Charset": "UTF-8"},
                    },
                }
            },
        )
        return str(answer.get("MessageId", ""))

    def _sms(self, to: str, text: str) -> str:
        attributes: dict[str, Any] = {
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
        }
        if self._settings.sms_sender_id:
            attributes["AWS.SNS.SMS.SenderID"] = {
                "DataType": "String",
                "StringValue": self._settings.sms_sender_id,
            }
        answer = _client(self._settings, "sns").publish(
            PhoneNumber=to, Message=text, MessageAttributes=attributes
        )
        return str(answer.get("MessageId", ""))


@cache
def _client(settings: Settings, service: str) -> Any:
    """One client per service and configuration, made at first use (botocore only, no boto3)."""
    import botocore.session
    from botocore.config import Config

    endpoint = settings.ses_endpoint_url if service == "sesv2" else settings.sns_endpoint_url
    config = Config(connect_timeout=2, read_timeout=5, retries={"mode": "standard", "max_attempts": 3})
    return botocore.session.get_session().create_client(
        service, region_name=settings.region, endpoint_url=endpoint, config=config
    )


@cache
def sender_for(settings: Settings) -> NoticeSender:
    return NoticeSender(settings)
