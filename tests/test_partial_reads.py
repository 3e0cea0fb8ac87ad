"""A source read only in part plans no write from the part not read: the seed's weekend
through the CLI, with faults on the wire between boto3 and moto's server.

Danika's legacy record points to ``danika-guest.html``. When the Scan page holding it
fails, the bot must not guess ``danika-may31.html`` and upload a stray page there.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest

from bot.cli import main
from bot.sandbox.sandbox import Sandbox
from tests.aws_faults import (
    AwsFaults,
    cloudfront_error,
    dynamodb_error,
    is_continuation,
    s3_error,
)

WINDOW = ["--from", "2026-05-25", "--to", "2026-06-24"]
TABLE, BUCKET = "jada-charter-events", "sailjada-public"
WRITES = ("PutItem", "UpdateItem", "PutObject", "CreateInvalidation")


def reconcile(capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any], str]:
    code = main(["reconcile", "--json", *WINDOW])
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


def withheld(report: dict[str, Any]) -> dict[str, set[str]]:
    return {w["event_id"]: set(w["kinds"]) for w in report["withheld"]}


def writes(calls: Counter[str]) -> dict[str, int]:
    return {name: calls[name] for name in WRITES if calls[name]}


def keys(sandbox: Sandbox) -> set[str]:
    listing = sandbox.client("s3").list_objects_v2(Bucket=BUCKET)
    return {o["Key"] for o in listing.get("Contents", [])}


def test_a_failed_scan_continuation_plans_nothing_from_the_records_not_read(
        cli_sandbox: Sandbox, aws_faults: AwsFaults, aws_calls: Counter[str],
        capsys: pytest.CaptureFixture[str]) -> None:
    # Last month's charters, as any operator's table holds: moto scans in key order, so
    # with two-item pages the first page holds only these and the page that fails holds
    # every record of the window, Danika's legacy one (danika-guest.html) among them.
    dynamodb = cli_sandbox.client("dynamodb")
    for event_id in ("abe-apr25", "ada-apr26"):
        dynamodb.put_item(TableName=TABLE, Item={
            "eventId": {"S": event_id}, "eventDate": {"S": "2026-04-" + event_id[-2:]},
            "status": {"S": "CREW_ASSIGNED"}})
    first_page = dynamodb.scan(TableName=TABLE, Limit=2)["Items"]
    assert {i["eventId"]["S"] for i in first_page} == {"abe-apr25", "ada-apr26"}

    aws_faults.short_pages("dynamodb", "Scan", param="Limit", size=2)
    aws_faults.fail("dynamodb", "Scan", when=is_continuation, answer=dynamodb_error(
        "AccessDeniedException", "User is not authorized to perform: dynamodb:Scan"))
    aws_calls.clear()

    code, report, err = reconcile(capsys)
    assert aws_faults.failed == ["dynamodb:Scan"]
    assert report["complete"] is False
    assert any("AccessDeniedException" in note for note in report["notes"])
    # No record of the window was read: nothing is planned for any charter (no guessed
    # page key, no record "missing") ...
    assert report["discrepancies"] == []
    # ... and each is named instead: its record, page key and page are unknown.
    unread = {"RECORD_MISSING", "RECORD_MISMATCH", "PAGE_MISSING", "PAGE_STALE", "CACHE_STALE"}
    assert withheld(report) == {event_id: unread for event_id in (
        "quinn-may30", "jonathan-may31", "danika-may31", "lindqvist-jun5", "morales-jun6",
        "paola-jun14")}
    # Nothing found in part of the table is not "in sync".
    assert code == 1
    assert "a source was read only in part (6 checks withheld)" in err

    assert main(["reconcile", *WINDOW]) == 1
    text = capsys.readouterr().out
    assert "nothing found in what could be read" in text
    assert "danika-may31: RECORD_MISSING, RECORD_MISMATCH, PAGE_MISSING" in text

    aws_calls.clear()
    assert main(["apply", "--all", *WINDOW]) == 1
    captured = capsys.readouterr()
    assert "Nothing to apply from what could be read." in captured.out
    assert writes(aws_calls) == {}
    aws_faults.clear()
    assert not keys(cli_sandbox) & {"charters/guests/danika-may31.html",
                                    "charters/guests/quinn-may30.html"}

    # Once the Scan reads everything, Danika's page is fixed where it really is.
    assert main(["apply", "--all", *WINDOW]) == 0
    capsys.readouterr()
    assert "charters/guests/danika-may31.html" not in keys(cli_sandbox)
    code, report, _ = reconcile(capsys)
    assert (code, report["complete"], report["discrepancies"], report["withheld"]) == (
        0, True, [], [])


def test_a_failed_listing_continuation_uploads_no_page_it_did_not_see(
        cli_sandbox: Sandbox, aws_faults: AwsFaults, aws_calls: Counter[str],
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["apply", "--all", *WINDOW]) == 0  # all six charters in sync, six pages
    capsys.readouterr()
    aws_faults.short_pages("s3", "ListObjectsV2", param="MaxKeys", size=2)
    aws_faults.fail("s3", "ListObjectsV2", when=is_continuation,
                    answer=s3_error("AccessDenied", "Access Denied"))
    aws_calls.clear()

    code, report, err = reconcile(capsys)
    assert aws_faults.failed == ["s3:ListObjectsV2"]
    assert report["complete"] is False
    assert any("S3 listing" in note and "AccessDenied" in note for note in report["notes"])
    # The listing read danika-guest.html and jonathan-may31.html; the rest went unseen.
    assert report["discrepancies"] == []
    assert withheld(report) == {event_id: {"PAGE_MISSING"} for event_id in (
        "quinn-may30", "lindqvist-jun5", "morales-jun6", "paola-jun14")}
    quinn = next(w for w in report["withheld"] if w["event_id"] == "quinn-may30")
    assert "charters/guests/quinn-may30.html was not in the part of the S3 listing" in \
        quinn["reason"]
    assert (code, "1 check" not in err) == (1, True)

    aws_calls.clear()
    assert main(["apply", "--all", *WINDOW]) == 1
    capsys.readouterr()
    assert writes(aws_calls) == {}


def test_unreadable_invalidations_withhold_cache_checks_and_nothing_else(
        cli_sandbox: Sandbox, aws_faults: AwsFaults, aws_calls: Counter[str],
        capsys: pytest.CaptureFixture[str]) -> None:
    # The operator's pages were uploaded and invalidated by hand minutes ago: within the
    # TTL, whether CloudFront serves them fresh depends on invalidations not read.
    aws_faults.fail("cloudfront", "GetInvalidation",
                    answer=cloudfront_error("AccessDenied", "Access denied", status=403))
    code, report, _ = reconcile(capsys)
    assert (code, report["complete"]) == (2, False)
    assert withheld(report) == {event_id: {"CACHE_STALE"} for event_id in (
        "lindqvist-jun5", "morales-jun6", "paola-jun14")}
    found = {(d["kind"], d["event_id"]) for d in report["discrepancies"]}
    assert ("PAGE_STALE", "danika-may31") in found  # read in full: still planned
    assert not any(kind == "CACHE_STALE" for kind, _ in found)

    aws_calls.clear()
    assert main(["apply", "--all", *WINDOW]) == 1
    capsys.readouterr()
    aws_faults.clear()
    cloudfront = cli_sandbox.client("cloudfront")
    distribution = cli_sandbox.config.pages.distribution_id
    listing = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]
    batches = [cloudfront.get_invalidation(DistributionId=distribution, Id=item["Id"])[
        "Invalidation"]["InvalidationBatch"] for item in listing["Items"]]
    [ours] = [b for b in batches if b["CallerReference"].startswith("charter-ops-change-")]
    assert sorted(ours["Paths"]["Items"]) == ["/charters/guests/danika-guest.html",
                              "/charters/guests/jonathan-may31.html",
                              "/charters/guests/quinn-may30.html"]


def test_an_unreadable_invalidation_list_is_a_partial_read_not_a_failed_run(
        cli_sandbox: Sandbox, aws_faults: AwsFaults,
        capsys: pytest.CaptureFixture[str]) -> None:
    aws_faults.fail("cloudfront", "ListInvalidations",
                    answer=cloudfront_error("AccessDenied", "Access denied", status=403))
    code, report, _ = reconcile(capsys)
    assert (code, report["complete"]) == (2, False)
    assert any("CloudFront distribution" in note for note in report["notes"])
    assert set(withheld(report)) == {"lindqvist-jun5", "morales-jun6", "paola-jun14"}
    assert len(report["discrepancies"]) == 9  # the seed's drift, all of it read
