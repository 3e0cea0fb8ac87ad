"""What the Slack surfaces ask for, as one façade over the services: handlers stay thin.

Every method returns Block Kit messages (handlers.views.blocks) or raises a
CharterOpsError whose text is fit to show the person who asked.
"""

from __future__ import annotations

from typing import Any

from common.errors import InputError
from handlers.views import blocks
from handlers.views import readiness as readiness_blocks
from handlers.views.blocks import Message
from handlers.views.change import CANCEL, CONFIRM, clicked
from services import audit_view, chat, digest_decisions, nudges, readiness
from services.deps import Deps
from services.domain.change.blast_radius import approval_notes
from services.domain.change.resolve import resolve_charter
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
        if action_id in (CONFIRM, CANCEL):
            click = clicked(value)
            verb = "approve" if action_id == CONFIRM else "reject"
            return self.refuse(user_id=user_id, what=click.command, source=source,
                               event_id=click.event_id, summary=f"{verb} `{click.command}`")
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
