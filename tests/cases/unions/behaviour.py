"""oneOf/anyOf: discriminated (mapped and implicit) and shape-told unions, in bodies,
properties and parameters."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pydantic
import pytest
from cases.support import echo, ok, wire


def check_mapped_discriminator_picks_the_variant(pkg: Any) -> None:
    client, sent = wire(pkg, echo(201))
    for body, variant in (
        ({"pet_type": "cat", "meows": True}, pkg.models.Cat),
        ({"pet_type": "kitty", "meows": False}, pkg.models.Cat),
        ({"pet_type": "dog", "barks": True}, pkg.models.Dog),
    ):
        pet = client.default.create_pet(body=body)
        assert type(pet) is variant and json.loads(sent[-1].content) == body


def check_models_accepted_as_union_bodies(pkg: Any) -> None:
    client, sent = wire(pkg, echo(201))
    pet = client.default.create_pet(body=pkg.models.Dog(pet_type="dog", barks=False))
    assert json.loads(sent[0].content) == {"pet_type": "dog", "barks": False}
    assert isinstance(pet, pkg.models.Dog)


def check_unknown_discriminator_value_rejected(pkg: Any) -> None:
    client, sent = wire(pkg, echo(201))
    with pytest.raises(pydantic.ValidationError):
        client.default.create_pet(body={"pet_type": "fish", "meows": True})
    assert sent == []
    client, _ = wire(pkg, lambda r: httpx.Response(201, json={"pet_type": "fish", "fins": 2}))
    with pytest.raises(pkg.APIResponseValidationError):
        client.default.create_pet(body={"pet_type": "cat", "meows": True}, strict_response_validation=True)
    # A variant added after this package was generated: every property kept.
    fish = client.default.create_pet(body={"pet_type": "cat", "meows": True})
    assert isinstance(fish, pkg.UnknownVariant)
    assert fish.model_dump() == {"pet_type": "fish", "fins": 2}


def check_implicit_discriminator_uses_schema_names(pkg: Any) -> None:
    client, _ = wire(pkg, ok([{"kind": "Circle", "radius": 1}, {"kind": "Square", "side": 2}]))
    circle, square = client.default.list_shapes()
    assert isinstance(circle, pkg.models.Circle) and circle.radius == 1
    assert isinstance(square, pkg.models.Square) and square.side == 2
    client, _ = wire(pkg, ok([{"kind": "circle", "radius": 1}]))
    with pytest.raises(pkg.APIResponseValidationError):
        client.default.list_shapes(strict_response_validation=True)
    [unknown] = client.default.list_shapes()
    assert isinstance(unknown, pkg.UnknownVariant) and unknown.model_extra == {"kind": "circle", "radius": 1}


def check_union_without_discriminator_told_by_shape(pkg: Any) -> None:
    client, _ = wire(pkg, ok([{"address": "a@example.com"}, {"number": "555", "extension": 12}]))
    email, phone = client.default.list_contacts()
    assert isinstance(email, pkg.models.EmailContact) and email.address == "a@example.com"
    assert isinstance(phone, pkg.models.PhoneContact) and phone.extension == 12
    client, _ = wire(pkg, ok([{"neither": True}]))
    with pytest.raises(pkg.APIResponseValidationError):
        client.default.list_contacts(strict_response_validation=True)
    assert [c.model_extra for c in client.default.list_contacts()] == [{"neither": True}]


def check_any_of_with_discriminator(pkg: Any) -> None:
    client, _ = wire(pkg, ok([{"type": "car", "doors": 4}, {"type": "bike"}]))
    car, bike = client.default.list_vehicles()
    assert isinstance(car, pkg.models.Car) and car.doors == 4
    assert isinstance(bike, pkg.models.Bike)


def check_inline_discriminated_property(pkg: Any) -> None:
    client, sent = wire(pkg, echo(201))
    payment = client.default.create_payment(amount=5, source={"method": "transfer", "iban": "DE00"})
    assert json.loads(sent[0].content) == {"amount": 5, "source": {"method": "transfer", "iban": "DE00"}}
    assert isinstance(payment.source, pkg.models.Transfer)
    payment = client.default.create_payment(amount=5, source=pkg.models.Card(method="card", number="4111"))
    assert json.loads(sent[1].content) == {"amount": 5, "source": {"method": "card", "number": "4111"}}
    assert isinstance(payment.source, pkg.models.Card)
    with pytest.raises(pydantic.ValidationError, match="source"):
        client.default.create_payment(amount=5, source={"method": "cash"})


def check_nullable_union_property(pkg: Any) -> None:
    client, sent = wire(pkg, echo(201))
    payment = client.default.create_payment(amount=1, source={"method": "card", "number": "1"}, fallback=None)
    assert json.loads(sent[0].content)["fallback"] is None
    assert payment.fallback is None
    payment = client.default.create_payment(amount=1, source={"method": "card", "number": "1"}, fallback={"number": "9"})
    assert isinstance(payment.fallback, pkg.models.PhoneContact)


def check_primitive_any_of(pkg: Any) -> None:
    client, sent = wire(pkg, ok("abc"))
    assert client.default.get_by_id(id=5) == "abc"
    client.default.get_by_id(id="x-1")
    assert [r.url.path for r in sent] == ["/ids/5", "/ids/x-1"]
    client, _ = wire(pkg, ok(7))
    assert client.default.get_by_id(id=1) == 7
    client, _ = wire(pkg, ok([7]))
    with pytest.raises(pkg.APIResponseValidationError):
        client.default.get_by_id(id=1, strict_response_validation=True)
    assert client.default.get_by_id(id=1) == [7]


def check_camel_case_discriminator_is_named_by_its_field(pkg: Any) -> None:
    """The discriminator is the wire name in the spec and a snake_case field in the model."""
    adapter = pydantic.TypeAdapter(pkg.models.Credentials)
    role = adapter.validate_python({"authMode": "role", "roleArn": "arn:1"})
    assert isinstance(role, pkg.models.RoleAuth) and role.auth_mode == "role"
    key = adapter.validate_python({"authMode": "key", "keyId": "k"})
    assert isinstance(key, pkg.models.KeyAuth)
    with pytest.raises(pydantic.ValidationError, match="does not match any of the expected tags"):
        adapter.validate_python({"authMode": "other", "keyId": "k"})
