"""Fault injection below botocore's retry logic: chosen DynamoDB requests answer with an AWS error,
or find DynamoDB unreachable (``UNREACHABLE``), instead of reaching DynamoDB Local, so retries,
backoff and error mapping run for real."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse
from botocore.compat import HTTPHeaders
from botocore.endpoint import Endpoint
from botocore.exceptions import EndpointConnectionError

__all__ = ["UNREACHABLE", "DynamoFaults", "inject_dynamodb_faults"]

# Not an AWS error code: the request never gets an answer (the connection is refused).
UNREACHABLE = "unreachable"


class _Body:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


class DynamoFaults:
    """Counts DynamoDB requests by operation and decides which ones fail."""

    def __init__(self, should_fail: Callable[[str, int], str | None]) -> None:
        # should_fail(operation, attempt_number_for_that_operation) -> error code or None
        self._should_fail = should_fail
        self._lock = threading.Lock()
        self.sent: dict[str, int] = {}
        self.failed: dict[str, int] = {}

    def answer(self, request: Any) -> AWSResponse | None:
        target = request.headers.get("X-Amz-Target", b"")
        operation = (target.decode() if isinstance(target, bytes) else target).rpartition(".")[2]
        with self._lock:
            attempt = self.sent.get(operation, 0) + 1
            self.sent[operation] = attempt
            code = self._should_fail(operation, attempt)
            if code is None:
                return None
            self.failed[operation] = self.failed.get(operation, 0) + 1
        if code == UNREACHABLE:
            raise EndpointConnectionError(endpoint_url=request.url)
        status = 500 if code == "InternalServerError" else 400
        body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": "injected fault"})
        headers = HTTPHeaders.from_dict(
            {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": "injected"}
        )
        return AWSResponse(request.url, status, headers, _Body(body.encode()))


@contextlib.contextmanager
def inject_dynamodb_faults(monkeypatch: pytest.MonkeyPatch, faults: DynamoFaults) -> Iterator[DynamoFaults]:
    # Endpoint._send is the last step before the network, below retries and error parsing.
    original = Endpoint._send  # type: ignore[attr-defined]

    def send(self: Endpoint, request: Any) -> Any:
        if getattr(self, "_endpoint_prefix", None) == "dynamodb":
            injected = faults.answer(request)
            if injected is not None:
                return injected
        return original(self, request)

    with monkeypatch.context() as patch:
        patch.setattr(Endpoint, "_send", send)
        yield faults
