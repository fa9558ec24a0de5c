"""Staff sign-in for the local stack: the project is its own token issuer.

An RSA key pair under ``.local/staff-auth/`` signs RS256 JWTs shaped like Cognito's ID tokens
(``cognito:groups``, ``custom:department``); the API verifies them against the JWKS written beside
the key, exactly as it verifies Cognito's tokens in production.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from scripts.lib.paths import LOCAL_DIR

__all__ = ["LOCAL_AUDIENCE", "LOCAL_ISSUER", "LocalIssuer"]

LOCAL_ISSUER = "urn:complaint-portal:local-staff-issuer"
LOCAL_AUDIENCE = "complaint-portal-staff-console"


@lru_cache(maxsize=8)
def _private_key(path: Path, modified_ns: int) -> Any:
    """The signing key, parsed once per file version: loading a PEM checks the RSA key, about
    150 ms here, and tests mint hundreds of tokens."""
    from cryptography.hazmat.primitives import serialization

    return serialization.load_pem_private_key(path.read_bytes(), password=None)


@dataclass(frozen=True)
class LocalIssuer:
    directory: Path = LOCAL_DIR / "staff-auth"
    issuer: str = LOCAL_ISSUER
    audience: str = LOCAL_AUDIENCE

    @property
    def key_path(self) -> Path:
        return self.directory / "signing-key.pem"

    @property
    def jwks_path(self) -> Path:
        return self.directory / "jwks.json"

    @property
    def kid(self) -> str:
        return str(json.loads(self.jwks_path.read_text(encoding="utf-8"))["keys"][0]["kid"])

    def signing_key(self) -> Any:
        self.ensure_keys()
        return _private_key(self.key_path, self.key_path.stat().st_mtime_ns)

    def environment(self) -> dict[str, str]:
        """What the API needs to verify this issuer's tokens."""
        self.ensure_keys()
        return {
            "STAFF_ISSUER": self.issuer,
            "STAFF_AUDIENCE": self.audience,
            "STAFF_JWKS_PATH": str(self.jwks_path),
        }

    def ensure_keys(self) -> None:
        if self.key_path.is_file() and self.jwks_path.is_file():
            return
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa
        from jwt.algorithms import RSAAlgorithm

        self.directory.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        self.key_path.write_bytes(pem)
        self.key_path.chmod(0o600)
        public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
        public.update({"kid": uuid.uuid4().hex, "alg": "RS256", "use": "sig"})
        self.jwks_path.write_text(json.dumps({"keys": [public]}, indent=2), encoding="utf-8")

    def token(
        self,
        *,
        roles: list[str],
        name: str,
        department: str | None = None,
        subject: str | None = None,
        lifetime_seconds: int = 10 * 3600,  # a working day with its breaks
        **overrides: Any,
    ) -> str:
        """A signed token; ``overrides`` replace claims (tests use them for wrong audiences etc.)."""
        import jwt

        self.ensure_keys()
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": subject or f"local-{name}",
            "name": name,
            "cognito:groups": roles,
            "token_use": "id",
            "iat": now,
            "exp": now + lifetime_seconds,
        }
        if department:
            claims["custom:department"] = department
        claims.update(overrides)
        return jwt.encode(claims, self.signing_key(), algorithm="RS256", headers={"kid": self.kid})
