"""Block Kit: pure functions from the use cases' results to Slack messages and views."""
