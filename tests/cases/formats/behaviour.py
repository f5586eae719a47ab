"""String and number formats: parsed to the right Python types, validated, and sent exactly."""

from __future__ import annotations

import datetime
import json
from typing import Any

import httpx
import pydantic
import pytest
from cases.support import echo, wire

UUID = "6F9619FF-8B86-D011-B42D-00C04FC964FF"
AT = "2024-05-06T07:08:09Z"


def event(pkg: Any, **fields: Any) -> Any:
    return pkg.models.Event.model_validate({"id": UUID, "at": AT, **fields})


def check_date_time_parsed_and_sent(pkg: Any) -> None:
    client, sent = wire(pkg, echo(201))
    at = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)
    created = client.default.create_event(id=UUID, at=at)
    assert json.loads(sent[0].content) == {"id": UUID, "at": AT}
    assert created.at == at and created.at.tzinfo is not None
    created = client.default.create_event(id=UUID, at="2024-05-06T09:08:09+02:00")
    assert json.loads(sent[1].content)["at"] == "2024-05-06T09:08:09+02:00"
    assert created.at == at
    with pytest.raises(pydantic.ValidationError, match="at"):
        client.default.create_event(id=UUID, at="yesterday")
    assert len(sent) == 2


def check_date_parsed_and_validated(pkg: Any) -> None:
    assert event(pkg, day="2024-02-29").day == datetime.date(2024, 2, 29)
    with pytest.raises(pydantic.ValidationError, match="day"):
        event(pkg, day="2023-02-29")
    client, sent = wire(pkg, echo(201))
    client.default.create_event(id=UUID, at=AT, day=datetime.date(2024, 1, 2))
    assert json.loads(sent[0].content)["day"] == "2024-01-02"


def check_uuid_validated_and_kept_exactly(pkg: Any) -> None:
    assert event(pkg).id == UUID
    with pytest.raises(pydantic.ValidationError, match="id"):
        event(pkg, id="not-a-uuid")


def check_uri_validated_and_kept_exactly(pkg: Any) -> None:
    assert event(pkg, link="https://example.com").link == "https://example.com"
    assert event(pkg, link="urn:isbn:0451450523").link == "urn:isbn:0451450523"
    with pytest.raises(pydantic.ValidationError, match="link"):
        event(pkg, link="not a uri")


def check_email_validated(pkg: Any) -> None:
    assert event(pkg, contact="ada@example.com").contact == "ada@example.com"
    with pytest.raises(pydantic.ValidationError, match="contact"):
        event(pkg, contact="ada-at-example")


def check_byte_is_base64_text_kept_exactly(pkg: Any) -> None:
    client, sent = wire(pkg, echo(201))
    created = client.default.create_event(id=UUID, at=AT, payload="aGVsbG8=")
    assert json.loads(sent[0].content)["payload"] == "aGVsbG8="
    assert created.payload == "aGVsbG8="


def check_byte_must_be_base64(pkg: Any) -> None:
    with pytest.raises(pydantic.ValidationError, match="payload"):
        event(pkg, payload="not base64!")


def check_int32_and_int64_ranges_in_bodies(pkg: Any) -> None:
    assert event(pkg, count=-(2**31), total=2**63 - 1).count == -(2**31)
    with pytest.raises(pydantic.ValidationError, match="count"):
        event(pkg, count=2**31)
    with pytest.raises(pydantic.ValidationError, match="total"):
        event(pkg, total=2**63)


def check_numbers_accept_integers(pkg: Any) -> None:
    parsed = event(pkg, score=1, ratio=0.25)
    assert parsed.score == 1.0 and isinstance(parsed.score, float) and parsed.ratio == 0.25


def check_unknown_format_is_a_plain_string(pkg: Any) -> None:
    assert event(pkg, color="mauve-ish").color == "mauve-ish"


def check_formats_in_query_parameters(pkg: Any) -> None:
    client, sent = wire(pkg, lambda r: httpx.Response(200, json=[]))
    since = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)
    client.default.list_events(since=since, day=datetime.date(2024, 1, 2), id=UUID, limit=10)
    params = sent[0].url.params
    assert datetime.datetime.fromisoformat(params["since"]) == since
    assert params["day"] == "2024-01-02"
    assert params["id"] == UUID
    assert params["limit"] == "10"
    with pytest.raises(pydantic.ValidationError, match="id"):
        client.default.list_events(id="nope")
    assert len(sent) == 1


def check_int32_range_in_query_parameters(pkg: Any) -> None:
    client, sent = wire(pkg, lambda r: httpx.Response(200, json=[]))
    with pytest.raises(pydantic.ValidationError, match="limit"):
        client.default.list_events(limit=2**31)
    assert sent == []


def check_formats_parsed_in_responses(pkg: Any) -> None:
    body = [{"id": UUID, "at": AT, "day": "2024-01-02", "link": "https://x.example/a?b=c", "count": 1}]
    client, _ = wire(pkg, lambda r: httpx.Response(200, json=body))
    [parsed] = client.default.list_events()
    assert isinstance(parsed.at, datetime.datetime) and isinstance(parsed.day, datetime.date)
    assert parsed.link == "https://x.example/a?b=c"
    client, _ = wire(pkg, lambda r: httpx.Response(200, json=[{**body[0], "id": "123"}]))
    with pytest.raises(pkg.APIResponseValidationError):
        client.default.list_events(strict_response_validation=True)
    [lenient] = client.default.list_events()  # the bad id is kept raw, the rest typed
    assert lenient.id == "123" and isinstance(lenient.at, datetime.datetime)
