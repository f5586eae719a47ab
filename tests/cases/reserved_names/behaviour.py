"""Keywords, digits, punctuation and non-ASCII names: valid identifiers, exact wire names."""

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
THING_WIRE = list(SPEC["components"]["schemas"]["Thing"]["properties"])
COMMON = {"extra_headers", "extra_query", "extra_body", "timeout", "max_retries", "strict_response_validation"}


def good_identifier(name: str) -> bool:
    return name.isidentifier() and name.isascii() and not keyword.iskeyword(name) and not name.startswith("_")


def sample(wire_name: str, annotation: str, index: int) -> Any:
    if annotation.startswith("bool"):
        return True
    if annotation.startswith("int"):
        return index
    if annotation.startswith(("str", "Literal")):
        return f"v{index}"
    return {}


def check_field_names_are_identifiers_and_aliases_wire_names(pkg: Any) -> None:
    for class_name in pkg.models.__all__:
        model = getattr(pkg.models, class_name)
        assert good_identifier(class_name), class_name
        for name in model.model_fields:
            assert good_identifier(name), (class_name, name)
            assert not hasattr(pydantic.BaseModel, name), (class_name, name)
    thing = pkg.models.Thing.model_fields
    assert [f.alias or n for n, f in thing.items()] == THING_WIRE


def check_wire_names_round_trip(pkg: Any) -> None:
    payload = {name: f"v-{i}" for i, name in enumerate(THING_WIRE)}
    payload.update({"True": True, "2fa": False, "größe": 3, "second": {"x": "1"}, "groesse": {"y": "2"}, "namae": {"z": "3"}, "klass": {"def": "4"}})
    thing = pkg.models.Thing.model_validate(payload)
    assert thing.model_dump(mode="json", exclude_unset=True) == payload
    assert thing.class_ == "v-0" and thing.from_ == "v-1"


def check_digit_and_non_ascii_schema_names(pkg: Any) -> None:
    thing = pkg.models.Thing.model_validate(
        {"class": "c", "from": "f", "second": {"x": "1"}, "groesse": {"y": "2"}, "namae": {"z": "3"}, "klass": {"def": "4"}}
    )
    classes = [type(thing.second), type(thing.groesse), type(thing.namae), type(thing.klass)]
    assert len(set(classes)) == 4 and all(good_identifier(c.__name__) for c in classes)
    assert (thing.second.x, thing.groesse.y, thing.namae.z) == ("1", "2", "3")
    assert thing.klass.model_dump(mode="json", exclude_unset=True) == {"def": "4"}


def check_keyword_operation_ids_become_methods(pkg: Any) -> None:
    client, sent = wire(pkg, lambda r: httpx.Response(200, json=[{"def": "x"}]))
    assert callable(client.default.import_)
    [klass] = client.default.class_()
    assert sent[0].url.path == "/classes" and klass.model_dump(mode="json", exclude_unset=True) == {"def": "x"}


def check_every_argument_is_sent_under_its_wire_name(pkg: Any) -> None:
    client, sent = wire(pkg, lambda r: httpx.Response(200, json={"class": "c", "from": "f"}))
    signature = inspect.signature(client.default.import_)
    params = {n: p for n, p in signature.parameters.items() if n not in COMMON}
    assert all(good_identifier(n) for n in params)
    values = {n: sample(n, str(p.annotation), i) for i, (n, p) in enumerate(params.items())}
    result = client.default.import_(**values)
    request = sent[0]
    query = dict(request.url.params.multi_items())
    assert set(query) == {"from", "self", "timeout", "max_retries", "extra_query", "2fa", "größe"}
    assert request.headers.get("extra_headers") is not None and request.headers.get("X-Request-ID") is not None
    body = json.loads(request.content)
    assert set(body) == set(THING_WIRE)
    path_value = request.url.path.removeprefix("/things/")
    assert path_value in values.values() and path_value not in body.values()
    # The method's own options still work next to parameters that share their names.
    assert result.class_ == "c"
    client.default.import_(class_="c", **{n: v for n, v in values.items() if n != "class_"}, timeout=5.0, max_retries=0)
    assert dict(sent[1].url.params.multi_items())["timeout"] == query["timeout"]
