"""The DynamoDB adapter against moto: one paginated pass, conditional writes, other
attributes preserved."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import boto3
import pytest
from moto import mock_aws

from common.errors import ConflictError, SourceUnavailableError
from services.adapters.records import RecordStore

TABLE = "jada-charter-events"


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for key in ("AWS_ENDPOINT_URL",):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name="us-west-2")
        dynamodb.create_table(
            TableName=TABLE, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "eventId", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "eventId", "AttributeType": "S"}])
        yield dynamodb


def count_calls(client: Any) -> list[str]:
    calls: list[str] = []
    client.meta.events.register("before-call.dynamodb", lambda model, **_: calls.append(
        model.name))
    return calls


def put(client: Any, event_id: str, day: str, **extra: Any) -> None:
    item = {"eventId": {"S": event_id}, "eventDate": {"S": day},
            "padding": {"S": "x" * 3000}, **extra}
    client.put_item(TableName=TABLE, Item=item)


def test_the_window_is_read_in_one_paginated_pass(client: Any) -> None:
    for n in range(800):  # ~2.4 MB: three 1 MB pages
        put(client, f"guest{n}-jun{n % 28 + 1}", f"2026-06-{n % 28 + 1:02d}")
    put(client, "old-jan1", "2026-01-01")
    calls = count_calls(client)
    snapshot = RecordStore(dynamodb_client=client, table=TABLE).snapshot(
        since=date(2026, 6, 1), until=date(2026, 6, 30))
    assert snapshot.complete
    assert len(snapshot.records) == 800  # the January record is filtered out
    assert calls == ["Scan"] * 3


def test_values_come_back_as_plain_python(client: Any) -> None:
    put(client, "danika-may31", "2026-05-31", guestCount={"N": "12"},
        crew={"L": [{"S": "Bo"}]})
    [record] = RecordStore(dynamodb_client=client, table=TABLE).snapshot(
        since=date(2026, 5, 1), until=date(2026, 6, 1)).records
    assert record.get("guestCount") == 12 and isinstance(record.get("guestCount"), int)
    assert record.get("crew") == ["Bo"]


def test_an_update_changes_only_its_fields_and_only_if_unchanged(client: Any) -> None:
    put(client, "danika-may31", "2026-05-31", mate={"S": "Angelia"},
        waiverCount={"N": "3"})
    store = RecordStore(dynamodb_client=client, table=TABLE)
    store.update("danika-may31", changes={"mate": "Ana"}, expected={"mate": "Angelia"})
    record = store.get("danika-may31")
    assert record is not None
    assert record.get("mate") == "Ana"
    assert record.get("waiverCount") == 3
    with pytest.raises(ConflictError, match="changed since it was read"):
        store.update("danika-may31", changes={"mate": "Tess"}, expected={"mate": "Angelia"})
    assert store.get("danika-may31").get("mate") == "Ana"  # type: ignore[union-attr]


def test_an_update_never_creates_a_record(client: Any) -> None:
    store = RecordStore(dynamodb_client=client, table=TABLE)
    with pytest.raises(ConflictError):
        store.update("ghost-may1", changes={"mate": "Ana"}, expected={"mate": None})
    assert store.get("ghost-may1") is None


def test_create_refuses_to_overwrite(client: Any) -> None:
    put(client, "quinn-may30", "2026-05-30", captain={"S": "Darrell"})
    store = RecordStore(dynamodb_client=client, table=TABLE)
    with pytest.raises(ConflictError, match="created by someone else"):
        store.create({"eventId": "quinn-may30", "eventDate": "2026-05-30", "captain": "Gene"})
    assert store.get("quinn-may30").get("captain") == "Darrell"  # type: ignore[union-attr]


def test_a_named_index_that_is_absent_falls_back_to_a_scan(client: Any) -> None:
    put(client, "quinn-may30", "2026-05-30")
    snapshot = RecordStore(dynamodb_client=client, table=TABLE, date_index="byDate").snapshot(
        since=date(2026, 5, 30), until=date(2026, 5, 31))
    assert [r.event_id for r in snapshot.records] == ["quinn-may30"]
    assert "byDate" in snapshot.notes[0]


def test_a_present_date_index_is_queried_per_day(client: Any) -> None:
    client.update_table(
        TableName=TABLE,
        AttributeDefinitions=[{"AttributeName": "eventDate", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[{"Create": {
            "IndexName": "byDate", "KeySchema": [{"AttributeName": "eventDate", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "ALL"}}}])
    put(client, "quinn-may30", "2026-05-30")
    put(client, "old-jan1", "2026-01-01")
    calls = count_calls(client)
    snapshot = RecordStore(dynamodb_client=client, table=TABLE, date_index="byDate").snapshot(
        since=date(2026, 5, 30), until=date(2026, 5, 31))
    assert [r.event_id for r in snapshot.records] == ["quinn-may30"]
    assert calls == ["Query", "Query"]


def test_a_missing_table_is_a_clear_error(client: Any) -> None:
    store = RecordStore(dynamodb_client=client, table="no-such-table")
    with pytest.raises(SourceUnavailableError, match="no-such-table was not found"):
        store.snapshot(since=date(2026, 5, 1), until=date(2026, 5, 2))


def test_a_few_records_are_read_by_id_in_one_batch(client: Any) -> None:
    put(client, "danika-may31", "2026-05-31")
    put(client, "quinn-may30", "2026-05-30")
    calls = count_calls(client)
    found = RecordStore(dynamodb_client=client, table=TABLE).get_many(
        ["danika-may31", "danika-may31-2", "danika-may31", "nobody-jun1"])
    assert [r.event_id for r in found.records] == ["danika-may31"]
    assert not found.complete  # it says nothing about the records it did not ask for
    assert calls == ["BatchGetItem"]
