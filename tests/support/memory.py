"""The in-memory repository as the tests build it: with identity keys under a test secret."""

from __future__ import annotations

from chalicelib.services.identity_keys import IdentityHasher
from chalicelib.storage.memory import MemoryCaseRepository

__all__ = ["TEST_IDENTITY", "memory_repository"]

TEST_IDENTITY = IdentityHasher("identity-key-secret-of-the-tests-" + "x" * 16)


def memory_repository() -> MemoryCaseRepository:
    return MemoryCaseRepository(TEST_IDENTITY)
