"""``charter-ops init``: a commented app.yaml to fill in, and what to do next.

The template ships inside the package (bot/templates/app.yaml), so an installed
``charter-ops`` needs no checkout. An existing file is never touched.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from common.errors import ConfigError


def template_text() -> str:
    return resources.files("bot").joinpath("templates/app.yaml").read_text(encoding="utf-8")


def manifest_path() -> Path:
    """The Slack app manifest shipped with the package (the repository's manifest.yaml)."""
    return Path(str(resources.files("bot").joinpath("templates/slack-manifest.yaml")))


def write_template(path: Path) -> None:
    """Write the template at ``path``; refuse, changing nothing, when anything is there."""
    try:
        # "x": created only if absent, in one step, so a file that appears meanwhile
        # is not overwritten either.
        with path.open("x", encoding="utf-8") as handle:
            handle.write(template_text())
    except FileExistsError:
        raise ConfigError(f"{path} already exists; nothing was changed (edit it, or pass "
                          "--config NEW_PATH to write another)") from None
    except OSError as error:
        raise ConfigError(f"{path}: cannot be written ({error.strerror})") from None


def next_steps(path: Path, *, prog: str) -> str:
    config = "" if path == Path("app.yaml") else f" --config {path}"
    return "\n".join([
        f"Wrote {path}. Next:",
        f"  1. Replace every value marked FILL IN in {path}; the comment above",
        "     each key says what it is.",
        "  2. Create the Slack app: api.slack.com/apps -> Create New App -> From a",
        f"     manifest, and paste {manifest_path()}.",
        "     Install it, then set SLACK_BOT_TOKEN (xoxb-...) and SLACK_APP_TOKEN",
        "     (xapp-..., connections:write) for Socket Mode, or SLACK_SIGNING_SECRET",
        "     for HTTP mode. Invite the bot to the slack.channel.",
        "  3. Give it the calendar (GOOGLE_APPLICATION_CREDENTIALS, or the",
        "     GOOGLE_OAUTH_* variables) and AWS credentials (boto3's usual chain).",
        f"  4. {prog} doctor{config}   checks every connection and permission",
        f"  5. {prog} reconcile{config}   then {prog}{config} to run the bot",
    ])
