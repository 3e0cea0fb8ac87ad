"""What the Slack surfaces ask for, as one façade over the services: handlers stay thin.

Every method returns Block Kit messages (handlers.views.blocks) or raises a
CharterOpsError whose text is fit to show the person who asked.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from common.errors import InputError
from handlers.views import blocks
from handlers.views import readiness as readiness_blocks
from handlers.views.blocks import Message
from services import audit_view, chat, digest_decisions, nudges, readiness
from services.deps import Deps
from services.domain.change.blast_radius import Preview, approval_notes, change_preview
from services.domain.change.plan import ChangePlan, plan_swap, plan_time
from services.domain.change.resolve import resolve_charter
from services.domain.chat.parse import Proposal
from services.domain.display import mrkdwn_text, show_value
from services.domain.models import ReconcileResult
from services.domain.reconcile.engine import COMPARED_FIELDS
from services.domain.roster import Roster
from services.domain.sync_health import stale_line

HELP = """*/charter* — keep the calendar, DynamoDB and the guest pages in agreement
• `/charter status danika` — one charter as each system sees it
• `/charter swap june14 captain Gene` · `/charter swap danika Angelia Marco` — crew swap
• `/charter time danika 3pm-7pm` — new start and end, same day
• `/charter ready [2026-05-31]` — is each departure today and tomorrow ready?
• `/charter sync` — check everything now and post the digest
• `/charter audit [danika] [by Gene]` — changes, decisions and refusals
• `/charter help` — this"""


class Operations(Deps):
    """What is left of the Slack-shaped façade while its actions move to use cases."""

    def help(self, not_understood: str | None = None) -> Message:
        text = HELP if not not_understood else \
            f"I did not understand `{mrkdwn_text(not_understood)}`.\n\n{HELP}"
        return blocks.plain(text)

    def digest(self) -> list[Message]:
        return self.digest_of(self.reconcile())

    def digest_of(self, result: ReconcileResult) -> list[Message]:
        """The digest of one read: departures on top, then each charter's fixes with who
        already saw what they correct."""
        messages = blocks.digest_messages(result, all_clear=self.config.slack.all_clear,
                                          previews=approval_notes(result, self.config,
                                                                  self.clock()))
        return blocks.with_note(self.with_departures(result, messages), self._stale_line())

    def _stale_line(self) -> str | None:
        if self.last_synced is None:
            return None
        return stale_line(self.last_synced(), now=self.clock(),
                          after_minutes=self.config.sync.stale_after_minutes,
                          tz=self.config.tz)

    def with_departures(self, result: ReconcileResult,
                        messages: list[Message]) -> list[Message]:
        """The digest with today's and tomorrow's departures on top, from the same read."""
        days = readiness.parse_day(None, today=self.window().start)
        found = readiness.departures_of(result, self.config, days=days,
                                        untold=readiness.untold_crew(self.audit,
                                                                     now=self.clock()))
        return readiness_blocks.with_departures(messages, found, days=days)

    def ready(self, text: str) -> Message:
        """``/charter ready [DATE]``: each departure of the day(s), item by item."""
        days = readiness.parse_day(text, today=self.window().start)
        report = readiness.check_readiness(self.systems, self.config, days=days,
                                           now=self.clock(), audit=self.audit)
        return readiness_blocks.ready_message(report.departures, days=report.days)

    def status(self, query: str) -> Message:
        if not query.strip():
            raise InputError("Which charter? For example `/charter status danika`.")
        result = self.reconcile()
        event_id = resolve_charter(query, result, today=self.window().start)
        want = result.desired[event_id]
        record = want.current_record
        fields = {}
        for name in (*COMPARED_FIELDS, "status"):
            cal = show_value(want.record.get(name))
            db = show_value(record.get(name)) if record else "(no record)"
            fields[name] = (cal, db, record is None or cal != db)
        url = f"{self.config.pages.base_url}/{want.page_key}"
        if want.page_key_problem:
            page_line = (f"Guest page: *refused*: the record's pageKey is not one the bot may "
                         f"write ({mrkdwn_text(want.page_key_problem)}); nothing is written "
                         "for this charter until a person corrects it")
        elif want.deployed_page is None:
            page_line = f"Guest page: *not deployed* (expected at `{mrkdwn_text(want.page_key)}`)"
        elif want.deployed_page.content_md5 == want.page_md5:
            page_line = f"Guest page: {_link(url, want.page_key)} matches the calendar"
        else:
            page_line = f"Guest page: {_link(url, want.page_key)} is *stale*"
        changes = [f"{c.kind} {c.status} ({c.created_at.astimezone(self.config.tz):%b %-d %H:%M})"
                   for c in self.audit.recent(event_id=event_id, limit=3)]
        message_blocks = blocks.status_blocks(want, fields=fields, page_line=page_line,
                                              changes=changes)
        return {"text": f"Status of {mrkdwn_text(event_id)}", "blocks": message_blocks}

    def plan(self, kind: str, words: Sequence[str]) -> tuple[ChangePlan, Message]:
        return self.plan_with(self.reconcile(), kind, words)

    def plan_with(self, result: ReconcileResult, kind: str,
                  words: Sequence[str]) -> tuple[ChangePlan, Message]:
        """A swap or time change planned on ``result``, and its Confirm / Cancel message."""
        today = self.window().start
        if words:
            resolve_charter(words[0], result, today=today)  # one held for a person says so
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
        value = json.dumps({"kind": kind, "words": list(words), "key": plan.idempotency_key(),
                            "event": plan.event_id})
        text = (f"Planned: {mrkdwn_text(plan.summary)}\nThe calendar first, then DynamoDB, the "
                "guest page and CloudFront.")
        preview = self.preview(result, plan)
        message = {"text": text, "blocks": [
            blocks.section(text), blocks.section(mrkdwn_text("\n".join(preview.lines()))), {
            "type": "actions", "block_id": "plan", "elements": [
                blocks.button("Confirm", "change_confirm", value, style="primary"),
                blocks.button("Cancel", "change_cancel", value)]}]}
        return plan, message

    def preview(self, result: ReconcileResult, plan: ChangePlan) -> Preview:
        """What the plan will touch and who already saw the old data (blast radius)."""
        return change_preview(plan=plan, want=result.desired[plan.event_id],
                              config=self.config, now=self.clock(),
                              served=result.served.get(plan.event_id))

    def nudge(self, value: str, *, user_id: str) -> Message:
        """A Nudge button: remind one unconfirmed crew member (approvers only)."""
        return nudges.nudge(self, value, user_id=user_id)

    def propose(self, text: str, *, user_id: str) -> Message | None:
        """A reply for a chat message that proposes a change; None for everything else."""
        return chat.propose(self, text, user_id=user_id)

    def may_propose(self, user_id: str) -> bool:
        return chat.may_propose(self, user_id)

    def propose_on(self, value: str, *, user_id: str) -> Message:
        """The proposal for a charter picked from a 'which charter' answer in thread."""
        return chat.propose_on(self, value, user_id=user_id)

    def proposal_message(self, result: ReconcileResult, proposal: Proposal, *,
                         user_id: str) -> Message:
        plan, message = self.plan_with(result, proposal.kind, list(proposal.words))
        text = f"<@{user_id}> proposes `{mrkdwn_text(proposal.command)}`. " + message["text"]
        buttons = message["blocks"][-1]
        for element in buttons["elements"]:
            element["text"]["text"] = "Approve" if element["action_id"] == "change_confirm" \
                else "Reject"
            element["value"] = json.dumps({**json.loads(element["value"]), "source": "chat"})
        self.audit.log_decision(subject=proposal.command, decision="proposed",
                                decided_by=user_id, source="chat", event_id=plan.event_id,
                                summary=plan.summary)
        preview = message["blocks"][1:-1]  # what it will touch, who saw the old data
        return {"text": text, "blocks": [blocks.section(text), *preview, buttons,
                                         blocks.context("An approver decides; nothing changes "
                                                        "until then.")]}

    def confirm(self, value: str, *, user_id: str) -> Message:
        request = json.loads(value)
        source = request.get("source", "slash")
        decision = "approved" if source == "chat" else "confirmed"
        earlier = self.audit.find_by_key(request["key"])
        if earlier is not None:  # a second click: the first one's outcome, once it has one
            outcome = self.changes.rejoin(earlier)
        else:
            try:
                result = self.reconcile()
                plan, _ = self.plan_with(result, request["kind"], request["words"])
            except InputError as error:  # the charter changed since: audited, then said
                self.audit.log_decision(subject=_command(request), decision=decision,
                                        decided_by=user_id, source=source,
                                        event_id=request.get("event"),
                                        note=f"not applied: {error}")
                raise
            outcome = self.changes.apply(plan, requested_by=user_id, source=source,
                                         idempotency_key=request["key"],
                                         preview=self.preview(result, plan).to_dict())
        change = self.audit.get(outcome.change_id)
        self.audit.log_decision(
            subject=_command(request), decision=decision,
            decided_by=user_id, source=source, change_id=outcome.change_id,
            event_id=change.event_id if change else request.get("event"),
            summary=outcome.summary,
            note=outcome.status + (", a second click: nothing done twice"
                                   if outcome.repeated else ""))
        steps = ", ".join(f"{s.system} {s.status}" for s in outcome.steps)
        again = " (already done: this was a second click)" if outcome.repeated else ""
        if outcome.running_elsewhere:
            again = " (still being applied by an earlier click: this one did nothing)"
        error = f"\n{outcome.error}" if outcome.error else ""
        news = f"\n{outcome.news}" if outcome.news else ""
        return blocks.plain(f"{mrkdwn_text(outcome.summary)}: *{outcome.status}*{again} — "
                            f"{mrkdwn_text(steps + error + news)}")

    def may_cancel(self, value: str, *, user_id: str) -> bool:
        """Anyone may cancel their own plan (only they see it); a proposal in a channel
        is rejected by an approver only."""
        return json.loads(value).get("source") != "chat" or self.is_approver(user_id)

    def cancel(self, value: str, *, user_id: str) -> Message:
        request = json.loads(value)
        chat_proposal = request.get("source") == "chat"
        self.audit.log_decision(subject=_command(request),
                                decision="rejected" if chat_proposal else "cancelled",
                                decided_by=user_id, source=request.get("source", "slash"),
                                event_id=request.get("event"), note="nothing was changed")
        if chat_proposal:
            return blocks.plain(f"Rejected by <@{user_id}>: `{mrkdwn_text(_command(request))}` "
                                "— nothing was changed.")
        return blocks.plain("Cancelled: nothing was changed.")

    def decide(self, *, action_id: str, value: str, user_id: str,
               message: dict[str, Any]) -> Message:
        """A digest button: the digest message as it should read afterwards."""
        return digest_decisions.decide(self, action_id=action_id, value=value, user_id=user_id,
                                       message=message)

    def refuse(self, *, user_id: str, what: str, source: str, event_id: str | None = None,
               summary: str | None = None) -> Message:
        self.audit.log_decision(subject=what, decision="refused", decided_by=user_id,
                                source=source, event_id=event_id, summary=summary or what,
                                note="not an approver")
        return blocks.plain("Sorry, only the approvers in app.yaml (slack.approvers) can do "
                            "that. Ask one of them.")

    def refuse_button(self, *, user_id: str, action_id: str, value: str,
                      source: str) -> Message:
        """A refusal of a button press, recorded with the charter and what it would have done."""
        if action_id in ("change_confirm", "change_cancel"):
            request = json.loads(value)
            verb = "approve" if action_id == "change_confirm" else "reject"
            return self.refuse(user_id=user_id, what=_command(request), source=source,
                               event_id=request.get("event"),
                               summary=f"{verb} `{_command(request)}`")
        return self.refuse(user_id=user_id, source=source,
                           **digest_decisions.describe(action_id, value))

    def audit_log(self, query: str) -> Message:
        wanted = audit_view.parse_query(query)
        items = audit_view.history(self.audit, query=wanted, roster=Roster(self.config.roster),
                                   limit=15)
        return blocks.audit_message(items, tz=self.config.tz, scope=audit_view.describe(wanted))


def _link(url: str, label: str) -> str:
    """A link the bot writes; its label is text (``|`` and ``>`` would end it)."""
    target = url.replace("<", "%3C").replace(">", "%3E").replace("|", "%7C")
    return f"<{target}|{mrkdwn_text(label).replace('|', '¦')}>"


def _command(request: dict[str, Any]) -> str:
    return f"/charter {request.get('kind', '?')} {' '.join(request.get('words', []))}"
