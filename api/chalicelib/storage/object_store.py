"""The attachments bucket on S3, through a botocore client (boto3 is never imported: the client is
all this needs, and botocore is already loaded for DynamoDB).

Presigned POSTs carry a policy S3 enforces itself: the one key, the exact Content-Type, a size range
of 1 byte to the declared size, and the expiry; the signature covers the policy, so changing any
of it is refused (SignatureDoesNotMatch). SDK faults become ``StorageUnavailableError`` (503 with
Retry-After), never a 500.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from ..domain.errors import StorageUnavailableError
from ..services.attachments import PresignedPost
from ..settings import Settings

__all__ = ["S3ObjectStore"]

_T = TypeVar("_T")
_MISSING = frozenset({"NoSuchKey", "404", "NotFound"})
_BUILDING = threading.Lock()


def _call(operation: Callable[[], _T]) -> _T:
    try:
        return operation()
    except (ClientError, BotoCoreError) as error:
        raise StorageUnavailableError() from error


class S3ObjectStore:
    def __init__(self, settings: Settings, bucket: str) -> None:
        import botocore.session

        local = settings.s3_endpoint_url is not None
        config = Config(
            signature_version="s3v4",
            # The local S3 answers on one host and port: buckets in the path, not the name.
            s3={"addressing_style": "path" if local else "virtual"},
            retries={"mode": "standard", "max_attempts": 3},
            connect_timeout=2,
            read_timeout=10,
        )
        with _BUILDING:  # botocore sessions are not to be shared while a client is being built
            session = botocore.session.get_session()
            self._client: Any = session.create_client(
                "s3", region_name=settings.region, endpoint_url=settings.s3_endpoint_url, config=config
            )
        self._bucket = bucket

    def presigned_post(
        self, key: str, *, content_type: str, max_size: int, expires_in: int, redirect: str | None
    ) -> PresignedPost:
        fields: dict[str, str] = {"Content-Type": content_type}
        conditions: list[Any] = [["content-length-range", 1, max_size], {"Content-Type": content_type}]
        if redirect is not None:
            fields["success_action_redirect"] = redirect
            conditions.append({"success_action_redirect": redirect})
        else:
            fields["success_action_status"] = "204"
            conditions.append({"success_action_status": "204"})
        signed = _call(
            lambda: self._client.generate_presigned_post(
                self._bucket, key, Fields=fields, Conditions=conditions, ExpiresIn=expires_in
            )
        )
        return PresignedPost(url=str(signed["url"]), fields={k: str(v) for k, v in signed["fields"].items()})

    def presigned_get(self, key: str, *, filename: str, content_type: str, expires_in: int) -> str:
        from urllib.parse import quote

        # The name in both forms: ASCII for old clients, RFC 5987 for every other character.
        ascii_name = filename.encode("ascii", "replace").decode("ascii").replace("?", "_").replace('"', "_")
        disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
        params = {
            "Bucket": self._bucket,
            "Key": key,
            "ResponseContentDisposition": disposition,
            "ResponseContentType": content_type,
        }
        return str(
            _call(
                lambda: self._client.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)
            )
        )

    def read(self, key: str, *, max_size: int) -> tuple[bytes, Mapping[str, str]] | None:
        try:
            answer = self._client.get_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if str(error.response.get("Error", {}).get("Code")) in _MISSING:
                return None
            raise StorageUnavailableError() from error
        except BotoCoreError as error:
            raise StorageUnavailableError() from error
        body = answer["Body"]
        try:
            data: bytes = _call(lambda: body.read(max_size + 1))
        finally:
            body.close()
        return data, dict(answer.get("Metadata") or {})

    def write(self, key: str, data: bytes, *, content_type: str, metadata: Mapping[str, str]) -> None:
        _call(
            lambda: self._client.put_object(
                Bucket=self._bucket, Key=key, Body=data, ContentType=content_type, Metadata=dict(metadata)
            )
        )

    def delete(self, key: str) -> None:
        _call(lambda: self._client.delete_object(Bucket=self._bucket, Key=key))

    def keys(self, prefix: str, *, limit: int) -> list[str]:
        answer = _call(
            lambda: self._client.list_objects_v2(Bucket=self._bucket, Prefix=prefix, MaxKeys=limit)
        )
        return [str(item["Key"]) for item in answer.get("Contents", [])]
