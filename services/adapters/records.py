"""DynamoDB adapter for the charter records (table ``jada-charter-events``).

Reads the window in one paginated pass (a Scan; or one Query per day when the
operator added the optional ``eventDate`` index), never a request per charter.
Every write is conditional, and touches only the attributes it names, so the
attributes the operator's Lambdas keep on a record survive.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import BotoCoreError, ClientError

from common.errors import ConflictError, SourceUnavailableError
from services.domain.models import Record, RecordSnapshot
from services.domain.reconcile.rows import Row

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_plain(value: Any) -> Any:
    """DynamoDB's Decimals and sets as plain ints, floats and lists."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    if isinstance(value, set):
        return sorted(to_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: to_plain(v) for k, v in value.items()}
    return value


# The attributes whose values recur from record to record (a few dates, times, docks,
# crew and statuses): one string per value, not one per record, in a window of thousands.
_RECURRING = frozenset({"eventDate", "startTime", "endTime", "captain", "mate", "crew",
                        "location", "status"})


def _from_item(item: Mapping[str, Any]) -> Record:
    return Record(Row({k: _shared(to_plain(_deserializer.deserialize(v))) if k in _RECURRING
                       else to_plain(_deserializer.deserialize(v)) for k, v in item.items()}))


def _shared(value: Any) -> Any:
    if isinstance(value, str):
        return sys.intern(value)
    if isinstance(value, list):
        return [_shared(v) for v in value]
    return value


def _to_attr(value: Any) -> Mapping[str, Any]:
    return _serializer.serialize(value)


class RecordStore:
    def __init__(self, *, dynamodb_client: Any, table: str, date_index: str | None = None) -> None:
        self._client = dynamodb_client
        self._table = table
        self._date_index = date_index

    # -- reads ---------------------------------------------------------------

    def snapshot(self, *, since: date, until: date) -> RecordSnapshot:
        """Records dated ``since`` or later.

        Later than ``until`` too: a charter moved into the window is still
        found by its link. Raises SourceUnavailableError when nothing could be
        read; returns ``complete=False`` when reading stopped part way.
        """
        if self._date_index:
            try:
                return self._query_days(since, until)
            except ClientError as error:
                if _code(error) not in ("ValidationException", "ResourceNotFoundException"):
                    raise SourceUnavailableError(self._describe(error)) from error
                note = f"index {self._date_index} is not on the table; read it with a Scan"
                snapshot = self._scan(since)
                return RecordSnapshot(snapshot.records, snapshot.complete, (note, *snapshot.notes))
        return self._scan(since)

    def get(self, event_id: str) -> Record | None:
        try:
            answer = self._client.get_item(
                TableName=self._table, Key={"eventId": {"S": event_id}}, ConsistentRead=True
            )
        except (ClientError, BotoCoreError) as error:
            raise SourceUnavailableError(self._describe(error)) from error
        item = answer.get("Item")
        return _from_item(item) if item else None

    def get_many(self, event_ids: Iterable[str]) -> RecordSnapshot:
        """The records with these ids that exist, read with BatchGetItem (100 keys a call):
        a few charters' records without reading the window. ``complete`` is False: it says
        nothing about records it did not ask for."""
        wanted = list(dict.fromkeys(event_ids))
        records: list[Record] = []
        try:
            for start in range(0, len(wanted), 100):
                keys = [{"eventId": {"S": i}} for i in wanted[start:start + 100]]
                request = {self._table: {"Keys": keys, "ConsistentRead": True}}
                while request:
                    answer = self._client.batch_get_item(RequestItems=request)
                    records += [_from_item(i) for i in answer["Responses"].get(self._table, [])]
                    request = answer.get("UnprocessedKeys") or {}
        except (ClientError, BotoCoreError) as error:
            raise SourceUnavailableError(self._describe(error)) from error
        return RecordSnapshot(tuple(records), complete=False)

    def _scan(self, since: date) -> RecordSnapshot:
        params = {
            "TableName": self._table,
            "FilterExpression": "eventDate >= :since",
            "ExpressionAttributeValues": {":since": {"S": since.isoformat()}},
        }
        return self._paginate("scan", [params])

    def _query_days(self, since: date, until: date) -> RecordSnapshot:
        days = [since + timedelta(days=n) for n in range((until - since).days + 1)]
        requests = [
            {
                "TableName": self._table,
                "IndexName": self._date_index,
                "KeyConditionExpression": "eventDate = :day",
                "ExpressionAttributeValues": {":day": {"S": day.isoformat()}},
            }
            for day in days
        ]
        return self._paginate("query", requests)

    def _paginate(self, operation: str, requests: Iterable[dict[str, Any]]) -> RecordSnapshot:
        paginator = self._client.get_paginator(operation)
        records: list[Record] = []
        pages_read = 0
        try:
            for params in requests:
                for page in paginator.paginate(**params):
                    pages_read += 1
                    records.extend(_from_item(item) for item in page.get("Items", []))
        except ClientError as error:
            if pages_read == 0 and operation == "query":
                raise  # snapshot() decides whether the index is just absent
            if pages_read == 0:
                raise SourceUnavailableError(self._describe(error)) from error
            return RecordSnapshot(tuple(records), False, (f"DynamoDB read stopped: {error}",))
        except BotoCoreError as error:
            if pages_read == 0:
                raise SourceUnavailableError(self._describe(error)) from error
            return RecordSnapshot(tuple(records), False, (f"DynamoDB read stopped: {error}",))
        return RecordSnapshot(tuple(records))

    # -- writes --------------------------------------------------------------

    def create(self, item: Mapping[str, Any]) -> None:
        """Put a new record; refuses if one with the same eventId exists."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item={k: _to_attr(v) for k, v in item.items() if v is not None},
                ConditionExpression="attribute_not_exists(eventId)",
            )
        except ClientError as error:
            if _code(error) == "ConditionalCheckFailedException":
                raise ConflictError(
                    f"record {item['eventId']} was created by someone else meanwhile"
                ) from error
            raise SourceUnavailableError(self._describe_write(error, item["eventId"])) \
                from error
        except BotoCoreError as error:
            raise SourceUnavailableError(self._describe_write(error, item["eventId"])) \
                from error

    def update(
        self, event_id: str, *, changes: Mapping[str, Any], expected: Mapping[str, Any]
    ) -> None:
        """Set ``changes`` only if each attribute in ``expected`` still holds that value.

        An expected value of None means "the attribute is absent".
        """
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        sets, removes, conditions = [], [], ["attribute_exists(eventId)"]
        for n, (attr, value) in enumerate(sorted(changes.items())):
            names[f"#c{n}"] = attr
            if value is None:
                removes.append(f"#c{n}")
            else:
                values[f":c{n}"] = _to_attr(value)
                sets.append(f"#c{n} = :c{n}")
        for n, (attr, value) in enumerate(sorted(expected.items())):
            names[f"#e{n}"] = attr
            if value is None:
                conditions.append(f"attribute_not_exists(#e{n})")
            else:
                values[f":e{n}"] = _to_attr(value)
                conditions.append(f"#e{n} = :e{n}")
        expression = ""
        if sets:
            expression += "SET " + ", ".join(sets)
        if removes:
            expression += " REMOVE " + ", ".join(removes)
        params: dict[str, Any] = {
            "TableName": self._table,
            "Key": {"eventId": {"S": event_id}},
            "UpdateExpression": expression.strip(),
            "ConditionExpression": " AND ".join(conditions),
            "ExpressionAttributeNames": names,
        }
        if values:
            params["ExpressionAttributeValues"] = values
        try:
            self._client.update_item(**params)
        except ClientError as error:
            if _code(error) == "ConditionalCheckFailedException":
                raise ConflictError(
                    f"record {event_id} changed since it was read; nothing was overwritten"
                ) from error
            raise SourceUnavailableError(self._describe_write(error, event_id)) from error
        except BotoCoreError as error:
            raise SourceUnavailableError(self._describe_write(error, event_id)) from error

    def _describe_write(self, error: Exception, event_id: str) -> str:
        """A write refused is that record's failure, not the table's: say which record."""
        if isinstance(error, ClientError) and _code(error) == "ResourceNotFoundException":
            return self._describe(error)
        return f"DynamoDB record {str(event_id)[:120]} could not be written: {error}"

    def _describe(self, error: Exception) -> str:
        if isinstance(error, ClientError) and _code(error) == "ResourceNotFoundException":
            return f"DynamoDB table {self._table} was not found (check dynamodb.table and region)"
        return f"DynamoDB table {self._table} could not be read: {error}"


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
