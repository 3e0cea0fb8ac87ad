"""How long a cold process takes: ``charter-ops --help``, the Lambda function's init phase,
and a fresh interpreter's first slash command acked through the Lambda handler.

    python bench/cold_start.py [--runs N] [--top N] [--no-instructions]

Each figure is the median of N runs (default 7), each in a fresh interpreter, printed next
to a bare interpreter's start (``python -c pass``) and as a ratio of it, since this
machine's speed varies from minute to minute; then, where valgrind is installed, each
as a count of instructions (callgrind), which the machine's load does not change; then,
for each, ``python -X importtime``'s heaviest imports (cumulative, top-level packages
and our own modules).

The Lambda runs use the sandbox (moto's server, with the secrets as SSM parameters, and the
calendar emulator), the Slack fake, and PostgreSQL at $TEST_POSTGRES_URL (default
127.0.0.1:5432/test), as the function runs against Parameter Store and RDS: the SSM read,
and the ack's Lambda Invoke of the function itself, are answered by moto on loopback.
Targets (issue "fast to start"): --help at most 150 ms, the init phase at most 500 ms, a
fresh interpreter to the ack at most 1 s.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.config import load_config
from bot.sandbox.sandbox import running_sandbox, sandbox_environ, write_config
from bot.sandbox.slack_fake import SlackFake

ROOT = Path(__file__).resolve().parents[1]
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SECRET = "bench-signing-secret"

# Run in a fresh interpreter: the init phase (import + LambdaRuntime from the environment,
# secrets from SSM), then one signed /charter help through the handler, to its ack; the
# ack includes the asynchronous self-invocation of its lazy listener, made by Bolt's own
# boto3 Lambda client (built on that first request) against moto's Invoke.
LAMBDA_CHILD = r"""
import base64, json, sys, time
t0 = time.perf_counter()
from bot import aws_lambda
runtime = aws_lambda.LambdaRuntime.from_environment()
aws_lambda._runtime = runtime
t1 = time.perf_counter()
if sys.argv[4:] == ["init"]:
    raise SystemExit(0)
from urllib.parse import urlencode
from slack_sdk.signature import SignatureVerifier
body = urlencode({"command": "/charter", "text": "help", "user_id": "U0123ABCD",
                  "team_id": "T1", "channel_id": "C1", "trigger_id": "1.2.3",
                  "response_url": sys.argv[2]})
ts = str(int(time.time()))
sig = SignatureVerifier(sys.argv[1]).generate_signature(timestamp=ts, body=body)
event = {"version": "2.0", "routeKey": "POST /slack/events", "rawPath": "/slack/events",
         "rawQueryString": "", "isBase64Encoded": True,
         "body": base64.b64encode(body.encode()).decode(),
         "headers": {"content-type": "application/x-www-form-urlencoded",
                     "x-slack-request-timestamp": ts, "x-slack-signature": sig},
         "requestContext": {"http": {"method": "POST", "path": "/slack/events",
                                     "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1"},
                            "routeKey": "POST /slack/events", "stage": "$default"}}
answer = aws_lambda.handler(event, type("Ctx", (), {"function_name": "charter-ops",
    "invoked_function_arn": sys.argv[3]})())
t2 = time.perf_counter()
assert answer["statusCode"] == 200, answer
print(json.dumps({"init": t1 - t0, "ack": t2 - t0}))
"""


def template_variables() -> dict[str, str]:
    """The function's environment as deploy/template.yaml sets it (its literal values; the
    references, such as the SSM path, are the sandbox's here)."""
    from tests.test_deploy_template import RESOURCES  # the template, read as its test reads it

    variables = RESOURCES["BotFunction"]["Properties"]["Environment"]["Variables"]
    return {name: value for name, value in variables.items() if isinstance(value, str)}


def self_invoked(box: Any) -> str:
    """The function, in moto, that the ack invokes (Event): moto answers 202 without running
    it (no Docker). Returns its ARN, as the Lambda context gives it."""
    request = urllib.request.Request(f"{box.aws_endpoint}/moto-api/config", method="POST",
                                     data=json.dumps({"lambda": {"use_docker": False}}).encode(),
                                     headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=10).close()
    role = box.client("iam").create_role(
        RoleName="charter-ops-bench", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"Service": "lambda.amazonaws.com"}}]}))["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as bundle:
        bundle.writestr("handler.py", "def handler(event, context):\n    return None\n")
    function = box.client("lambda").create_function(
        FunctionName="charter-ops", Runtime="python3.11", Role=role, Handler="handler.handler",
        Code={"ZipFile": code.getvalue()})
    return str(function["FunctionArn"])


def _instructions(argv: list[str], env: dict[str, str]) -> int:
    """What ``argv`` executes, in instructions (valgrind's callgrind): the same count for
    the same code and inputs, however busy the machine."""
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null",
                           *argv], env=env, cwd=ROOT, capture_output=True, text=True,
                          check=True)
    [count] = re.findall(r"Collected\s*:\s*(\d+)", done.stderr)
    return int(count)


def _wall(argv: list[str], env: dict[str, str]) -> float:
    """Seconds from spawning ``argv`` to its exit (the interpreter's own start included)."""
    started = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - started


def _heaviest(argv: list[str], env: dict[str, str], top: int) -> list[tuple[float, str]]:
    """``-X importtime``'s heaviest imports, cumulative, that are a top-level package or ours."""
    done = subprocess.run([sys.executable, "-X", "importtime", *argv], env=env, cwd=ROOT,
                          capture_output=True, text=True, check=True)
    found: dict[str, float] = {}
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (part.strip() for part in line.split("|"))
        if not cumulative.isdigit():
            continue
        module = name.strip()
        if "." in module and not module.startswith(("bot.", "services.", "store.",
                                                    "handlers.", "common.")):
            continue
        found[module] = max(found.get(module, 0.0), int(cumulative) / 1e6)
    return sorted(((s, m) for m, s in found.items()), reverse=True)[:top]


def _report(name: str, runs: list[float], bare: float, target: float) -> None:
    median = statistics.median(runs)
    print(f"{name:<34} median {median * 1000:7.0f} ms  (min {min(runs) * 1000:.0f}, "
          f"max {max(runs) * 1000:.0f})  {median / bare:5.1f}x a bare start  "
          f"target {target * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--no-instructions", dest="instructions", action="store_false",
                        help="skip the instruction counts (valgrind, about a minute)")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    bare = statistics.median(_wall([sys.executable, "-c", "pass"], env)
                             for _ in range(args.runs))
    print(f"{'bare interpreter (python -c pass)':<34} median {bare * 1000:7.0f} ms")
    help_argv = [sys.executable, "-m", "bot", "--help"]
    helps = [_wall(help_argv, env) for _ in range(args.runs)]
    _report("charter-ops --help", helps, bare, 0.150)

    config = load_config(ROOT / "app.yaml")
    with running_sandbox(config) as box, SlackFake() as slack, \
            tempfile.TemporaryDirectory() as workdir:
        lambda_env = dict(env)
        environ = sandbox_environ(box)
        secrets = {"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SECRET,
                   "DATABASE_URL": PG_URL,
                   **{k: environ.pop(k) for k in ("GOOGLE_OAUTH_CLIENT_ID",
                                                   "GOOGLE_OAUTH_CLIENT_SECRET",
                                                   "GOOGLE_OAUTH_REFRESH_TOKEN")}}
        ssm = box.client("ssm")
        for name, value in secrets.items():
            ssm.put_parameter(Name=f"/charter-ops/bench/{name}", Value=value,
                              Type="SecureString", Overwrite=True)
        write_config(box.config, Path(workdir) / "app.yaml")
        for name in (*secrets, "SLACK_APP_TOKEN"):
            lambda_env.pop(name, None)
        lambda_env.update({**template_variables(), **environ,
                           "CHARTER_OPS_CONFIG": str(Path(workdir) / "app.yaml"),
                           "CHARTER_OPS_SSM_PATH": "/charter-ops/bench",
                           "SLACK_API_URL": slack.api_url})
        child = [sys.executable, "-c", LAMBDA_CHILD, SECRET, slack.response_url(),
                 self_invoked(box)]
        inits, acks = [], []
        for _ in range(args.runs):
            done = subprocess.run(child, env=lambda_env, cwd=ROOT, capture_output=True,
                                  text=True, check=True)
            figures = json.loads(done.stdout.strip().splitlines()[-1])
            inits.append(figures["init"])
            # From a fresh interpreter: its own start (a bare one's) before the first import.
            acks.append(bare + figures["ack"])
        _report("Lambda init (import + runtime)", inits, bare, 0.500)
        _report("fresh interpreter to the ack", acks, bare, 1.0)
        print()
        if args.instructions and shutil.which("valgrind"):
            # Counted, not timed: a figure that another run on a busier machine repeats.
            counted = (("bare interpreter", [sys.executable, "-c", "pass"], env),
                       ("charter-ops --help", help_argv, env),
                       ("Lambda init", [*child, "init"], lambda_env),
                       ("fresh interpreter to the ack", child, lambda_env))
            print("instructions (callgrind):")
            for name, argv, run_env in counted:
                print(f"  {name:<32} {_instructions(argv, run_env) / 1e6:8.0f} M")
            print()
        for name, argv, heavy_env in (("--help", ["-m", "bot", "--help"], env),
                                      ("Lambda init", ["-c", "import bot.aws_lambda"],
                                       lambda_env)):
            print(f"heaviest imports, {name} (cumulative):")
            for seconds, module in _heaviest(argv, heavy_env, args.top):
                print(f"  {seconds * 1000:7.0f} ms  {module}")


if __name__ == "__main__":
    main()
