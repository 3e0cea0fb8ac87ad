"""Faults on the wire between boto3 and moto's server, as a real outage looks to botocore.

A ``before-send`` hook answers chosen requests with an HTTP error in the
service's own protocol, so botocore parses it, applies its retry rules and
raises the same ClientError it would raise against AWS. Requests not chosen
reach moto's server untouched. Pages can be made short (``Limit``,
``MaxKeys``) so that a small fixture has continuation pages to fail.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from botocore.awsrequest import AWSRequest, AWSResponse
from botocore.hooks import BaseEventHooks


class _Body:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._data


def dynamodb_error(code: str, message: str) -> tuple[int, dict[str, str], bytes]:
    body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}",
                       "message": message}).encode()
    return 400, {"Content-Type": "application/x-amz-json-1.0"}, body


def s3_error(code: str, message: str, *, status: int = 403) -> tuple[int, dict[str, str], bytes]:
    body = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code>'
            f"<Message>{message}</Message><RequestId>fault</RequestId></Error>").encode()
    return status, {"Content-Type": "application/xml"}, body


def cloudfront_error(code: str, message: str, *, status: int = 400
                     ) -> tuple[int, dict[str, str], bytes]:
    body = ('<?xml version="1.0"?><ErrorResponse xmlns="http://cloudfront.amazonaws.com/doc/'
            f'2020-05-31/"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}'
            "</Message></Error><RequestId>fault</RequestId></ErrorResponse>").encode()
    return status, {"Content-Type": "text/xml"}, body


def sesv2_error(code: str, message: str, *, status: int = 400
                ) -> tuple[int, dict[str, str], bytes]:
    """An SES v2 (REST-JSON) error: the code in x-amzn-ErrorType, as SES sends it."""
    body = json.dumps({"message": message}).encode()
    return status, {"Content-Type": "application/json", "x-amzn-ErrorType": code}, body


class AwsFaults:
    def __init__(self, events: BaseEventHooks) -> None:
        self._events = events  # a boto3 Session's: every client it builds after this
        self.failed: list[str] = []  # "service:Operation" of every request answered by a fault
        self.active = True  # False: every request goes through untouched again

    def clear(self) -> None:
        """The outage is over: pages have their usual size and nothing fails."""
        self.active = False

    def short_pages(self, service: str, operation: str, *, param: str, size: int) -> None:
        """Every ``operation`` asks for pages of ``size`` (``Limit``, ``MaxKeys``)."""
        def shorten(params: dict[str, Any], **_: Any) -> None:
            if self.active:
                params.setdefault(param, size)

        self._events.register(f"provide-client-params.{service}.{operation}", shorten)

    def fail(self, service: str, operation: str, *,
             answer: tuple[int, dict[str, str], bytes],
             when: Callable[[AWSRequest], bool] = lambda _: True,
             times: int | None = None) -> None:
        """Answer every ``operation`` request for which ``when`` holds with ``answer``
        (only the first ``times`` of them, when given). Registered first: under moto's
        in-process ``mock_aws``, whose own before-send hook answers every request, the
        fault is seen before it."""
        status, headers, body = answer

        def intercept(request: AWSRequest, **_: Any) -> AWSResponse | None:
            if not self.active or not when(request):
                return None
            if times is not None and self.failed.count(f"{service}:{operation}") >= times:
                return None
            self.failed.append(f"{service}:{operation}")
            return AWSResponse(request.url, status, headers, _Body(body))

        self._events.register_first(f"before-send.{service}.{operation}", intercept)


def is_continuation(request: AWSRequest) -> bool:
    """A request for a page after the first (DynamoDB Scan/Query, S3 ListObjectsV2)."""
    body = request.body or b""
    if isinstance(body, str):
        body = body.encode()
    return b"ExclusiveStartKey" in body or "continuation-token=" in request.url
