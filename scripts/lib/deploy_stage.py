"""A deployment stage's parameters: ``infra/stages/STAGE.json``, read and checked once.

The stage file holds what differs between deployments (domain and certificate, the sender, the
text-message settings, where alarms go, the WAF's rate limits); everything else a stack's
parameters need is made from it here, so no fact is written twice: the portal's origin and URL
from the domain, the SES identity from the sender's address, the staff sign-in domain from its
prefix and the region.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from scripts.lib.paths import REPO_ROOT

__all__ = ["STAGES_DIR", "RateLimits", "Stage", "StageError", "load_stage"]

STAGES_DIR = REPO_ROOT / "infra" / "stages"

_DOMAIN = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]$")
_CERTIFICATE = re.compile(r"^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/[0-9a-f-]+$")
_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
# CloudWatch Logs' retention periods.
_RETENTION_DAYS = {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192}
_RETENTION_DAYS |= {2557, 2922, 3288, 3653}
# WAF's smallest rate-based limit.
_LOWEST_RATE_LIMIT = 10
_PRICE_CLASSES = ("PriceClass_100", "PriceClass_200", "PriceClass_All")


class StageError(ValueError):
    """A stage file that is missing, or a key in it that is missing or wrong (named)."""


@dataclass(frozen=True)
class RateLimits:
    """Requests per client address per five minutes, over which WAF blocks the address."""

    submissions: int
    lookups: int
    complainant_actions: int


@dataclass(frozen=True)
class Stage:
    name: str
    chalice_stage: str
    stack_name: str
    region: str
    domain_name: str
    certificate_arn: str
    price_class: str
    staff_sign_in_domain_prefix: str
    mail_from: str
    sms_sender_id: str
    sms_monthly_spend_limit_usd: int
    alarm_email: str
    overdue_cases_alarm_threshold: int
    log_retention_days: int
    rate_limits: RateLimits

    @property
    def portal_origin(self) -> str:
        return f"https://{self.domain_name}"

    @property
    def portal_url(self) -> str:
        return f"https://{self.domain_name}/"

    @property
    def mail_domain(self) -> str:
        return parseaddr(self.mail_from)[1].rpartition("@")[2].lower()

    @property
    def staff_sign_in_domain(self) -> str:
        """The Cognito hosted UI's origin, as the stack's StaffSignInDomain output names it."""
        return f"https://{self.staff_sign_in_domain_prefix}.auth.{self.region}.amazoncognito.com"

    @property
    def edge_stack_name(self) -> str:
        """The stack in us-east-1 that holds what CloudFront takes from there only (the web ACL)."""
        return f"{self.stack_name}-edge"

    def stack_parameters(self, web_acl_arn: str) -> dict[str, str]:
        """The main stack's parameters (infra/resources.json, site.json, operations.json)."""
        return {
            "PortalOrigin": self.portal_origin,
            "PortalUrl": self.portal_url,
            "StaffSignInDomainPrefix": self.staff_sign_in_domain_prefix,
            "MailFrom": self.mail_from,
            "SmsSenderId": self.sms_sender_id,
            "DomainName": self.domain_name,
            "CertificateArn": self.certificate_arn,
            "PriceClass": self.price_class,
            "WebAclArn": web_acl_arn,
            "MailDomain": self.mail_domain,
            "AlarmEmail": self.alarm_email,
            "OverdueCasesAlarmThreshold": str(self.overdue_cases_alarm_threshold),
            "LogRetentionDays": str(self.log_retention_days),
        }


def load_stage(name: str, directory: Path = STAGES_DIR) -> Stage:
    path = directory / f"{name}.json"
    if not re.fullmatch(r"[a-z][a-z0-9-]*", name) or not path.is_file():
        known = ", ".join(sorted(p.stem for p in directory.glob("*.json"))) or "none"
        raise StageError(f"no stage file {path} (stages: {known})")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise StageError(f"{path.name}: not JSON ({error})") from error
    reader = _Reader(path.name, raw)
    stage = Stage(
        name=name,
        chalice_stage=reader.text("chalice_stage", r"[a-z][a-z0-9_]*"),
        stack_name=reader.text("stack_name", r"[A-Za-z][A-Za-z0-9-]{0,100}"),
        region=reader.text("region", _REGION.pattern),
        domain_name=reader.text("domain_name", _DOMAIN.pattern),
        certificate_arn=reader.text("certificate_arn", _CERTIFICATE.pattern),
        price_class=reader.choice("price_class", _PRICE_CLASSES),
        staff_sign_in_domain_prefix=reader.text("staff_sign_in_domain_prefix", _PREFIX.pattern),
        mail_from=reader.text("mail_from", r".+<[^@<>\s]+@[^@<>\s]+>|[^@<>\s]+@[^@<>\s]+"),
        sms_sender_id=reader.text("sms_sender_id", r"|[A-Za-z0-9]{1,11}"),
        sms_monthly_spend_limit_usd=reader.number("sms_monthly_spend_limit_usd", lowest=1),
        alarm_email=reader.text("alarm_email", r"[^@\s]+@[^@\s]+"),
        overdue_cases_alarm_threshold=reader.number("overdue_cases_alarm_threshold", lowest=0),
        log_retention_days=reader.choice("log_retention_days", tuple(sorted(_RETENTION_DAYS))),
        rate_limits=RateLimits(**reader.limits("rate_limits_per_5_minutes", RateLimits)),
    )
    reader.no_others()
    return stage


class _Reader:
    def __init__(self, file: str, raw: object) -> None:
        if not isinstance(raw, dict):
            raise StageError(f"{file}: a JSON object of the stage's keys")
        self.file, self.raw = file, raw
        self.read = {"$comment"}

    def _get(self, key: str) -> Any:
        self.read.add(key)
        if key not in self.raw:
            raise StageError(f"{self.file}: {key} is missing")
        return self.raw[key]

    def text(self, key: str, pattern: str) -> str:
        value = self._get(key)
        if not isinstance(value, str) or not re.fullmatch(pattern, value):
            raise StageError(f"{self.file}: {key} is not valid ({value!r})")
        return value

    def number(self, key: str, *, lowest: int) -> int:
        value = self._get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < lowest:
            raise StageError(f"{self.file}: {key} must be a whole number of at least {lowest} ({value!r})")
        return value

    def choice(self, key: str, choices: tuple[Any, ...]) -> Any:
        value = self._get(key)
        if value not in choices:
            raise StageError(f"{self.file}: {key} must be one of {', '.join(map(str, choices))} ({value!r})")
        return value

    def limits(self, key: str, shape: type[RateLimits]) -> dict[str, int]:
        value = self._get(key)
        names = set(shape.__dataclass_fields__)
        if not isinstance(value, dict) or set(value) != names:
            raise StageError(f"{self.file}: {key} must give exactly {', '.join(sorted(names))}")
        for name, limit in value.items():
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < _LOWEST_RATE_LIMIT:
                raise StageError(f"{self.file}: {key}.{name} must be a whole number of at least 10")
        return dict(value)

    def no_others(self) -> None:
        unknown = sorted(set(self.raw) - self.read)
        if unknown:
            raise StageError(f"{self.file}: unknown keys {', '.join(unknown)}")
