"""The model stage: what a spec construct becomes in the intermediate representation,
and (end to end) how the generated code for it behaves."""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pydantic
import pytest
import yaml

from generator.ir import Api, ModelDef
from generator.load import load
from generator.model import build, strip_badges
from generator.pipeline import generate_tree
from generator.write import write

PETS: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "1"},
    "servers": [{"url": "https://pets.example"}],
    "tags": [{"name": "Pet Store"}],
    "paths": {
        "/pets": {
            "post": {
                "operationId": "createPet",
                "tags": ["Pet Store"],
                "parameters": [{"name": "class", "in": "query", "schema": {"type": "string", "enum": ["a", "b"]}}],
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewPet"}}}},
                "responses": {"201": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}}}},
            },
            "get": {
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}}}}},
            },
        },
        "/pets/{pet_id}": {
            "delete": {
                "parameters": [{"name": "pet_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
                "responses": {"204": {"description": "gone"}},
            }
        },
    },
    "components": {
        "schemas": {
            "Base": {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "readOnly": True},
                    "name": {"type": "string", "minLength": 1},
                    "from": {"type": "string"},
                    "json": {"type": "string", "nullable": True},
                    "2nd-owner": {"type": "string"},
                    "kind": {"$ref": "#/components/schemas/Kind"},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "extra": {"type": "object", "additionalProperties": {"type": "integer"}},
                    "address": {"type": "object", "properties": {"city": {"type": "string"}}},
                },
            },
            "Kind": {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}], "discriminator": {"propertyName": "type", "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"}}},
            "Cat": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}, "purrs": {"type": "boolean", "default": True}}},
            "Dog": {"type": "object", "required": ["type"], "properties": {"type": {"type": "string"}, "barks": {"type": "boolean"}}},
            "NewPet": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"required": ["name", "kind"]}]},
            "Pet": {"allOf": [{"$ref": "#/components/schemas/Base"}, {"required": ["id", "name"]}]},
        }
    },
}


def write_spec(tmp_path: Path, spec: dict[str, Any], name: str = "pets.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(spec, sort_keys=False))
    return path


@pytest.fixture
def api(tmp_path: Path) -> Api:
    return build(load(write_spec(tmp_path, PETS)), package="pets_client")


def model(api: Api, name: str) -> ModelDef:
    return next(m for m in api.models if m.name == name)


def test_all_of_merges_properties_and_required(api: Api) -> None:
    new_pet = model(api, "NewPet")
    fields = {f.wire_name: f for f in new_pet.fields}
    assert list(fields) == ["id", "name", "from", "json", "2nd-owner", "kind", "tags", "extra", "address"]
    assert fields["name"].required and fields["kind"].required and not fields["tags"].required
    pet = {f.wire_name: f for f in model(api, "Pet").fields}
    assert not pet["id"].required and pet["id"].read_only  # readOnly is never required of callers


def test_request_only_models_forbid_extra_and_response_models_allow(api: Api) -> None:
    assert model(api, "NewPet").extra == "forbid"
    assert model(api, "Pet").extra == "allow"


def test_unsafe_names_get_aliases(api: Api) -> None:
    names = {f.wire_name: f.name for f in model(api, "Base").fields}
    assert names["from"] == "from_" and names["json"] == "json_" and names["2nd-owner"] == "field_2_nd_owner"


def test_discriminator_types_variant_property_as_literal(api: Api) -> None:
    cat = {f.wire_name: f for f in model(api, "Cat").fields}
    assert cat["type"].annotation == 'Literal["cat"]' and cat["type"].required
    kind = next(a for a in api.aliases if a.name == "Kind")
    assert kind.type.annotation == 'Annotated[Cat | Dog, Field(discriminator="type")]'


def test_inline_objects_are_named_from_their_location(api: Api) -> None:
    assert "BaseAddress" in {m.name for m in api.models}


def test_resources_methods_and_fallback_names(api: Api) -> None:
    methods = {r.attribute: [op.method_name for op in r.operations] for r in api.resources}
    # The tag, snake-cased; untagged operations go to "default" and, with no operationId,
    # are named from their method and path.
    assert methods == {"pet_store": ["create_pet"], "default": ["get_pets", "delete_pets_by_pet_id"]}
    delete = next(r for r in api.resources if r.attribute == "default").operations[1]
    assert delete.response_type == "None" and delete.path_params[0].name == "pet_id"


def test_strip_badges() -> None:
    text = "[![Early Access](https://img/x.svg)](#lifecycle) [![Other](https://i/y)](mailto:a@b)\n\nDoes things.\n![img](x.png)"
    assert strip_badges(text) == "Does things."


@pytest.fixture
def pets(tmp_path: Path) -> Iterator[Any]:
    """Generate the pets package into a temporary directory and import it."""
    files = generate_tree(write_spec(tmp_path, PETS), package="pets_client")
    write(files, tmp_path / "out")
    sys.path.insert(0, str(tmp_path / "out"))
    try:
        yield importlib.import_module("pets_client")
    finally:
        sys.path.remove(str(tmp_path / "out"))
        for name in [n for n in sys.modules if n == "pets_client" or n.startswith("pets_client.")]:
            del sys.modules[name]


def test_generated_package_behaves(pets: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        if request.method == "DELETE":
            return httpx.Response(204)
        body = json.loads(request.content)
        return httpx.Response(201, json={**body, "id": "p1", "brand_new": True})

    monkeypatch.setenv("PETS_CLIENT_API_KEY", "unused")
    client = pets.Client(http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    # Keyword arguments: Python-safe names; a nullable field sent as null only when given.
    pet = client.pet_store.create_pet(
        name="Rex", kind={"type": "dog", "barks": True}, from_="shelter", json=None, class_="a"
    )
    assert json.loads(sent[0].content) == {"name": "Rex", "kind": {"type": "dog", "barks": True}, "from": "shelter", "json": None}
    assert sent[0].url.params["class"] == "a"
    assert isinstance(pet.kind, pets.models.Dog) and pet.id == "p1"
    assert pet.model_extra == {"brand_new": True}
    with pytest.raises(pydantic.ValidationError, match="kind"):
        client.pet_store.create_pet(name="Rex", kind={"type": "fish"})
    with pytest.raises(pydantic.ValidationError, match="surprise"):
        pets.models.NewPet(name="Rex", kind={"type": "cat"}, surprise=1)
    # A read-only field given to a request model is accepted but never sent.
    client.pet_store.create_pet(name="Rex", kind=pets.models.Cat(type="cat"), **{})
    new_pet = pets.models.NewPet(id="server-side", name="Rex", kind={"type": "cat"})
    assert new_pet.model_dump(mode="json", exclude_unset=True, context={"request": True}) == {"name": "Rex", "kind": {"type": "cat"}}
    assert client.default.delete_pets_by_pet_id(pet_id=7) is None
    assert sent[-1].url.path == "/pets/7"


def test_union_in_all_of_is_distributed_over_its_variants(tmp_path: Path) -> None:
    """``allOf: [<oneOf A | B>, Common]`` is ``A + Common | B + Common`` (peertube's
    VideoCreateImport): each variant merged with the rest, the outer ``required`` on each."""
    spec: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {
            "schemas": {
                "Common": {"type": "object", "properties": {"name": {"type": "string"}}},
                "Import": {
                    "allOf": [
                        {"oneOf": [
                            {"properties": {"url": {"type": "string"}}, "required": ["url"]},
                            {"properties": {"file": {"type": "string"}}, "required": ["file"]},
                        ]},
                        {"$ref": "#/components/schemas/Common"},
                    ],
                    "required": ["name"],
                },
            }
        },
    }
    built = build(load(write_spec(tmp_path, spec)), package="dist")
    first, second = model(built, "Import1"), model(built, "Import2")
    assert [(f.wire_name, f.required) for f in first.fields] == [("url", True), ("name", True)]
    assert [(f.wire_name, f.required) for f in second.fields] == [("file", True), ("name", True)]
    alias = next(a for a in built.aliases if a.name == "Import")
    assert alias.type.annotation == "Import1 | Import2"


def test_a_default_beside_a_union_of_literals_is_judged_without_error() -> None:
    """``Literal["a"] | Literal["b"]`` is not one Literal: judged by its text (GitHub's spec)."""
    from generator.ir import TypeExpr
    from generator.schemas import _fits

    both = TypeExpr('Literal["a"] | Literal["b"]', 'Literal["a"] | Literal["b"]')
    assert _fits(both, "a")
    assert not _fits(both, "c")
    assert _fits(TypeExpr('Literal["6", "12"]', ""), "6") and not _fits(TypeExpr('Literal["6", "12"]', ""), 6)
