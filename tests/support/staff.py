"""Staff tokens for tests: a throwaway issuer (key pair in a temporary directory) per test session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scripts.lib.staff_tokens import LocalIssuer

__all__ = ["TestIssuer"]


class TestIssuer(LocalIssuer):
    """A LocalIssuer whose keys live where the test says."""

    __test__ = False  # not a test class, whatever its name

    def __init__(self, directory: Path) -> None:
        super().__init__(directory=directory)

    def bearer(
        self, *roles: str, name: str = "测试员", department: str | None = None, **claims: Any
    ) -> dict[str, str]:
        token = self.token(
            roles=list(roles), name=name, department=department, subject=f"sub-{name}", **claims
        )
        return {"Authorization": f"Bearer {token}"}
