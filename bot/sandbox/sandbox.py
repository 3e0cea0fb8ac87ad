"""The embedded sandbox: moto's server (DynamoDB, S3, CloudFront) and the calendar emulator,
both on loopback in this process, with the resources of app.yaml created in them.

Used by the demo, the integration tests and the benchmarks. Nothing here can
reach the real AWS or Google: every endpoint is 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import yaml
from boto3.dynamodb.types import TypeSerializer
from moto.server import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    ThreadedMotoServer,
    create_backend_app,
)
from werkzeug.serving import make_server

from bot.environment import Environment
from bot.sandbox.calendar_emulator import CalendarEmulator
from bot.sandbox.cdn_emulator import CdnEmulator, running_cdn
from bot.sandbox.loopback import POLL_SECONDS
from bot.sandbox.scenario import Scenario
from services.domain.config import Config
from services.domain.pages.rendering import PageRenderer

# moto accepts any credentials; these make sure no real ones are ever sent.
SANDBOX_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "sandbox",
    "AWS_SECRET_ACCESS_KEY": "sandbox",
    "AWS_SESSION_TOKEN": "sandbox",
    "AWS_DEFAULT_REGION": "us-west-2",
}


@dataclass(frozen=True)
class AwsRequest:
    """One request moto's server received: the service and what was asked."""

    service: str  # dynamodb | s3 | cloudfront | ...
    operation: str  # DynamoDB's target ('GetItem'), else the HTTP method and path
    size: int = 0  # bytes of the answer


@dataclass
class Sandbox:
    config: Config
    env: Environment
    emulator: CalendarEmulator
    aws_endpoint: str
    # Every request moto's server received, in order: what the bot really cost.
    aws_requests: list[AwsRequest] = field(default_factory=list)
    # The CDN in front of the bucket that pages.base_url points at (what guests get).
    cdn: CdnEmulator | None = None

    def client(self, service: str) -> Any:
        return boto3.client(service, region_name=self.config.dynamodb.region,
                            endpoint_url=self.aws_endpoint)

    def reads(self) -> dict[str, int]:
        """Requests received so far by the calendar emulator, DynamoDB, S3 and CloudFront."""
        counts = {"calendar": sum(1 for _, path in self.emulator.requests
                                  if path.startswith("/calendar/")),
                  "dynamodb": 0, "s3": 0, "cloudfront": 0}
        for request in self.aws_requests:
            if request.service in counts:
                counts[request.service] += 1
        return counts

    def read_bytes(self) -> dict[str, int]:
        """Bytes the same systems answered with: what a read cost beyond its count."""
        sizes = {"calendar": self.emulator.bytes_sent, "dynamodb": 0, "s3": 0,
                 "cloudfront": 0}
        for request in self.aws_requests:
            if request.service in sizes:
                sizes[request.service] += request.size
        return sizes

    def reset_requests(self) -> None:
        self.emulator.reset_requests()
        self.aws_requests.clear()


class _CountingMotoServer(ThreadedMotoServer):
    """moto's threaded server, recording each request it receives before answering it."""

    def __init__(self, requests: list[AwsRequest]) -> None:
        super().__init__(ip_address="127.0.0.1", port=0, verbose=False)
        self._requests = requests

    def _server_entry(self) -> None:
        app = DomainDispatcherApplication(create_backend_app)

        def counted(environ: dict[str, Any], start_response: Any) -> Any:
            request = _aws_request(environ)
            answer = b"".join(app(environ, start_response))
            self._requests.append(AwsRequest(request.service, request.operation, len(answer)))
            return [answer]

        self._server = make_server(self._ip_address, self._port, counted, True,
                                   request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever(poll_interval=POLL_SECONDS)


def _aws_request(environ: dict[str, Any]) -> AwsRequest:
    # SigV4: Credential=KEY/DATE/REGION/SERVICE/aws4_request names the service.
    scope = re.search(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/",
                      environ.get("HTTP_AUTHORIZATION", ""))
    service = scope[1] if scope else "moto-api"
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    operation = target.split(".")[-1] if target else \
        f"{environ.get('REQUEST_METHOD')} {environ.get('PATH_INFO')}"
    return AwsRequest(service, operation)


@contextmanager
def sandbox_aws_credentials() -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in SANDBOX_AWS_ENV}
    os.environ.update(SANDBOX_AWS_ENV)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def running_sandbox(config: Config, *, aws_endpoint: str | None = None) -> Iterator[Sandbox]:
    """Start both servers, create the table, bucket and distribution, yield, stop.
    ``aws_endpoint``: a moto server already running (a benchmark's, in a process of its
    own so that its work and the emulator's do not share one interpreter lock), used as
    it is; its requests are not recorded in ``aws_requests``."""
    # moto's server logs every request through werkzeug: noise in the demo's output.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    requests: list[AwsRequest] = []
    moto = _CountingMotoServer(requests)
    with sandbox_aws_credentials():
        if aws_endpoint is None:
            moto.start()
        try:
            endpoint = aws_endpoint or "http://{}:{}".format(*moto.get_host_and_port())
            # moto keeps its state per process, not per server: start from empty.
            urllib.request.urlopen(urllib.request.Request(
                f"{endpoint}/moto-api/reset", method="POST"), timeout=10).close()
            with CalendarEmulator() as emulator:
                box = _prepare(config, emulator, endpoint)
                box.aws_requests = requests
                pages = box.config.pages
                with running_cdn(s3=box.client("s3"), cloudfront=box.client("cloudfront"),
                                 bucket=pages.bucket, distribution_id=pages.distribution_id,
                                 ttl=pages.cache_ttl_seconds) as cdn:
                    box.cdn = cdn
                    box.config = _behind_cdn(box.config, cdn.base_url)
                    yield box
        finally:
            if aws_endpoint is None:
                moto.stop()


def _prepare(config: Config, emulator: CalendarEmulator, endpoint: str) -> Sandbox:
    region = config.dynamodb.region
    aws = {name: boto3.client(name, region_name=region, endpoint_url=endpoint)
           for name in ("dynamodb", "s3", "cloudfront")}
    aws["dynamodb"].create_table(
        TableName=config.dynamodb.table,
        KeySchema=[{"AttributeName": "eventId", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "eventId", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    aws["s3"].create_bucket(Bucket=config.pages.bucket,
                            CreateBucketConfiguration={"LocationConstraint": region})
    distribution = aws["cloudfront"].create_distribution(DistributionConfig={
        "CallerReference": "sandbox",
        "Comment": "guest pages (sandbox)",
        "Enabled": True,
        "Origins": {"Quantity": 1, "Items": [{
            "Id": "pages", "DomainName": f"{config.pages.bucket}.s3.amazonaws.com",
            "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "pages", "ViewerProtocolPolicy": "allow-all",
                                 "MinTTL": 0, "ForwardedValues": {"QueryString": False,
                                                                  "Cookies": {"Forward": "none"}}},
    })["Distribution"]["Id"]
    for boat in config.boats:
        emulator.add_calendar(boat.calendar_id)  # empty until a scenario is installed
    # Each boat's feed is its own calendar's, on the emulator.
    calendars = {"calendars": tuple(b.model_copy(
        update={"ical_url": emulator.ical_url(b.id)}) for b in config.calendars)} \
        if config.calendars else {"calendar": config.calendar.model_copy(
            update={"ical_url": emulator.ical_url(config.boats[0].calendar_id)})}
    sandboxed = config.model_copy(update={
        **calendars,
        "pages": config.pages.model_copy(update={"distribution_id": distribution}),
    })
    env = Environment(
        aws_endpoint_url=endpoint,
        google_calendar_api_endpoint=emulator.api_endpoint,
        google_oauth_client_id="sandbox-client",
        google_oauth_client_secret="sandbox-secret",
        google_oauth_refresh_token="sandbox-refresh",
        google_oauth_token_uri=emulator.token_uri,
    )
    return Sandbox(config=sandboxed, env=env, emulator=emulator, aws_endpoint=endpoint)


def _behind_cdn(config: Config, base_url: str) -> Config:
    """Guests' links lead to the CDN emulator; the photo form keeps its address, so the
    pages read as they would in production."""
    pages = config.pages
    photos = pages.photo_upload_url or f"{pages.base_url}/charters/photos"
    return config.model_copy(update={"pages": pages.model_copy(
        update={"base_url": base_url, "photo_upload_url": photos})})


def install(sandbox: Sandbox, scenario: Scenario) -> None:
    """Put the scenario into the calendar, the table and the bucket, as people left it."""
    config = sandbox.config
    for event in scenario.events:
        sandbox.emulator.add_event(config.boats[0].calendar_id, event)
    dynamodb = sandbox.client("dynamodb")
    serializer = TypeSerializer()
    for item in scenario.records:
        dynamodb.put_item(TableName=config.dynamodb.table,
                          Item={k: serializer.serialize(v) for k, v in item.items()})
    _upload_by_hand(sandbox, {key: PageRenderer().render(p) for key, p in scenario.pages.items()})


def _upload_by_hand(sandbox: Sandbox, pages: Mapping[str, str]) -> None:
    """As the operator did that night: s3 sync, then one invalidation of those paths."""
    s3 = sandbox.client("s3")
    for key, html in pages.items():
        s3.put_object(Bucket=sandbox.config.pages.bucket, Key=key, Body=html.encode(),
                      ContentType="text/html; charset=utf-8")
    if pages:
        paths = sorted("/" + key for key in pages)
        sandbox.client("cloudfront").create_invalidation(
            DistributionId=sandbox.config.pages.distribution_id,
            InvalidationBatch={"Paths": {"Quantity": len(paths), "Items": paths},
                               "CallerReference": "by-hand-" + hashlib.sha256(
                                   "".join(paths).encode()).hexdigest()[:16]})


def sandbox_environ(sandbox: Sandbox) -> dict[str, str]:
    """The environment variables a separate ``python -m bot`` needs to use this sandbox."""
    env = sandbox.env
    values = {
        "AWS_ENDPOINT_URL": env.aws_endpoint_url,
        "GOOGLE_CALENDAR_API_ENDPOINT": env.google_calendar_api_endpoint,
        "GOOGLE_OAUTH_CLIENT_ID": env.google_oauth_client_id,
        "GOOGLE_OAUTH_CLIENT_SECRET": env.google_oauth_client_secret,
        "GOOGLE_OAUTH_REFRESH_TOKEN": env.google_oauth_refresh_token,
        "GOOGLE_OAUTH_TOKEN_URI": env.google_oauth_token_uri,
        **SANDBOX_AWS_ENV,
    }
    return {k: v for k, v in values.items() if v}


def write_config(config: Config, path: str | os.PathLike[str]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        yaml.safe_dump(config.model_dump(mode="json"), handle, sort_keys=False)
