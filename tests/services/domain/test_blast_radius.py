"""What a change will touch and who already saw the old version, on literal data. Pure."""

from __future__ import annotations

from datetime import timedelta

from services.domain.change.blast_radius import (
    approval_note,
    change_preview,
    fix_preview_lines,
    fix_seen,
)
from services.domain.change.plan import plan_swap, plan_time
from services.domain.config import Config
from services.domain.models import ServedPage
from tests.services.domain.test_reconcile import WINDOW, charter, in_sync, run


def planned(config: Config, **record: object):
    c = charter()
    rec, page = in_sync(config, c, **record)
    result = run(config, [c], [rec], [page])
    return c, result


def test_a_time_change_names_the_guests_who_were_e_mailed_the_old_time(config: Config) -> None:
    c, result = planned(config, boardingEmailSentAt="2026-05-29T17:00:00Z", smsDispatched=True)
    plan = plan_time(charters=result.desired, event="danika", time_range="4pm-8pm",
                     config=config, today=WINDOW.start)
    preview = change_preview(plan=plan, want=result.desired["danika-may31"], config=config,
                             now=c.start - timedelta(days=2))
    assert preview.writes == (
        "Calendar: event evtdanika: start and end → 16:00–20:00",
        "DynamoDB: record danika-may31: startTime 15:00 → 16:00; endTime 19:00 → 20:00",
        "S3: re-render charters/guests/danika-may31.html and upload it if its bytes change",
        "CloudFront: invalidate /charters/guests/danika-may31.html")
    assert preview.seen[0] == ("12 guests were e-mailed 3–7 PM on Sunday; they will need the "
                               "new time.")
    assert preview.seen[1] == "The crew were texted 3–7 PM on Sunday; text them the new time."
    assert "may be cached at the CDN" in preview.seen[2]
    assert preview.risks[-1] == "Outside the freeze window: it departs in 2 days."


def test_a_swap_within_the_freeze_window_with_nothing_sent(config: Config) -> None:
    c, result = planned(config)
    plan = plan_swap(charters=result.desired, event="danika", role_or_person="mate",
                     new_person="Tess", config=config, today=WINDOW.start)
    served = ServedPage(True, "Guests are served the page as the calendar has it (Age 40).")
    preview = change_preview(plan=plan, want=result.desired["danika-may31"], config=config,
                             now=c.start - timedelta(minutes=90), served=served)
    assert preview.writes[1] == "DynamoDB: record danika-may31: mate Ana → Tess"
    assert preview.seen == ("The CDN serves the guest page now (Guests are served the page "
                            "as the calendar has it (Age 40)): guests who opened it saw Ana as "
                            "mate; the invalidation replaces it.",)
    assert preview.risks[-1] == ("Within the freeze window: it departs in 90 min "
                                 "(sync.freeze_hours is 2).")
    assert "nobody, as far as the records say" not in "\n".join(preview.lines())


def test_a_time_fix_names_who_was_told_the_records_old_time(config: Config) -> None:
    # The calendar moved Danika to 16:00–20:00; DynamoDB (which the e-mail and the texts
    # were sent from) still says 15:00–19:00.
    c = charter(start=charter().start + timedelta(hours=1),
                end=charter().end + timedelta(hours=1))
    rec, page = in_sync(config, c, boardingEmailSentAt="2026-05-29T17:00:00Z",
                        smsDispatched=True, startTime="15:00", endTime="19:00")
    result = run(config, [c], [rec], [page])
    chosen = [d for d in result.discrepancies if d.fix]
    assert {d.field for d in chosen} == {"startTime", "endTime"}
    seen = fix_seen(chosen, want=result.desired["danika-may31"], config=config)
    assert seen == ["12 guests were e-mailed 3–7 PM (what DynamoDB said); they will need "
                    "4–8 PM on Sunday.",
                    "The crew were texted 3–7 PM; text them 4–8 PM on Sunday."]
    lines = fix_preview_lines(chosen, result=result, config=config,
                              now=c.start - timedelta(days=2))
    assert f"  seen: {seen[0]}" in lines


def test_a_crew_fix_names_who_was_told_the_old_crew_and_nothing_sent_says_nothing(
        config: Config) -> None:
    c = charter()
    rec, page = in_sync(config, c, boardingEmailSentAt="2026-05-29T17:00:00Z", mate="Angelia")
    result = run(config, [c], [rec], [page])
    chosen = [d for d in result.discrepancies if d.fix]
    assert fix_seen(chosen, want=result.desired["danika-may31"], config=config) == [
        "12 guests were e-mailed naming Angelia as mate; once it is applied, the bot messages "
        "those on or off it who have a Slack id."]
    quiet, page = in_sync(config, c, mate="Angelia")
    result = run(config, [c], [quiet], [page])
    chosen = [d for d in result.discrepancies if d.fix]
    assert fix_seen(chosen, want=result.desired["danika-may31"], config=config) == []


def test_an_approval_note_names_the_freeze_window_and_is_empty_when_nothing_applies(
        config: Config) -> None:
    c = charter()
    quiet, page = in_sync(config, c, mate="Angelia")
    result = run(config, [c], [quiet], [page])
    chosen = [d for d in result.discrepancies if d.fix]
    want = result.desired["danika-may31"]
    assert approval_note(chosen, want=want, config=config,
                         now=c.start - timedelta(days=2)) == ""
    assert approval_note(chosen, want=want, config=config,
                         now=c.start - timedelta(minutes=90)) == (
        "It departs in 90 min: within the freeze window (sync.freeze_hours is 2).")
