"""The calendar's events read as charters, and the description people type: read,
checked, edited. Pure."""
