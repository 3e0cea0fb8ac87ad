"""The assembly of the bot: settings, wiring, the Slack app, the CLI and the sandbox."""

__version__ = "0.1.0"
