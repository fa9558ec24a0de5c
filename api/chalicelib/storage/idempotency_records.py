"""The idempotency keys' table: which submission an Idempotency-Key made, for as long as a repeat of
it counts (expired by TTL). Only a submission reads or writes it, so a cold lookup never loads it."""

from __future__ import annotations

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.models import Model

from .models import _Meta

__all__ = ["IdempotencyRecordModel"]


class IdempotencyRecordModel(Model):
    class Meta(_Meta):
        pass

    key_hash = UnicodeAttribute(hash_key=True)
    fingerprint = UnicodeAttribute()
    tracking_no = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()
