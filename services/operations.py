"""What the Slack surfaces ask for, as one façade over the services: handlers stay thin.

Every method returns Block Kit messages (handlers.views.blocks) or raises a
CharterOpsError whose text is fit to show the person who asked.
"""

from __future__ import annotations

from typing import Any

from handlers.views import blocks
from handlers.views import readiness as readiness_blocks
from handlers.views.blocks import Message
from handlers.views.change import CANCEL, CONFIRM, clicked
from services import chat, digest_decisions, nudges
from services.usecases import ready as readiness
from services.deps import Deps
from services.domain.change.blast_radius import approval_notes
from services.domain.models import ReconcileResult
from services.domain.sync_health import stale_line


class Operations(Deps):
    """What is left of the Slack-shaped façade while its actions move to use cases."""

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
