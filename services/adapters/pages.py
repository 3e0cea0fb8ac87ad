"""S3 adapter for the guest pages: list without downloading, upload with the right headers.

Staleness is decided from the listing alone: a plain-MD5 ETag is the MD5 of
the bytes. Where it is not — a multipart upload (ETag with a '-') or a bucket
encrypting with SSE-KMS by default — just those objects get a HEAD, to read the
MD5 our own uploads store in the ``content-md5-hex`` metadata.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from common.errors import RefusedWriteError, SourceUnavailableError
from services.domain.models import DeployedPage
from services.domain.reconcile.desired import page_key_problem

MD5_METADATA = "content-md5-hex"
_PLAIN_MD5 = re.compile(r"[0-9a-f]{32}")


class PageStore:
    def __init__(self, *, s3_client: Any, bucket: str, prefix: str,
                 cache_ttl_seconds: int) -> None:
        self._s3 = s3_client
        self._bucket = bucket
        self._prefix = prefix
        self._ttl = cache_ttl_seconds

    def snapshot(self) -> tuple[dict[str, DeployedPage], bool, tuple[str, ...]]:
        """(pages by key, complete, notes). Raises only when nothing could be read."""
        notes: list[str] = []
        # (key, etag, last modified) of each page: botocore's dict for every object of a
        # 50,000-page listing, held until the end, would cost as much as the pages again.
        listed: list[tuple[str, str, datetime]] = []
        complete = True
        try:
            for page in self._s3.get_paginator("list_objects_v2").paginate(
                    Bucket=self._bucket, Prefix=self._prefix):
                listed.extend((o["Key"], o["ETag"].strip('"'), _utc(o["LastModified"]))
                              for o in page.get("Contents", []) if o["Key"].endswith(".html"))
        except (ClientError, BotoCoreError) as error:
            if not listed:
                raise SourceUnavailableError(self._describe(error)) from error
            complete = False
            notes.append(f"S3 listing of {self._bucket} stopped part way: {error}")
        kms = self._bucket_uses_kms(notes) if listed else False
        pages = {}
        for key, etag, last_modified in listed:
            md5 = etag if _PLAIN_MD5.fullmatch(etag) and not kms else self._stored_md5(key)
            pages[key] = DeployedPage(key=key, etag=etag, content_md5=md5,
                                      last_modified=last_modified)
        return pages, complete, tuple(notes)

    def upload(self, key: str, html: str) -> DeployedPage:
        self.refuse_outside(key)
        body = html.encode("utf-8")
        digest = hashlib.md5(body, usedforsecurity=False)
        try:
            answer = self._s3.put_object(
                Bucket=self._bucket, Key=key, Body=body,
                ContentType="text/html; charset=utf-8",
                CacheControl=f"public, max-age=300, s-maxage={self._ttl}",
                ContentMD5=base64.b64encode(digest.digest()).decode("ascii"),
                Metadata={MD5_METADATA: digest.hexdigest()},
            )
        except (ClientError, BotoCoreError) as error:
            raise SourceUnavailableError(f"upload of {key} failed: {error}") from error
        # PutObject returns no LastModified; now is within a second of S3's own clock
        # and the caller only needs it to make the invalidation's CallerReference.
        return DeployedPage(key=key, etag=answer["ETag"].strip('"'),
                            content_md5=digest.hexdigest(), last_modified=datetime.now(UTC))

    def current_md5(self, key: str) -> str | None:
        """The MD5 of one deployed page (a HEAD), None when there is no such page."""
        try:
            head = self._s3.head_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return None
            raise SourceUnavailableError(self._describe(error)) from error
        except BotoCoreError as error:
            raise SourceUnavailableError(self._describe(error)) from error
        etag = str(head.get("ETag", "")).strip('"')
        stored = head.get("Metadata", {}).get(MD5_METADATA)
        return stored or (etag if _PLAIN_MD5.fullmatch(etag) else None)

    def head_many(self, keys: Iterable[str]) -> dict[str, DeployedPage]:
        """The deployed pages among ``keys``, one HEAD each: a few charters' pages without
        listing the bucket."""
        pages = {}
        for key in dict.fromkeys(keys):
            try:
                head = self._s3.head_object(Bucket=self._bucket, Key=key)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404",
                                                                   "NotFound"):
                    continue
                raise SourceUnavailableError(self._describe(error)) from error
            except BotoCoreError as error:
                raise SourceUnavailableError(self._describe(error)) from error
            etag = str(head.get("ETag", "")).strip('"')
            stored = head.get("Metadata", {}).get(MD5_METADATA)
            pages[key] = DeployedPage(key=key, etag=etag, last_modified=_utc(head["LastModified"]),
                                      content_md5=stored or (etag if _PLAIN_MD5.fullmatch(etag)
                                                             else None))
        return pages

    def fetch(self, key: str) -> str | None:
        try:
            answer = self._s3.get_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise SourceUnavailableError(self._describe(error)) from error
        except BotoCoreError as error:
            raise SourceUnavailableError(self._describe(error)) from error
        return bytes(answer["Body"].read()).decode("utf-8", errors="replace")

    def refuse_outside(self, key: str) -> None:
        """The last line of defence: no key outside the guest pages is ever written,
        whatever a plan (or a record it was made from) says."""
        problem = page_key_problem(key, self._prefix)
        if problem:
            raise RefusedWriteError(f"refused to write {key[:120]} to S3 bucket "
                                    f"{self._bucket}: {problem}")

    def _bucket_uses_kms(self, notes: list[str]) -> bool:
        try:
            rules = self._s3.get_bucket_encryption(Bucket=self._bucket)[
                "ServerSideEncryptionConfiguration"]["Rules"]
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code != "ServerSideEncryptionConfigurationNotFoundError":
                notes.append(f"could not read the bucket's encryption ({code}); "
                             "ETags taken as MD5s")
            return False
        except BotoCoreError:
            notes.append("could not read the bucket's encryption; ETags taken as MD5s")
            return False
        return any(r.get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm", "")
                   .startswith("aws:kms") for r in rules)

    def _stored_md5(self, key: str) -> str | None:
        try:
            head = self._s3.head_object(Bucket=self._bucket, Key=key)
        except (ClientError, BotoCoreError):
            return None  # unknown content counts as stale: re-uploading is harmless
        return head.get("Metadata", {}).get(MD5_METADATA)

    def _describe(self, error: Exception) -> str:
        if isinstance(error, ClientError) and error.response.get("Error", {}).get("Code") == \
                "NoSuchBucket":
            return f"S3 bucket {self._bucket} does not exist (check pages.bucket)"
        return f"S3 bucket {self._bucket} could not be read: {error}"


def _utc(moment: datetime) -> datetime:
    """S3's time in UTC. botocore gives each one a tzinfo object of its own where the
    machine's zone is UTC (dateutil's tzlocal): some 400 bytes a page, 50,000 times."""
    return moment.astimezone(UTC)
