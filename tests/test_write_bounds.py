"""Nothing read from DynamoDB or the calendar steers a write outside its bounds: the seed's
weekend through the CLI, with a record whose pageKey points outside ``pages.prefix`` and an
event that carries another charter's private record link."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.sandbox.sandbox import Sandbox, write_config
from common.errors import RefusedWriteError
from services.adapters.cdn import Cdn
from services.adapters.pages import PageStore
from tests.aws_faults import AwsFaults, cloudfront_error, dynamodb_error, s3_error

WINDOW = ["--from", "2026-05-25", "--to", "2026-06-24"]
TABLE, BUCKET = "jada-charter-events", "sailjada-public"
CAL = "jada-internal@group.calendar.google.com"


def keys(sandbox: Sandbox) -> set[str]:
    listing = sandbox.client("s3").list_objects_v2(Bucket=BUCKET)
    return {o["Key"] for o in listing.get("Contents", [])}


def invalidated(sandbox: Sandbox) -> list[str]:
    cloudfront = sandbox.client("cloudfront")
    distribution = sandbox.config.pages.distribution_id
    items = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"].get(
        "Items", [])
    return [path for i in items for path in cloudfront.get_invalidation(
        DistributionId=distribution, Id=i["Id"])["Invalidation"]["InvalidationBatch"][
        "Paths"].get("Items", [])]


def record(sandbox: Sandbox, event_id: str) -> dict[str, Any]:
    return sandbox.client("dynamodb").get_item(TableName=TABLE,
                                               Key={"eventId": {"S": event_id}})["Item"]


@pytest.mark.parametrize("page_key", ["index.html", "charters/guests/../../site/x.html",
                                      "/charters/guests/paola-jun14.html",
                                      "https://evil.example/x.html", "other-site/paola.html"])
def test_a_record_pointing_outside_the_prefix_gets_no_write_and_says_why(
        cli_sandbox: Sandbox, aws_calls: Counter[str], capsys: pytest.CaptureFixture[str],
        page_key: str) -> None:
    # Paola's record has the wrong captain (Darrell; the calendar says Gene), and now a
    # pageKey that someone (another Lambda, a person) pointed outside the guest pages.
    s3 = cli_sandbox.client("s3")
    s3.put_object(Bucket=BUCKET, Key="index.html", Body=b"<h1>Sail Jada</h1>")
    cli_sandbox.client("dynamodb").update_item(
        TableName=TABLE, Key={"eventId": {"S": "paola-jun14"}},
        UpdateExpression="SET pageKey = :k", ExpressionAttributeValues={":k": {"S": page_key}})
    before = record(cli_sandbox, "paola-jun14")
    aws_calls.clear()

    assert main(["apply", "--all", *WINDOW]) == 0
    out = capsys.readouterr().out
    # The other charters' fixes are made; Paola's is left for a person, who is told why.
    assert "DynamoDB: 3 of 3 records written" in out
    assert "paola-jun14:pageKey:" in out and "needs a human" in out
    assert "is not an .html page under pages.prefix charters/guests/" in out
    assert record(cli_sandbox, "paola-jun14") == before
    assert s3.get_object(Bucket=BUCKET, Key="index.html")["Body"].read() == \
        b"<h1>Sail Jada</h1>"
    assert all(k.startswith("charters/guests/") for k in keys(cli_sandbox) - {"index.html"})
    assert aws_calls["PutObject"] == 3
    assert all(path.startswith("/charters/guests/") for path in invalidated(cli_sandbox))
    assert "/index.html" not in invalidated(cli_sandbox)

    # The kind is in reconcile's JSON, for a person, with no fix.

    assert main(["reconcile", "--json", *WINDOW]) == 2
    found = json.loads(capsys.readouterr().out)["discrepancies"]
    [refused] = [d for d in found if d["event_id"] == "paola-jun14"]
    assert refused["kind"] == "PAGE_KEY_UNSAFE" and refused["fix"] == []
    assert refused["actual"] == page_key


def test_a_swap_on_a_charter_whose_page_key_is_refused_writes_nothing(
        cli_sandbox: Sandbox, aws_calls: Counter[str], capsys: pytest.CaptureFixture[str]) -> None:
    cli_sandbox.client("dynamodb").update_item(
        TableName=TABLE, Key={"eventId": {"S": "paola-jun14"}},
        UpdateExpression="SET pageKey = :k", ExpressionAttributeValues={":k": {"S": "index.html"}})
    aws_calls.clear()
    assert main(["swap", "paola", "Ana", "Tess", *WINDOW]) == 1
    err = capsys.readouterr().err
    assert "pageKey" in err and "nothing was changed" in err
    assert not {"PutItem", "UpdateItem", "PutObject", "CreateInvalidation"} & set(aws_calls)


WRITES = ("PutItem", "UpdateItem", "PutObject", "CreateInvalidation")


@pytest.mark.parametrize("command", [["apply", "--all", *WINDOW],
                                     ["swap", "danika", "Ana", "Tess", *WINDOW]])
def test_a_misnamed_distribution_is_refused_before_any_write(
        cli_sandbox: Sandbox, aws_faults: AwsFaults, aws_calls: Counter[str],
        capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    pages = cli_sandbox.config.pages.model_copy(update={"distribution_id": "E2NOSUCHDIST0"})
    write_config(cli_sandbox.config.model_copy(update={"pages": pages}), Path("app.yaml"))
    # AWS answers a listing of a distribution that does not exist with NoSuchDistribution
    # (moto lists it as empty, and refuses only CreateInvalidation).
    aws_faults.fail("cloudfront", "ListInvalidations", answer=cloudfront_error(
        "NoSuchDistribution", "The specified distribution does not exist.", status=404))
    event = cli_sandbox.emulator.get_event(CAL, "evtdanika")
    aws_calls.clear()

    assert main(command) == 1
    err = capsys.readouterr().err
    assert "E2NOSUCHDIST0 does not exist" in err and "pages.distribution_id" in err
    assert not {name: aws_calls[name] for name in WRITES if aws_calls[name]}
    assert cli_sandbox.emulator.get_event(CAL, "evtdanika") == event
    assert record(cli_sandbox, "danika-may31")["mate"] == {"S": "Angelia"}


def squatter(box: Sandbox, *, link: str, calendar_id: str = "evtmallor0") -> None:
    """A copied event: Mallory's booking on Saturday, carrying another charter's link."""
    box.emulator.add_event(CAL, {
        "id": calendar_id, "summary": "Mallory — Sunset Sail", "location": "Dock B",
        "description": "Captain: Marco\nMate: Tess\nGuests: 2\nGuest: Mallory",
        "start": {"dateTime": "2026-05-30T16:00:00", "timeZone": "America/Los_Angeles"},
        "end": {"dateTime": "2026-05-30T18:00:00", "timeZone": "America/Los_Angeles"},
        "extendedProperties": {"private": {"eventId": link}}})


def test_an_event_squatting_a_legacy_records_link_is_a_conflict_and_nothing_is_written_to_it(
        cli_sandbox: Sandbox, aws_calls: Counter[str], capsys: pytest.CaptureFixture[str]) -> None:
    # Danika's record predates the link (no calendarEventId): the id rule gives it to her
    # event. Mallory's event, earlier in the window, carries its id as its private link.
    squatter(cli_sandbox, link="danika-may31")
    before = record(cli_sandbox, "danika-may31")
    aws_calls.clear()

    assert main(["apply", "--all", *WINDOW]) == 0
    out = capsys.readouterr().out
    assert "LINK_CONFLICT" not in out  # the id says which record, the line says why
    conflicts = [line for line in out.splitlines() if "danika-may31:eventId:" in line]
    assert len(conflicts) == 2 and all("needs a human" in line for line in conflicts)
    assert any("Mallory — Sunset Sail" in line and "carries the link to record danika-may31"
               in line for line in conflicts)
    # Quinn's and Jonathan's records are created and Paola's fixed; Danika's is untouched,
    # and neither Mallory nor Danika gets a record of its own under another id.
    assert "DynamoDB: 3 of 3 records written · S3: 2 of 2 pages uploaded" in out
    assert record(cli_sandbox, "danika-may31") == before
    items = cli_sandbox.client("dynamodb").scan(TableName=TABLE)["Items"]
    assert {i["eventId"]["S"] for i in items} == {
        "danika-may31", "paola-jun14", "morales-jun6", "lindqvist-jun5", "quinn-may30",
        "jonathan-may31"}
    assert not [k for k in keys(cli_sandbox) if "mallory" in k or "danika-may31" in k]

    assert main(["reconcile", "--json", *WINDOW]) == 2
    found = json.loads(capsys.readouterr().out)["discrepancies"]
    kinds = {(d["kind"], d["event_id"]) for d in found}
    assert kinds == {("LINK_CONFLICT", "danika-may31")}
    assert all(d["fix"] == [] for d in found)


@pytest.mark.parametrize("query, command", [
    ("danika", ["status"]), ("mallory", ["status"]), ("danika", ["swap", "danika", "mate", "Ana"]),
    ("danika", ["time", "danika", "3pm-7pm", "--dry-run"])])
def test_a_charter_held_by_a_link_conflict_is_said_to_be_held(
        cli_sandbox: Sandbox, query: str, command: list[str],
        capsys: pytest.CaptureFixture[str]) -> None:
    # Both claimants are held for a person: neither is "no charter", and nothing is written.
    squatter(cli_sandbox, link="danika-may31")
    before = record(cli_sandbox, "danika-may31")
    argv = [*command, *WINDOW] if len(command) > 1 else [*command, query, *WINDOW]
    assert main(argv) == 1
    assert record(cli_sandbox, "danika-may31") == before
    err = capsys.readouterr().err
    assert "No charter matches" not in err
    assert f"'{query}' names a charter held for a person" in err
    assert "carries the link to record danika-may31" in err


def test_an_event_carrying_a_linked_records_id_is_a_conflict_and_the_owner_is_fixed(
        cli_sandbox: Sandbox, aws_calls: Counter[str], capsys: pytest.CaptureFixture[str]) -> None:
    # Paola's record names its event (calendarEventId evtpaola); a copy carries its link.
    squatter(cli_sandbox, link="paola-jun14")
    aws_calls.clear()
    assert main(["apply", "--all", *WINDOW]) == 0
    out = capsys.readouterr().out
    [conflict] = [line for line in out.splitlines() if "paola-jun14:eventId:" in line]
    assert "needs a human" in conflict and "names calendar event evtpaola" in conflict
    # Paola's own fix (captain Gene) is made; no record is created for the copy.
    assert record(cli_sandbox, "paola-jun14")["captain"] == {"S": "Gene"}
    items = cli_sandbox.client("dynamodb").scan(TableName=TABLE)["Items"]
    assert not [i for i in items if "mallory" in i["eventId"]["S"]]
    assert not [k for k in keys(cli_sandbox) if "mallory" in k]


def test_one_charter_that_cannot_be_written_never_stops_the_others(
        cli_sandbox: Sandbox, aws_faults: AwsFaults, aws_calls: Counter[str],
        capsys: pytest.CaptureFixture[str]) -> None:
    # DynamoDB refuses Quinn's new record (as it refuses a key or an item too large), and
    # S3 refuses Jonathan's page; the other charters' writes are the seed's usual fixes.
    aws_faults.fail("dynamodb", "PutItem", when=lambda r: b"quinn-may30" in (r.body or b""),
                    answer=dynamodb_error("ValidationException",
                                          "One or more parameter values were invalid"))
    aws_faults.fail("s3", "PutObject", when=lambda r: "jonathan-may31" in r.url,
                    answer=s3_error("KeyTooLongError", "Your key is too long", status=400))
    aws_calls.clear()

    assert main(["apply", "--all", *WINDOW]) == 1
    out = capsys.readouterr().out
    assert "could not be read" not in out
    assert "DynamoDB: 3 of 4 records written" in out
    assert "S3: 2 of 3 pages uploaded" in out
    assert "CloudFront: invalidation sent for 2 of 3 paths" in out
    [quinn] = [line for line in out.splitlines() if "quinn-may30:record-missing" in line]
    assert quinn.split()[0] == "failed"
    assert "DynamoDB record quinn-may30 could not be written" in quinn
    assert "ValidationException" in quinn
    [jonathan] = [line for line in out.splitlines() if "jonathan-may31:page-missing" in line]
    assert "KeyTooLongError" in jonathan
    # Danika's record and page and Paola's record are all written and invalidated.
    assert record(cli_sandbox, "paola-jun14")["captain"] == {"S": "Gene"}
    assert record(cli_sandbox, "danika-may31")["startTime"] == {"S": "15:00"}
    assert "/charters/guests/danika-guest.html" in invalidated(cli_sandbox)
    assert "/charters/guests/jonathan-may31.html" not in invalidated(cli_sandbox)

    # The faults gone, the next apply finishes the two writes and the last invalidation.
    aws_faults.clear()
    assert main(["apply", "--all", *WINDOW]) == 0
    capsys.readouterr()
    assert record(cli_sandbox, "quinn-may30")["status"] == {"S": "CREW_ASSIGNED"}
    assert "/charters/guests/jonathan-may31.html" in invalidated(cli_sandbox)
    assert main(["reconcile", "--json", *WINDOW]) == 0
    assert json.loads(capsys.readouterr().out)["discrepancies"] == []


@pytest.mark.parametrize("key", ["index.html", "charters/guests/../index.html",
                                 "charters/guests/*", "charters/guests/" + "a" * 1020 + ".html"])
def test_the_adapters_refuse_a_key_outside_the_guest_pages_whatever_a_plan_says(
        seeded: Sandbox, aws_calls: Counter[str], key: str) -> None:
    pages = seeded.config.pages
    store = PageStore(s3_client=seeded.client("s3"), bucket=BUCKET, prefix=pages.prefix,
                      cache_ttl_seconds=pages.cache_ttl_seconds)
    cdn = Cdn(cloudfront_client=seeded.client("cloudfront"),
              distribution_id=pages.distribution_id, prefix=pages.prefix)
    aws_calls.clear()
    with pytest.raises(RefusedWriteError, match="refused"):
        store.upload(key, "<p>guest page</p>")
    with pytest.raises(RefusedWriteError, match="refused"):
        cdn.invalidate(["/charters/guests/ok.html", "/" + key], caller_reference="test")
    assert not aws_calls


def test_the_live_sync_writes_nothing_for_an_event_squatting_a_records_link(
        seeded: Sandbox, tmp_path: Path) -> None:
    # Every kind fixed alone: still nothing of the copy reaches Danika's record.
    from tests.services.test_live_sync import make_bot

    bot = make_bot(seeded, tmp_path, auto_fix=("RECORD_MISSING", "RECORD_MISMATCH",
                                               "PAGE_MISSING", "PAGE_STALE", "CACHE_STALE"))
    assert bot.live().check().read == "first"
    before = record(seeded, "danika-may31")
    squatter(seeded, link="danika-may31")
    report = bot.live().check()
    assert report.changed == 1
    assert record(seeded, "danika-may31") == before
    items = seeded.client("dynamodb").scan(TableName=TABLE)["Items"]
    assert not [i for i in items if "mallory" in i["eventId"]["S"]]
    assert not [k for k in keys(seeded) if "mallory" in k]
    assert any("another event claims the record" in note for note in report.notes)


def test_status_says_a_refused_page_key_is_refused(
        cli_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    cli_sandbox.client("dynamodb").update_item(
        TableName=TABLE, Key={"eventId": {"S": "paola-jun14"}},
        UpdateExpression="SET pageKey = :k", ExpressionAttributeValues={":k": {"S": "index.html"}})
    assert main(["status", "paola", *WINDOW]) == 0
    out = capsys.readouterr().out
    assert "guest page: refused: the record's pageKey is not one the bot may write" in out
    assert "calendar event itself must be fixed" not in out
