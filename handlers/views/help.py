"""``/charter help``: what the command does, verb by verb."""

from __future__ import annotations

from handlers.views.blocks import Message, plain
from services.domain.display import mrkdwn_text

HELP = """*/charter* — keep the calendar, DynamoDB and the guest pages in agreement
• `/charter status danika` — one charter as each system sees it
• `/charter swap june14 captain Gene` · `/charter swap danika Angelia Marco` — crew swap
• `/charter time danika 3pm-7pm` — new start and end, same day
• `/charter ready [2026-05-31]` — is each departure today and tomorrow ready?
• `/charter sync` — check everything now and post the digest
• `/charter audit [danika] [by Gene]` — changes, decisions and refusals
• `/charter help` — this"""


def help_message(not_understood: str | None = None) -> Message:
    if not not_understood:
        return plain(HELP)
    return plain(f"I did not understand `{mrkdwn_text(not_understood)}`.\n\n{HELP}")
