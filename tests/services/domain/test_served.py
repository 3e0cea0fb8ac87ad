"""The served-page check's decisions on literal data: which pages are fetched, what an
answer means. Pure."""

from __future__ import annotations

from datetime import timedelta

from services.domain.config import Config
from services.domain.models import Kind
from services.domain.pages.served import ServedResponse, due, judge, with_served
from services.domain.reconcile.desired import desired_page
from services.domain.roster import Roster
from tests.services.domain.test_reconcile import RENDERER, charter, in_sync, run

HOURS = 48


def test_only_the_charters_leaving_within_the_horizon_are_due(config: Config) -> None:
    soon = charter()
    later = charter(calendar_event_id="evtp", title="Paola — Sail", guest_name="Paola",
                    start=soon.start + timedelta(days=3), end=soon.end + timedelta(days=3))
    pages = [in_sync(config, soon)[1], in_sync(config, later, "paola-jun3")[1]]
    result = run(config, [soon, later], [], pages)
    now = soon.start - timedelta(hours=47)
    assert [w.event_id for w in due(result, now=now, hours=HOURS)] == ["danika-may31"]
    assert due(result, now=soon.start + timedelta(minutes=1), hours=HOURS) == []  # gone


def test_a_right_page_a_wrong_copy_and_a_cached_404(config: Config) -> None:
    c = charter()
    record, page = in_sync(config, c)
    result = run(config, [c], [record], [page])
    want = result.desired["danika-may31"]
    # The page as the calendar has it (the result keeps HTML only for pages to upload).
    html = RENDERER.render(desired_page(c, event_id="danika-may31",
                                        roster=Roster(config.roster), config=config))
    verdict, stale = judge(want, ServedResponse(200, html.encode(),
                                                {"x-cache": "Hit from cloudfront", "Age": "12"}))
    assert verdict.ok is True and stale is None
    assert verdict.detail == ("Guests are served the page as the calendar has it "
                              "(Age 12, X-Cache Hit from cloudfront).")
    verdict, stale = judge(want, ServedResponse(200, b"<html>old</html>",
                                                {"ETag": '"abc"', "Age": "3600"}))
    assert verdict.ok is False and stale is not None
    assert stale.kind == Kind.PAGE_SERVED_STALE and stale.actual["ETag"] == '"abc"'
    assert stale.actual["Last-Modified"] is None  # what the CDN did not say, as such
    _, missing = judge(want, ServedResponse(404, b"Not Found", {}))
    assert missing is not None and "HTTP 404" in missing.summary


def test_a_failed_fetch_is_a_note_and_keeps_the_result_complete(config: Config) -> None:
    c = charter()
    record, page = in_sync(config, c)
    result = run(config, [c], [record], [page])
    checked = with_served(result, {"danika-may31": "GET … failed (timed out)"},
                          now=c.start - timedelta(hours=1), hours=HOURS)
    assert checked.discrepancies == result.discrepancies
    assert checked.complete is True
    assert checked.notes[-1] == ("The served-page check could not fetch "
                                 "charters/guests/danika-may31.html: GET … failed (timed out)")
    assert checked.served["danika-may31"].ok is None
