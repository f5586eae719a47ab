"""allOf: parts merged into one flat model, required lists united, later parts overriding."""

from __future__ import annotations

import inspect
import json
from typing import Any

import httpx
import pydantic
import pytest
from cases.support import wire

DOG = {"name": "Rex", "created": "2024-01-02T03:04:05Z", "species": "dog", "breed": "lab"}


def wire_names(model: type[pydantic.BaseModel]) -> set[str]:
    return {field.alias or name for name, field in model.model_fields.items()}


def check_properties_of_all_parts_merged(pkg: Any) -> None:
    assert wire_names(pkg.models.Pet) == {"name", "description", "created", "species", "owner"}
    assert wire_names(pkg.models.Dog) == {"name", "description", "created", "species", "owner", "breed"}
    assert wire_names(pkg.models.NewDog) == wire_names(pkg.models.Dog)


def check_required_lists_united(pkg: Any) -> None:
    pkg.models.Dog.model_validate(DOG)
    for missing in ("name", "species", "breed"):
        with pytest.raises(pydantic.ValidationError, match=missing):
            pkg.models.Dog.model_validate({k: v for k, v in DOG.items() if k != missing})
    with pytest.raises(pydantic.ValidationError, match="description"):
        pkg.models.NewDog.model_validate(DOG)


def check_later_part_overrides_a_property(pkg: Any) -> None:
    assert pkg.models.Pet.model_validate({**DOG, "description": "x" * 50}).description == "x" * 50
    with pytest.raises(pydantic.ValidationError, match="description"):
        pkg.models.Dog.model_validate({**DOG, "description": "x" * 11})


def check_wrapped_ref_keeps_its_type(pkg: Any) -> None:
    dog = pkg.models.Dog.model_validate({**DOG, "owner": {"name": "Ann"}})
    assert isinstance(dog.owner, pkg.models.Named) and dog.owner.name == "Ann"


def check_request_arguments_and_wire(pkg: Any) -> None:
    client, sent = wire(pkg, lambda r: httpx.Response(201, json={**DOG, "description": "good"}))
    params = inspect.signature(client.default.create_dog).parameters
    required = {n for n, p in params.items() if p.default is inspect.Parameter.empty}
    assert required == {"name", "species", "breed", "description"}
    assert "created" not in params  # read-only in Timestamped
    dog = client.default.create_dog(name="Rex", species="dog", breed="lab", description="good", owner={"name": "Ann"})
    assert json.loads(sent[0].content) == {
        "name": "Rex",
        "species": "dog",
        "breed": "lab",
        "description": "good",
        "owner": {"name": "Ann"},
    }
    assert isinstance(dog, pkg.models.Dog) and dog.created.year == 2024
