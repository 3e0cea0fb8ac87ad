"""The Slack surface. Each package's ``register(app, deps)`` routes its ids to an ack and
to the deferred work, whose module is imported on its first call."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slack_bolt import Ack


def acknowledge(ack: Ack) -> None:
    """The ack of a listener whose work is all deferred (a lazy listener)."""
    ack()
