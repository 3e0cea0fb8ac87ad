"""What the Slack surfaces ask for, as one façade over the services: handlers stay thin.

Every method returns Block Kit messages (services.blocks) or raises a
CharterOpsError whose text is fit to show the person who asked.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from services import blocks
from services.blocks import Message
from services.change_plan import ChangePlan, plan_swap, plan_time
from services.changes import ChangeService
from services.chat_parse import parse_chat
from services.checkup import Systems, run_reconcile
from services.config import Config
from services.display import show_value
from services.errors import InputError
from services.fixes import reached_line
from services.guest_page import PageRenderer
from services.models import ReconcileResult, Window
from services.reconcile import COMPARED_FIELDS
from services.resolve import resolve_event
from services.roster import Roster
from store.audit import AuditLog

GROUP_CACHE_SECONDS = 600  # a user group's members, read at most every ten minutes

HELP = """*/charter* — keep the calendar, DynamoDB and the guest pages in agreement
• `/charter status danika` — one charter as each system sees it
• `/charter swap june14 captain Gene` · `/charter swap danika Angelia Marco` — crew swap
• `/charter time danika 3pm-7pm` — new start and end, same day
• `/charter sync` — check everything now and post the digest
• `/charter audit [danika]` — recent changes
• `/charter help` — this"""


@dataclass
class Operations:
    systems: Systems
    config: Config
    audit: AuditLog
    changes: ChangeService
    window: Callable[[], Window]
    clock: Callable[[], datetime]
    # Members of a Slack user group, looked up through the Web API (set by the app).
    group_members: Callable[[str], set[str]] | None = None
    _group_cache: tuple[float, set[str]] | None = None

    def is_approver(self, user_id: str) -> bool:
        if user_id in self.config.slack.approvers:
            return True
        group = self.config.slack.approver_group
        if not group or self.group_members is None:
            return False
        now = time.monotonic()
        if self._group_cache is None or now - self._group_cache[0] > GROUP_CACHE_SECONDS:
            self._group_cache = (now, self.group_members(group))
        return user_id in self._group_cache[1]

    def reconcile(self) -> ReconcileResult:
        return run_reconcile(self.systems, self.config, window=self.window(), now=self.clock(),
                             renderer=PageRenderer())

    def help(self, not_understood: str | None = None) -> Message:
        text = HELP if not not_understood else f"I did not understand `{not_understood}`.\n\n{HELP}"
        return blocks.plain(text)

    def digest(self) -> list[Message]:
        return blocks.digest_messages(self.reconcile(), all_clear=self.config.slack.all_clear)

    def status(self, query: str) -> Message:
        if not query.strip():
            raise InputError("Which charter? For example `/charter status danika`.")
        result = self.reconcile()
        event_id = resolve_event(query, result.desired, today=self.window().start)
        want = result.desired[event_id]
        record = want.current_record
        fields = {}
        for name in (*COMPARED_FIELDS, "status"):
            cal = show_value(want.record.get(name))
            db = show_value(record.get(name)) if record else "(no record)"
            fields[name] = (cal, db, record is None or cal != db)
        url = f"{self.config.pages.base_url}/{want.page_key}"
        if want.deployed_page is None:
            page_line = f"Guest page: *not deployed* (expected at `{want.page_key}`)"
        elif want.deployed_page.content_md5 == want.page_md5:
            page_line = f"Guest page: <{url}|{want.page_key}> matches the calendar"
        else:
            page_line = f"Guest page: <{url}|{want.page_key}> is *stale*"
        changes = [f"{c.kind} {c.status} ({c.created_at.astimezone(self.config.tz):%b %-d %H:%M})"
                   for c in self.audit.recent(event_id=event_id, limit=3)]
        message_blocks = blocks.status_blocks(want, fields=fields, page_line=page_line,
                                              changes=changes)
        return {"text": f"Status of {event_id}", "blocks": message_blocks}

    def plan(self, kind: str, words: Sequence[str]) -> tuple[ChangePlan, Message]:
        result = self.reconcile()
        today = self.window().start
        if kind == "swap":
            if len(words) != 3:
                raise InputError("Write it as `/charter swap EVENT ROLE|OLD_PERSON NEW_PERSON`, "
                                 "e.g. `/charter swap danika mate Ana`.")
            plan = plan_swap(charters=result.desired, event=words[0], role_or_person=words[1],
                             new_person=words[2], config=self.config, today=today)
        else:
            if len(words) != 2:
                raise InputError("Write it as `/charter time EVENT START-END`, "
                                 "e.g. `/charter time danika 3pm-7pm`.")
            plan = plan_time(charters=result.desired, event=words[0], time_range=words[1],
                             config=self.config, today=today)
        value = json.dumps({"kind": kind, "words": list(words), "key": plan.idempotency_key()})
        text = (f"Planned: {plan.summary}\nThe calendar first, then DynamoDB, the guest page "
                "and CloudFront.")
        message = {"text": text, "blocks": [blocks.section(text), {
            "type": "actions", "block_id": "plan", "elements": [
                blocks.button("Confirm", "change_confirm", value, style="primary"),
                blocks.button("Cancel", "change_cancel", value)]}]}
        return plan, message

    def propose(self, text: str, *, user_id: str) -> Message | None:
        """A reply for a chat message that proposes a change; None for everything else."""
        roster = Roster(self.config.roster)
        author = next((m for m in roster.members if m.slack_id == user_id), None)
        result = self.reconcile()
        proposal = parse_chat(text, author=author, roster=roster, charters=result.desired,
                              today=self.window().start)
        if proposal is None:
            return None
        if author is None and not self.is_approver(user_id):
            return self.refuse(user_id=user_id, what=proposal.command, source="chat")
        _, message = self.plan(proposal.kind, list(proposal.words))
        text = f"<@{user_id}> proposes `{proposal.command}`. " + message["text"]
        buttons = message["blocks"][-1]
        for element in buttons["elements"]:
            element["text"]["text"] = "Approve" if element["action_id"] == "change_confirm" \
                else "Reject"
            element["value"] = json.dumps({**json.loads(element["value"]), "source": "chat"})
        self.audit.record_decision(discrepancy_id=proposal.command, decision="proposed",
                                   decided_by=user_id, source="chat")
        return {"text": text, "blocks": [blocks.section(text), buttons,
                                         blocks.context("An approver decides; nothing changes "
                                                        "until then.")]}

    def confirm(self, value: str, *, user_id: str) -> Message:
        request = json.loads(value)
        earlier = self.audit.find_by_key(request["key"])
        if earlier is not None:  # a second click: report the first, plan nothing new
            outcome = self.changes.outcome_of(earlier, repeated=True)
        else:
            plan, _ = self.plan(request["kind"], request["words"])
            outcome = self.changes.apply(plan, requested_by=user_id,
                                         source=request.get("source", "slash"),
                                         idempotency_key=request["key"])
        steps = ", ".join(f"{s.system} {s.status}" for s in outcome.steps)
        again = " (already done: this was a second click)" if outcome.repeated else ""
        error = f"\n{outcome.error}" if outcome.error else ""
        return blocks.plain(f"{outcome.summary}: *{outcome.status}*{again} — {steps}{error}")

    def approve(self, value: str, *, user_id: str) -> str:
        result = self.reconcile()
        ids = _ids(value, result)
        report = self.changes.apply_fixes(result, ids, requested_by=user_id, source="digest")
        for outcome in report.outcomes:
            self.audit.record_decision(discrepancy_id=outcome.discrepancy_id,
                                       decision="approved", decided_by=user_id, source="digest",
                                       note=outcome.status)
        if report.repeated:
            return "already approved by an earlier click: nothing done twice"
        applied = sum(o.status == "applied" for o in report.outcomes)
        gone = [o for o in report.outcomes if o.status == "gone"]
        text = f"{applied} of {len(report.outcomes)} applied"
        if gone:
            text += f"; {len(gone)} no longer held (changed or already fixed)"
        other = [o for o in report.outcomes if o.status not in ("applied", "gone")]
        if other:
            text += "; " + "; ".join(f"{o.status}: {o.message}" for o in other[:3])
        if other and report.reached:
            text += "\n" + reached_line(report.reached)  # what each system holds now
        return text

    def dismiss(self, value: str, *, user_id: str) -> str:
        request = json.loads(value)
        ids = request.get("ids") or [request.get("event", "")]
        for discrepancy_id in ids:
            self.audit.record_decision(discrepancy_id=discrepancy_id, decision="dismissed",
                                       decided_by=user_id, source="digest")
        return f"dismissed {len(ids)}"

    def refuse(self, *, user_id: str, what: str, source: str) -> Message:
        self.audit.record_decision(discrepancy_id=what, decision="refused", decided_by=user_id,
                                   source=source, note="not an approver")
        return blocks.plain("Sorry, only the approvers in app.yaml (slack.approvers) can do "
                            "that. Ask one of them.")

    def audit_log(self, query: str) -> Message:
        event = query.strip().lower() or None
        changes = self.audit.recent(event_id=event, limit=10)
        if event and not changes:
            changes = [c for c in self.audit.recent(limit=100)
                       if (c.event_id or "").startswith(event + "-")][:10]
        if not changes:
            return blocks.plain("No changes recorded" + (f" for {event}." if event else "."))
        tz = self.config.tz
        lines = [f"`{c.id}` {c.created_at.astimezone(tz):%b %-d %H:%M} *{c.kind}* "
                 f"{c.event_id or ''} — {c.status}, by <@{c.requested_by}> via {c.source}\n    "
                 f"{c.params.get('summary', '')}" for c in changes]
        return blocks.plain("\n".join(lines))


def _ids(value: str, result: ReconcileResult) -> list[str]:
    if value == "all":
        return [d.id for d in result.discrepancies if d.fix]
    request = json.loads(value)
    if request.get("ids") is not None:
        return list(request["ids"])
    return [d.id for d in result.discrepancies if d.event_id == request["event"] and d.fix]
