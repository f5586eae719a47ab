"""Inline schemas become classes named from where they are, the same on every run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from cases.support import wire

HERE = Path(__file__).resolve().parent


def check_inline_schemas_named_from_their_location(pkg: Any) -> None:
    expected = {
        "CreateOrderRequest",  # request body of createOrder
        "CreateOrderRequestCustomer",  # its property "customer"
        "CreateOrderRequestLinesItem",  # the items of its array property "lines"
        "CreateOrderResponse",  # the 201 response
        "CreateOrderResponseStatus",
        "ListOrdersResponseItem",  # the items of listOrders' array response
        "ShipmentAddress",  # property of a component
        "ShipmentLegsItem",
        "ShipmentMetaValue",  # additionalProperties of a component's property
        "ShipmentCarrier1",  # oneOf variants
        "ShipmentCarrier2",
    }
    assert expected <= set(pkg.models.__all__)


def check_inline_request_and_response(pkg: Any) -> None:
    client, sent = wire(pkg, lambda r: httpx.Response(201, json={"id": "o1", "status": {"code": "NEW"}}))
    order = client.default.create_order(customer={"name": "Ada"}, lines=[{"sku": "x", "qty": 2}, {"sku": "y"}])
    assert json.loads(sent[0].content) == {"customer": {"name": "Ada"}, "lines": [{"sku": "x", "qty": 2}, {"sku": "y"}]}
    assert isinstance(order, pkg.models.CreateOrderResponse)
    assert isinstance(order.status, pkg.models.CreateOrderResponseStatus) and order.status.code == "NEW"
    client, _ = wire(pkg, lambda r: httpx.Response(200, json=[{"id": "o1"}]))
    [item] = client.default.list_orders()
    assert isinstance(item, pkg.models.ListOrdersResponseItem)


def check_inline_error_body_parsed(pkg: Any) -> None:
    client, _ = wire(pkg, lambda r: httpx.Response(400, json={"errors": [{"detail": "no lines"}]}))
    try:
        client.default.create_order(customer={"name": "Ada"}, lines=[])
    except pkg.BadRequestError as exc:
        assert exc.status_code == 400
        assert [e.detail for e in exc.errors] == ["no lines"]
    else:
        raise AssertionError("a 400 response must raise BadRequestError")


def check_inline_union_variants(pkg: Any) -> None:
    shipment = pkg.models.Shipment.model_validate(
        {"carrier": {"ups_id": "1Z"}, "legs": [{"from": "A", "to": "B"}], "meta": {"k": {"note": "n"}}}
    )
    assert isinstance(shipment.carrier, pkg.models.ShipmentCarrier2)
    assert isinstance(shipment.legs[0], pkg.models.ShipmentLegsItem)
    assert isinstance(shipment.meta["k"], pkg.models.ShipmentMetaValue)
    assert shipment.model_dump(mode="json", exclude_unset=True)["legs"] == [{"from": "A", "to": "B"}]


def check_names_do_not_depend_on_the_hash_seed(pkg: Any) -> None:
    """Generate again in a fresh interpreter with another hash seed: the same code."""
    script = (
        "import sys, json\n"
        "from pathlib import Path\n"
        "from generator.pipeline import generate_tree\n"
        "files = generate_tree(Path(sys.argv[1]), package=sys.argv[2])\n"
        "print(json.dumps({k: v for k, v in files.items() if k.endswith('.py')}))\n"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    package = pkg.__name__
    result = subprocess.run(
        [sys.executable, "-c", script, str(HERE / "spec.yaml"), package],
        capture_output=True, text=True, env=env, check=True, cwd=HERE.parents[2],
    )
    again = json.loads(result.stdout)
    root = Path(pkg.__file__).resolve().parent
    written = [p.relative_to(root).as_posix() for p in sorted((root / "models").glob("*.py"))]
    assert len(written) > 1, written  # models/__init__.py and a module per model
    for rel in (*written, "resources/default.py"):
        assert again[f"{package}/{rel}"] == (root / rel).read_text(encoding="utf-8"), rel
    assert sorted(k for k in again if k.startswith(f"{package}/models/")) == [f"{package}/{rel}" for rel in written]
