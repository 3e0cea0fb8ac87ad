"""Every id the app answers to: the actions of its buttons and menus, its forms' callbacks
and its shortcuts; the views put them in the blocks, the routes (each package's
``register``) listen on them. One light module, so that the routes register (a Lambda's
cold start) without loading what renders or handles them."""

from __future__ import annotations

# Slash command: a charter picked among several that matched the words typed.
PICK_COMMAND = "pick_charter"
# The digest (and the Home, and a live-sync alert).
APPROVE, DISMISS, APPROVE_ALL = "digest_approve", "digest_dismiss", "digest_approve_all"
# A plan's Confirm / Cancel; a chat proposal's Approve / Reject.
CONFIRM, CANCEL = "change_confirm", "change_cancel"
# A charter picked from the buttons of a chat answer.
PICK_CHAT = "chat_pick_charter"
# Nudge, beside an unconfirmed crew member in /charter ready.
NUDGE = "readiness_nudge"
# The Home's buttons that open a form.
SWAP, TIME = "home_swap_crew", "home_change_time"
# The forms: their callbacks, and the charter menu (chosen, or searched as one types).
SWAP_FORM, TIME_FORM, CONFIRM_FORM = "charter_swap_form", "charter_time_form", \
    "charter_change_confirm"
PICK_CHARTER = "form_charter"
# Shortcuts: the global one, and the one on a message.
CHANGE, PROPOSE = "charter_change", "propose_change"
