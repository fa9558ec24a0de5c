"""What the local stand-ins were sent: e-mail kept by aws-ses-v2-local, SMS kept by moto's server.

    mails = wait_for_mail(stack.mail_store_url, to="zhang@example.cn")
    texts = wait_for_sms(stack.sms_data_url, phone_number="+8613800138000")

The URLs come from ``LocalStack`` (``mail_store_url``, ``sms_data_url``) or from the servers
(``MailServer.store_url``, ``SmsServer.data_url``). A stack shared by many tests holds everyone's
messages: filter by a recipient only your test uses rather than clearing.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, TypeVar

__all__ = [
    "SentMail",
    "SentSms",
    "clear_sent_mail",
    "clear_sent_sms",
    "sent_mail",
    "sent_sms",
    "wait_for_mail",
    "wait_for_sms",
]

_Message = TypeVar("_Message")


@dataclass(frozen=True, slots=True)
class SentMail:
    message_id: str
    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    bcc: tuple[str, ...]
    subject: str
    text: str | None
    html: str | None
    at: datetime
    raw: dict[str, Any] = field(repr=False, compare=False)

    @property
    def recipients(self) -> tuple[str, ...]:
        return self.to + self.cc + self.bcc

    def is_for(self, address: str) -> bool:
        """True when ``address`` is among the recipients (``Name <address>`` counts)."""
        wanted = address.strip().lower()
        return any(wanted == r.strip().lower() or f"<{wanted}>" in r.lower() for r in self.recipients)


@dataclass(frozen=True, slots=True)
class SentSms:
    message_id: str
    phone_number: str
    message: str


def _need(url: str | None, what: str) -> str:
    if url is None:
        raise AssertionError(f"this stack runs no local {what} server (node or moto[server] missing?)")
    return url


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


def _post(url: str) -> None:
    request = urllib.request.Request(url, data=b"", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def _mail(item: dict[str, Any]) -> SentMail:
    destination = item.get("destination") or {}
    body = item.get("body") or {}
    return SentMail(
        message_id=str(item["messageId"]),
        sender=str(item.get("from", "")),
        to=tuple(destination.get("to") or ()),
        cc=tuple(destination.get("cc") or ()),
        bcc=tuple(destination.get("bcc") or ()),
        subject=str(item.get("subject", "")),
        text=body.get("text"),
        html=body.get("html"),
        at=datetime.fromtimestamp(int(item["at"]), UTC),
        raw=item,
    )


def sent_mail(store_url: str | None, *, to: str | None = None) -> list[SentMail]:
    """Every e-mail the server holds, oldest first; only those for ``to`` if given."""
    store = _get_json(_need(store_url, "mail"))
    mails = [_mail(item) for item in store.get("emails", [])]
    return [mail for mail in mails if to is None or mail.is_for(to)]


def sent_sms(data_url: str | None, *, phone_number: str | None = None) -> list[SentSms]:
    """Every SMS moto holds, oldest first; only those to ``phone_number`` if given."""
    data = _get_json(_need(data_url, "SMS"))
    texts = [
        SentSms(
            message_id=str(item["message_id"]),
            phone_number=str(item["phone_number"]),
            message=str(item["message"]),
        )
        for item in data.get("sns", {}).get("SMS", [])
    ]
    return [text for text in texts if phone_number is None or text.phone_number == phone_number]


def _wait(read: Callable[[], list[_Message]], count: int, timeout: float, what: str) -> list[_Message]:
    deadline = time.monotonic() + timeout
    while True:
        found = read()
        if len(found) >= count:
            return found
        if time.monotonic() >= deadline:
            raise AssertionError(
                f"expected {count} {what} within {timeout:.0f} s, found {len(found)}: {found}"
            )
        time.sleep(0.1)


def wait_for_mail(store_url: str | None, *, to: str, count: int = 1, timeout: float = 10.0) -> list[SentMail]:
    """Wait until at least ``count`` e-mails for ``to`` were sent; return them all."""
    return _wait(lambda: sent_mail(store_url, to=to), count, timeout, f"e-mail(s) to {to}")


def wait_for_sms(
    data_url: str | None, *, phone_number: str, count: int = 1, timeout: float = 10.0
) -> list[SentSms]:
    """Wait until at least ``count`` SMS to ``phone_number`` were sent; return them all."""
    return _wait(
        lambda: sent_sms(data_url, phone_number=phone_number), count, timeout, f"SMS to {phone_number}"
    )


def clear_sent_mail(store_url: str | None) -> None:
    """Forget every e-mail (``POST /clear-store``). Only on a server your tests alone use."""
    _post(_need(store_url, "mail").removesuffix("/store") + "/clear-store")


def clear_sent_sms(data_url: str | None) -> None:
    """Forget everything moto holds (``POST /moto-api/reset``). Only on a server your tests alone use."""
    _post(_need(data_url, "SMS").removesuffix("/data.json") + "/reset")
