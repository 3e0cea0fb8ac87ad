"""The served-page check against the CDN emulator in front of moto's S3: what guests are
actually handed, for the charters leaving within ``pages.served_check_hours``."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.sandbox.sandbox import Sandbox
from bot.wiring import build_change_service, build_systems
from services.adapters.served import ServedPages
from services.domain.models import Kind
from services.domain.pages.rendering import PageRenderer
from services.reconciling import Systems, run_reconcile
from store.audit import AuditLog
from store.database import open_engine, session_factory
from tests.conftest import SEED_WINDOW

# Thursday Jun 4, 13:00 at the marina: Lindqvist (Fri 17:30) and Morales (Sat 09:00) leave
# within 48 hours; Paola (Jun 14) does not.
THURSDAY = datetime(2026, 6, 4, 20, 0, tzinfo=UTC)
LINDQVIST = "charters/guests/lindqvist-jun5.html"
MORALES = "charters/guests/morales-jun6.html"


def reconcile(box: Sandbox, systems: Systems | None = None):
    return run_reconcile(systems or build_systems(box.config, box.env), box.config,
                         window=SEED_WINDOW, now=THURSDAY, renderer=PageRenderer())


def served_stale(result) -> list:
    return [d for d in result.discrepancies if d.kind == Kind.PAGE_SERVED_STALE]


def test_one_get_per_page_in_the_horizon_and_none_beyond(seeded: Sandbox) -> None:
    assert seeded.cdn is not None
    result = reconcile(seeded)
    assert sorted(seeded.cdn.requests) == ["/" + LINDQVIST, "/" + MORALES]
    assert not served_stale(result)
    assert result.served["lindqvist-jun5"].ok is True
    assert "X-Cache Miss from cloudfront" in result.served["lindqvist-jun5"].detail
    assert "paola-jun14" not in result.served  # two weeks on: not fetched


def test_a_page_right_in_s3_but_stale_at_the_cdn_is_found_fixed_and_then_clean(
        seeded: Sandbox, tmp_path: Path) -> None:
    assert seeded.cdn is not None
    s3, bucket = seeded.client("s3"), seeded.config.pages.bucket
    right = s3.get_object(Bucket=bucket, Key=LINDQVIST)["Body"].read()
    # An edge caches a wrong copy; S3 then gets the right page back, not invalidated since.
    s3.put_object(Bucket=bucket, Key=LINDQVIST, Body=right.replace(b"Lindqvist", b"Lindkvist"),
                  ContentType="text/html; charset=utf-8")
    status, body, _ = seeded.cdn.get("/" + LINDQVIST)
    assert status == 200 and b"Lindkvist" in body
    s3.put_object(Bucket=bucket, Key=LINDQVIST, Body=right,
                  ContentType="text/html; charset=utf-8")

    result = reconcile(seeded)
    [stale] = served_stale(result)
    assert (stale.event_id, str(stale.system)) == ("lindqvist-jun5", "cdn")
    assert [a.to_dict() for a in stale.fix] == [{"action": "invalidate",
                                                 "target": "/" + LINDQVIST}]
    assert stale.actual["X-Cache"] == "Hit from cloudfront"
    assert set(stale.actual) >= {"Age", "X-Cache", "ETag", "Last-Modified"}
    # The inference (changed since the last invalidation) is settled by the fetch: one item.
    assert not [d for d in result.discrepancies
                if d.event_id == "lindqvist-jun5" and d.kind == Kind.CACHE_STALE]
    assert result.served["lindqvist-jun5"].ok is False
    assert not [d for d in result.discrepancies  # S3 has it right
                if d.event_id == "lindqvist-jun5" and d.kind == Kind.PAGE_STALE]

    systems = build_systems(seeded.config, seeded.env)
    audit = AuditLog(session_factory(open_engine(f"sqlite:///{tmp_path / 'audit.sqlite3'}")))
    report = build_change_service(systems, seeded.config, audit).apply_fixes(
        result, [stale.id], requested_by="test", source="cli")
    assert report.ok and report.invalidated_paths == ("/" + LINDQVIST,)

    seeded.cdn.requests.clear()
    again = reconcile(seeded)
    assert not served_stale(again)
    assert again.served["lindqvist-jun5"].ok is True
    assert sorted(seeded.cdn.requests) == ["/" + LINDQVIST, "/" + MORALES]
    _, body, headers = seeded.cdn.get("/" + LINDQVIST)
    assert body == right and headers["X-Cache"] == "Hit from cloudfront"


def test_a_page_stale_in_s3_is_not_fetched_nor_reported_twice(seeded: Sandbox) -> None:
    assert seeded.cdn is not None
    s3, bucket = seeded.client("s3"), seeded.config.pages.bucket
    s3.put_object(Bucket=bucket, Key=MORALES, Body=b"<html>old</html>",
                  ContentType="text/html; charset=utf-8")
    result = reconcile(seeded)
    kinds = sorted(str(d.kind) for d in result.discrepancies if d.event_id == "morales-jun6")
    assert kinds == ["PAGE_STALE"]
    assert seeded.cdn.requests == ["/" + LINDQVIST]
    assert result.served["morales-jun6"].ok is False
    assert "PAGE_STALE" in result.served["morales-jun6"].detail


def test_a_cdn_that_times_out_is_a_note_and_changes_no_exit_status(
        seeded: Sandbox, cli_sandbox: Sandbox, capsys: pytest.CaptureFixture[str]) -> None:
    assert seeded.cdn is not None
    systems = dataclasses.replace(build_systems(seeded.config, seeded.env),
                                  served=ServedPages(base_url=seeded.config.pages.base_url,
                                                     timeout=0.3))
    args = ["reconcile", "--json", "--from", "2026-05-25", "--to", "2026-06-24"]
    healthy = main(args, systems=systems, now=lambda: THURSDAY)
    healthy_out = json.loads(capsys.readouterr().out)
    seeded.cdn.stall = True
    assert main(args, systems=systems, now=lambda: THURSDAY) == healthy
    out = json.loads(capsys.readouterr().out)
    assert out["complete"] is healthy_out["complete"]
    assert out["discrepancies"] == healthy_out["discrepancies"]
    assert [n for n in out["notes"] if "could not fetch" in n] == [
        f"The served-page check could not fetch {key}: GET {seeded.config.pages.base_url}/"
        f"{key} failed (timed out)" for key in (LINDQVIST, MORALES)]
