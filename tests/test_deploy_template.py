"""deploy/template.yaml agrees with the code it deploys (cfn-lint, in .ci/run, checks it
against CloudFormation's own rules): the handler exists, every schedule names a job the
function runs in the operator's time zone, and no secret is written into it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot import aws_lambda

ROOT = Path(__file__).resolve().parents[1]


class _Loader(yaml.SafeLoader):
    """YAML with CloudFormation's short forms (!Ref, !Sub, ...) kept as {tag: value}."""


def _tagged(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    if isinstance(node, yaml.ScalarNode):
        return {suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {suffix: loader.construct_sequence(node, deep=True)}
    return {suffix: loader.construct_mapping(node, deep=True)}  # type: ignore[arg-type]


_Loader.add_multi_constructor("!", _tagged)
TEMPLATE = yaml.load((ROOT / "deploy/template.yaml").read_text(), Loader=_Loader)
RESOURCES = TEMPLATE["Resources"]


def test_the_function_runs_the_lambda_handler_with_secrets_only_by_path() -> None:
    function = RESOURCES["BotFunction"]["Properties"]
    module, name = function["Handler"].rsplit(".", 1)
    assert module == aws_lambda.__name__ and callable(getattr(aws_lambda, name))
    variables = function["Environment"]["Variables"]
    assert set(variables) == {"CHARTER_OPS_CONFIG", "CHARTER_OPS_SSM_PATH",
                              "PYDANTIC_DISABLE_PLUGINS"}
    assert variables["PYDANTIC_DISABLE_PLUGINS"] == "__all__"  # pydantic's own spelling
    assert not set(variables) & set(aws_lambda.SECRET_NAMES)


def test_every_schedule_runs_a_known_job_in_the_operators_time_zone() -> None:
    schedules = {name: r["Properties"] for name, r in RESOURCES.items()
                 if r["Type"] == "AWS::Scheduler::Schedule"}
    jobs = sorted(yaml.safe_load(s["Target"]["Input"])[aws_lambda.JOB_KEY]
                  for s in schedules.values())
    assert jobs == ["digest", "live", "nightly", "retry"]
    assert all(s["ScheduleExpressionTimezone"] == {"Ref": "TimeZone"}
               for s in schedules.values())


def test_the_http_api_routes_slack_to_the_path_the_handler_serves() -> None:
    events = RESOURCES["BotFunction"]["Properties"]["Events"]
    paths = {e["Properties"]["Path"] for e in events.values() if e["Type"] == "HttpApi"}
    assert aws_lambda.SLACK_PATH in paths
