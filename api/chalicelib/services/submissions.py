"""Filing a complaint: online by the complainant, or registered by an officer from another channel."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from msgspec import Struct
from msgspec.structs import asdict

from ..domain.case import Actor, Case, open_case
from ..domain.complaint import Channel, ComplaintDraft, Writer, check_draft
from ..domain.deadlines import Policy
from ..domain.errors import IdempotencyMismatchError, StorageUnavailableError
from ..domain.notifications import notices_for
from ..domain.tracking import derive_access_code, hash_access_code, new_access_code, new_tracking_no
from .repository import CaseRepository, IdempotencyKeyTakenError, IdempotencyRecord, TrackingNumberTakenError

__all__ = ["IDEMPOTENCY_TTL", "Receipt", "submit_complaint"]

# How long a retried submission with the same Idempotency-Key returns the first one's case.
IDEMPOTENCY_TTL = timedelta(hours=24)
# 55 random bits make a collision vanishingly rare; a few attempts bound the loop all the same
# (they are also spent waiting out a concurrent request with the same Idempotency-Key).
_MAX_ATTEMPTS = 5


class Receipt(Struct, frozen=True):
    """What the complainant is given once: the case and the access code (never stored in clear)."""

    case: Case
    access_code: str
    replayed: bool


def _fingerprint(draft: ComplaintDraft, channel: Channel, received_at: datetime | None) -> str:
    # A canonical form of what was asked, so formatting differences of the same body match.
    def plain(value: Any) -> Any:
        return str(value) if value is not None and not isinstance(value, (str, bool, int)) else value

    canonical = {key: plain(value) for key, value in asdict(draft).items()}
    canonical["channel"] = channel
    if received_at is not None:
        canonical["received_at"] = received_at.isoformat()
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _key_hash(idempotency_key: str) -> str:
    return hashlib.sha256(b"idempotency\x00" + idempotency_key.encode()).hexdigest()


def _replay(
    repository: CaseRepository, record: IdempotencyRecord, fingerprint: str, access_code: str
) -> Receipt:
    if record.fingerprint != fingerprint:
        raise IdempotencyMismatchError()
    case = repository.get(record.tracking_no)
    if case is None:  # the record and its case are written together; only a deleted case gets here
        raise IdempotencyMismatchError()
    return Receipt(case=case, access_code=access_code, replayed=True)


def submit_complaint(
    repository: CaseRepository,
    draft: ComplaintDraft,
    *,
    channel: Channel,
    actor: Actor,
    idempotency_key: str | None,
    access_code_secret: str,
    now: datetime,
    policy: Policy,
    received_at: datetime | None = None,
    writer: Writer = "complainant",
    notify: bool = True,
) -> Receipt:
    """Check the complaint, give it a tracking number and an access code, and store it with its first
    event. With an Idempotency-Key, the same request again returns the same case. A complaint staff
    register was received at ``received_at`` (checked by the caller); one filed online, now. With
    ``notify``, the acknowledgement (for a registration, with the access code) goes to the outbox
    in the same write."""
    complainant, details = check_draft(draft, today=policy.local_date(now), writer=writer)
    fingerprint = _fingerprint(draft, channel, received_at)

    record: IdempotencyRecord | None = None
    if idempotency_key is None:
        access_code = new_access_code()
    else:
        key_hash = _key_hash(idempotency_key)
        # Derived, not stored: a retry must hand back the same code, and only its hash is kept.
        access_code = derive_access_code(access_code_secret, key_hash)
        existing = repository.get_idempotency(key_hash)
        if existing is not None and existing.is_live(now):
            return _replay(repository, existing, fingerprint, access_code)

    for _ in range(_MAX_ATTEMPTS):
        tracking_no = new_tracking_no()
        case, event = open_case(
            tracking_no=tracking_no,
            access_code_hash=hash_access_code(tracking_no, access_code),
            complainant=complainant,
            details=details,
            channel=channel,
            actor=actor,
            now=now,
            policy=policy,
            received_at=received_at,
        )
        if idempotency_key is not None:
            record = IdempotencyRecord(key_hash, fingerprint, tracking_no, now, now + IDEMPOTENCY_TTL)
        notices = notices_for(case, event, policy=policy, access_code=access_code) if notify else []
        try:
            repository.create(case, event, record, notices)
        except TrackingNumberTakenError:
            continue
        except IdempotencyKeyTakenError:
            # A concurrent request with the same key won the race: answer with its case.
            # (A conflict with a transaction still in flight leaves no record yet: try again.)
            assert record is not None
            winner = repository.get_idempotency(record.key_hash)
            if winner is not None and winner.is_live(now):
                return _replay(repository, winner, fingerprint, access_code)
            continue
        return Receipt(case=case, access_code=access_code, replayed=False)
    raise StorageUnavailableError()
