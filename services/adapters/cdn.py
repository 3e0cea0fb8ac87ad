"""CloudFront adapter: the recent invalidations, and one batched invalidation per apply."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from common.errors import (
    ConflictError,
    MisnamedResourceError,
    RefusedWriteError,
    SourceUnavailableError,
)
from services.domain.models import Invalidation, path_for_key
from services.domain.reconcile.desired import page_key_problem


class Cdn:
    def __init__(self, *, cloudfront_client: Any, distribution_id: str,
                 write_client: Any | None = None, prefix: str | None = None) -> None:
        """``prefix``: the guest pages' (``pages.prefix``); no other path is invalidated."""
        self._cf = cloudfront_client
        self._prefix = prefix
        # CreateInvalidation goes through a client that never retries on its own: a retry
        # after a lost answer is decided by the change (it looks for its CallerReference
        # first), since not every CloudFront look-alike dedupes references as AWS does.
        self._writer = write_client or cloudfront_client
        self._distribution = distribution_id
        # An invalidation never changes once created: a long-running bot reads each once.
        self._known: dict[str, Invalidation] = {}

    def recent_invalidations(self, *, since: datetime) -> tuple[tuple[Invalidation, ...], bool]:
        """Invalidations created at or after ``since``, newest first; (them, complete)."""
        summaries: list[dict[str, Any]] = []
        try:
            marker = None
            while True:
                params = {"DistributionId": self._distribution, "MaxItems": "100"}
                if marker:
                    params["Marker"] = marker
                listing = self._cf.list_invalidations(**params)["InvalidationList"]
                items = listing.get("Items", [])
                recent = [i for i in items if i["CreateTime"] >= since]
                summaries += recent
                # Newest first: once a page reaches older ones, the rest are older too.
                if len(recent) < len(items) or not listing.get("IsTruncated"):
                    break
                marker = listing.get("NextMarker")
        except (ClientError, BotoCoreError) as error:
            self._refuse_misnamed(error)
            raise SourceUnavailableError(
                f"CloudFront distribution {self._distribution} could not be read: {error}"
            ) from error
        found = []
        try:
            for summary in summaries:
                if summary["Id"] not in self._known:
                    batch = self._cf.get_invalidation(DistributionId=self._distribution,
                                                      Id=summary["Id"])["Invalidation"]
                    paths = batch["InvalidationBatch"]["Paths"].get("Items", [])
                    self._known[summary["Id"]] = Invalidation(
                        summary["Id"], summary["CreateTime"], tuple(paths),
                        batch["InvalidationBatch"]["CallerReference"])
                found.append(self._known[summary["Id"]])
        except (ClientError, BotoCoreError):
            return tuple(found), False
        return tuple(found), True

    def verify(self) -> None:
        """Raises MisnamedResourceError when the distribution does not exist (one listing
        of one invalidation): for a change planned without reading the CDN's history, so
        that it is refused before its first write, not after its last."""
        try:
            self._cf.list_invalidations(DistributionId=self._distribution, MaxItems="1")
        except (ClientError, BotoCoreError) as error:
            self._refuse_misnamed(error)  # any other failure is the invalidation's business

    def _refuse_misnamed(self, error: Exception) -> None:
        if isinstance(error, ClientError) and \
                error.response.get("Error", {}).get("Code") == "NoSuchDistribution":
            raise MisnamedResourceError(
                f"CloudFront distribution {self._distribution} does not exist (check "
                "pages.distribution_id): nothing was written") from error

    def find_by_reference(self, caller_reference: str, *, since: datetime) -> str | None:
        """The id of an invalidation made with this reference since ``since``, if any.

        CloudFront itself treats a repeated reference as a no-op; asking first keeps a
        resumed change from depending on that (and on emulators that do not model it).
        """
        found, _ = self.recent_invalidations(since=since)
        return next((i.invalidation_id for i in found if i.caller_reference == caller_reference),
                    None)

    def invalidate(self, paths: Sequence[str], *, caller_reference: str) -> str:
        """One CreateInvalidation for every path; a retry with the same reference is a no-op."""
        items = sorted({path_for_key(p) for p in paths})
        if not items:
            return ""
        outside = [p for p in items if self._prefix is not None
                   and page_key_problem(p[1:], self._prefix)]
        if outside:
            # The last line of defence, as for the pages' uploads: nothing else is touched.
            raise RefusedWriteError(f"refused to invalidate {outside[0][:120]}: not a guest "
                                    f"page under pages.prefix {self._prefix}")
        try:
            answer = self._writer.create_invalidation(
                DistributionId=self._distribution,
                InvalidationBatch={"Paths": {"Quantity": len(items), "Items": items},
                                   "CallerReference": caller_reference})
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "InvalidationBatchAlreadyExists":
                raise ConflictError(f"CallerReference {caller_reference} was already used for "
                                    "other paths") from error
            raise SourceUnavailableError(f"CloudFront invalidation failed: {error}") from error
        except BotoCoreError as error:
            raise SourceUnavailableError(f"CloudFront invalidation failed: {error}") from error
        return str(answer["Invalidation"]["Id"])
