"""$refs to sibling files are bundled; refs that leave the spec's directory are refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pydantic
import pytest
from cases.support import wire

from generator.errors import SpecErrors
from generator.pipeline import generate_tree

HERE = Path(__file__).resolve().parent
PET = {"id": 1, "name": "Rex", "tag": "good", "owner": {"name": "Ann", "pets": [{"id": 2, "name": "Fido"}]}}


def check_schemas_from_sibling_files(pkg: Any) -> None:
    client, _ = wire(pkg, lambda r: httpx.Response(200, json=[PET]))
    [pet] = client.default.list_pets()
    assert isinstance(pet, pkg.models.Pet) and pet.tag == "good"
    assert isinstance(pet.owner, pydantic.BaseModel) and pet.owner.name == "Ann"
    assert isinstance(pet.owner.pets[0], pkg.models.Pet)  # a ref back into pet.yaml


def check_local_refs_inside_a_sibling_file(pkg: Any) -> None:
    client, sent = wire(pkg, lambda r: httpx.Response(201, json=PET))
    client.default.create_pet(name="Rex", tag="shy")
    assert json.loads(sent[0].content) == {"name": "Rex", "tag": "shy"}
    with pytest.raises(pydantic.ValidationError, match="tag"):
        client.default.create_pet(name="Rex", tag="grumpy")


def check_parameter_and_response_from_sibling_files(pkg: Any) -> None:
    client, sent = wire(pkg, lambda r: httpx.Response(200, json=[]))
    client.default.list_pets(limit=3)
    assert sent[0].url.query == b"limit=3"
    client, _ = wire(pkg, lambda r: httpx.Response(404, json={"errors": [{"detail": "no owner"}]}))
    with pytest.raises(pkg.NotFoundError) as caught:
        client.default.create_pet(name="Rex")
    assert [e.detail for e in caught.value.errors] == ["no owner"]


def check_component_that_refs_a_whole_file(pkg: Any) -> None:
    client, sent = wire(pkg, lambda r: httpx.Response(200, json=PET["owner"]))
    owner = client.default.get_owner(id="o1")
    assert sent[0].url.path == "/owners/o1"
    assert isinstance(owner, pkg.models.Owner) and owner.name == "Ann"


def check_refs_leaving_the_directory_are_refused(pkg: Any) -> None:
    for name, where in (
        ("spec.yaml", "spec.yaml#/paths/~1pets/get/responses/200/content/application~1json/schema/$ref"),
        ("indirect.yaml", "/Pet/properties/owner/$ref"),
        ("absolute.yaml", "absolute.yaml#/paths/~1pets/get/responses/200/content/application~1json/schema/$ref"),
    ):
        with pytest.raises(SpecErrors) as caught:
            generate_tree(HERE / "leaving" / name, package="refused")
        message = str(caught.value)
        assert "leaves the spec's directory" in message, message
        assert where in message, message
