"""Telling guests when what they were told changes (issue 30's pure core). No I/O.

- ``address``: the guest's e-mail, where it was found, and why it may not be sent to;
  the address masked for Slack.
- ``facts``: the guest-facing facts of a charter, the news between what a guest was last
  told and now, and the key that lets one correction be claimed once.
- ``quiet``: when a correction due at a moment goes, given the operator's quiet hours.
- ``mail``: the correction e-mail rendered from the shipped (or the operator's) Jinja2
  templates under ``templates/``.
"""
