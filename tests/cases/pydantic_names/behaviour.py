"""Properties named like pydantic.BaseModel attributes (json, schema, model_config, ...)."""

from __future__ import annotations

import inspect
import json
import keyword
from pathlib import Path
from typing import Any

import httpx
import pydantic
import yaml
from cases.support import wire

SPEC = yaml.safe_load((Path(__file__).resolve().parent / "spec.yaml").read_text(encoding="utf-8"))
WIRE = list(SPEC["components"]["schemas"]["Thing"]["properties"])
COMMON = {"extra_headers", "extra_query", "extra_body", "timeout", "max_retries", "strict_response_validation"}
PAYLOAD = {name: f"v-{name}" for name in WIRE if name != "schema_ref"} | {"schema_ref": {"w": "x"}}


def check_fields_do_not_shadow_model_attributes(pkg: Any) -> None:
    fields = pkg.models.Thing.model_fields
    assert [f.alias or n for n, f in fields.items()] == WIRE
    for name in fields:
        assert not hasattr(pydantic.BaseModel, name), name


def check_model_api_still_works(pkg: Any) -> None:
    thing = pkg.models.Thing.model_validate(PAYLOAD)
    assert isinstance(pkg.models.Thing.model_config, dict)
    assert thing.model_dump(mode="json", exclude_unset=True) == PAYLOAD
    assert json.loads(thing.model_dump_json(exclude_unset=True)) == PAYLOAD
    assert pkg.models.Thing.model_validate_json(json.dumps(PAYLOAD)) == thing


def check_sent_and_parsed_under_wire_names(pkg: Any) -> None:
    client, sent = wire(pkg, lambda r: httpx.Response(200, json=PAYLOAD))
    params = [n for n in inspect.signature(client.default.create_thing).parameters if n not in COMMON]
    assert len(params) == len(WIRE) and all(n.isidentifier() and not keyword.iskeyword(n) for n in params)
    arguments = {n: ({"w": "x"} if n == "schema_ref" else f"arg-{n}") for n in params}
    result = client.default.create_thing(**arguments)
    body = json.loads(sent[0].content)
    assert set(body) == set(WIRE)
    assert len({json.dumps(v) for v in body.values()}) == len(WIRE)
    assert result.model_dump(mode="json", exclude_unset=True) == PAYLOAD
