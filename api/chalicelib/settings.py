"""The only reader of the environment.

Read lazily (``get_settings()``), never at import time: Chalice's test client and ``chalice local``
set a stage's variables only around a request, and PynamoDB needs the table names before first use.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Literal

from msgspec import Struct

__all__ = ["Settings", "SettingsError", "get_settings", "reset_settings"]

Storage = Literal["dynamodb", "memory"]

_DEVELOPMENT_STAGES = frozenset({"local", "test"})
# Only ever accepted in development stages; a deployed stage must bring its own secrets.
_DEVELOPMENT_SECRET = "local-development-secret-not-for-production"  # noqa: S105
_DEVELOPMENT_IDENTITY_SECRET = "local-development-identity-key-secret-not-for-production"  # noqa: S105
# Local stand-ins accept any sender; a deployed stage names its verified SES identity.
_DEVELOPMENT_SENDER = "园区投诉受理中心 <complaints@park.example.cn>"


class SettingsError(RuntimeError):
    """The environment describes a configuration that must not run."""


class Settings(Struct, frozen=True):
    stage: str
    storage: Storage
    region: str
    dynamodb_endpoint_url: str | None
    cases_table: str
    events_table: str
    idempotency_table: str
    access_log_table: str
    attempts_table: str
    outbox_table: str
    job_cursors_table: str
    # The monthly report's facts per month, its snapshots and the published statistics.
    reports_table: str
    portal_origin: str
    portal_url: str
    access_code_secret: str
    # Keys the identifiers that name a complainant (phone, e-mail, credit code) are kept under, so
    # that repeats can be counted and cases found without keeping the identifiers a second time.
    identity_key_secret: str
    max_body_bytes: int
    # How many proxies in front of the API append the client's address to X-Forwarded-For
    # (0: the API is reached directly and API Gateway's source address is the client's).
    trusted_proxy_hops: int
    # Messages: e-mail through SES v2 and SMS through SNS; the endpoints are local stand-ins in
    # development only (aws-ses-v2-local, moto's server), AWS's own otherwise.
    messages_enabled: bool
    mail_from: str
    sms_sender_id: str | None
    ses_endpoint_url: str | None
    sns_endpoint_url: str | None
    # Attachments (S3): the bucket (None: attachments are not offered), its local stand-in
    # (development only: SeaweedFS), the table of their records, and the scan step of their
    # processing ("clamav": clamscan with the default signatures, or those of CLAMSCAN_DATABASE).
    attachments_table: str
    attachments_bucket: str | None
    s3_endpoint_url: str | None
    attachment_scanner: Literal["none", "clamav"]
    clamscan_database: str | None
    # Staff tokens: RS256 JWTs from this issuer for this audience (app client id), keys from a JWKS.
    staff_issuer: str | None
    staff_audience: str | None
    staff_jwks_url: str | None
    staff_jwks_path: str | None

    @property
    def is_development(self) -> bool:
        return self.stage in _DEVELOPMENT_STAGES


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or default


def _switch(name: str, *, default: bool) -> bool:
    raw = (_env(name) or ("on" if default else "off")).lower()
    if raw not in ("on", "off"):
        raise SettingsError(f"{name} must be 'on' or 'off', not {raw!r}")
    return raw == "on"


def _required(name: str) -> str:
    raise SettingsError(f"{name} is required outside development")


def _local_only(name: str, development: bool) -> str | None:
    value = _env(name)
    if value is not None and not development:
        raise SettingsError(f"{name} points at a local stand-in and is refused outside development")
    return value


def _secret(name: str, development_default: str | None) -> str:
    """A secret of at least 32 characters; only development stages may leave it to a default."""
    value = _env(name)
    if value is None:
        if development_default is None:
            raise SettingsError(f"{name} is required outside development")
        return development_default
    if len(value) < 32:
        raise SettingsError(f"{name} must be at least 32 characters")
    return value


def _hops(raw: str) -> int:
    if not raw.isdigit() or int(raw) > 5:
        raise SettingsError(f"TRUSTED_PROXY_HOPS must be a whole number from 0 to 5, not {raw!r}")
    return int(raw)


def _scanner(raw: str) -> Literal["none", "clamav"]:
    if raw == "clamav":
        return "clamav"
    if raw == "none":
        return "none"
    raise SettingsError(f"ATTACHMENT_SCANNER must be 'none' or 'clamav', not {raw!r}")


def _load() -> Settings:
    stage = _env("STAGE", "local") or "local"
    development = stage in _DEVELOPMENT_STAGES

    storage = _env("STORAGE", "dynamodb")
    if storage not in ("dynamodb", "memory"):
        raise SettingsError(f"STORAGE must be 'dynamodb' or 'memory', not {storage!r}")
    if storage == "memory" and not development:
        raise SettingsError("STORAGE=memory keeps nothing and is refused outside development")

    prefix = _env("TABLE_PREFIX", f"complaints-{stage}")
    secret = _env("ACCESS_CODE_SECRET")
    if secret is None:
        if not development:
            raise SettingsError("ACCESS_CODE_SECRET is required outside development")
        secret = _DEVELOPMENT_SECRET
    elif len(secret) < 32:
        raise SettingsError("ACCESS_CODE_SECRET must be at least 32 characters")
    identity_secret = _secret("IDENTITY_KEY_SECRET", _DEVELOPMENT_IDENTITY_SECRET if development else None)

    portal_origin = (_env("PORTAL_ORIGIN", "http://localhost:8000") or "").rstrip("/")
    return Settings(
        stage=stage,
        storage=storage,  # type: ignore[arg-type]  # checked just above
        region=_env("AWS_REGION") or _env("AWS_DEFAULT_REGION") or "us-east-1",
        dynamodb_endpoint_url=_env("DYNAMODB_ENDPOINT_URL"),
        cases_table=_env("CASES_TABLE", f"{prefix}-cases") or "",
        events_table=_env("EVENTS_TABLE", f"{prefix}-events") or "",
        idempotency_table=_env("IDEMPOTENCY_TABLE", f"{prefix}-idempotency") or "",
        access_log_table=_env("ACCESS_LOG_TABLE", f"{prefix}-access-log") or "",
        attempts_table=_env("ATTEMPTS_TABLE", f"{prefix}-attempts") or "",
        outbox_table=_env("OUTBOX_TABLE", f"{prefix}-outbox") or "",
        job_cursors_table=_env("JOB_CURSORS_TABLE", f"{prefix}-job-cursors") or "",
        reports_table=_env("REPORTS_TABLE", f"{prefix}-reports") or "",
        portal_origin=portal_origin,
        portal_url=(_env("PORTAL_URL", portal_origin + "/") or "").rstrip("/") + "/",
        access_code_secret=secret,
        identity_key_secret=identity_secret,
        max_body_bytes=int(_env("MAX_BODY_BYTES", "65536") or "65536"),
        trusted_proxy_hops=_hops(_env("TRUSTED_PROXY_HOPS", "0") or "0"),
        messages_enabled=_switch("MESSAGES", default=True),
        mail_from=_env("MAIL_FROM", _DEVELOPMENT_SENDER if development else None) or _required("MAIL_FROM"),
        sms_sender_id=_env("SMS_SENDER_ID"),
        ses_endpoint_url=_local_only("SES_ENDPOINT_URL", development),
        sns_endpoint_url=_local_only("SNS_ENDPOINT_URL", development),
        attachments_table=_env("ATTACHMENTS_TABLE", f"{prefix}-attachments") or "",
        attachments_bucket=_env("ATTACHMENTS_BUCKET"),
        s3_endpoint_url=_local_only("S3_ENDPOINT_URL", development),
        attachment_scanner=_scanner(_env("ATTACHMENT_SCANNER", "none") or "none"),
        clamscan_database=_env("CLAMSCAN_DATABASE"),
        staff_issuer=_env("STAFF_ISSUER"),
        staff_audience=_env("STAFF_AUDIENCE"),
        staff_jwks_url=_env("STAFF_JWKS_URL"),
        staff_jwks_path=_env("STAFF_JWKS_PATH"),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return _load()


def reset_settings() -> None:
    """Forget the cached settings (tests and launchers that change the environment)."""
    get_settings.cache_clear()
