"""Start-up grows with what is used (issue 15): what each step of a process imports.

Creating a client imports no resource and no model module; reaching a resource imports that
resource's module and the modules of the models its methods need, nothing else; every name of
``models`` and ``resources`` is still importable, as before. Each check runs in a fresh
interpreter and reads ``sys.modules``. Timings are benchmarks (``bench/startup.py``), not tests.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import confluent_partner_v2
import pytest
from confluent_partner_v2 import models, params, resources

from generator.load import load
from generator.model import build
from generator.model_modules import model_modules
from generator.pipeline import generate_tree
from generator.write import write

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "generated"

# Two resources with models of their own, one model both use, a cycle, and a union alias.
SPEC = textwrap.dedent(
    """
    openapi: 3.0.3
    info: {title: Shop, version: "1"}
    servers: [{url: https://shop.example}]
    components:
      securitySchemes:
        key: {type: http, scheme: basic}
      schemas:
        Money:
          type: object
          required: [amount]
          properties: {amount: {type: integer}, currency: {type: string}}
        Order:
          type: object
          properties:
            total: {$ref: '#/components/schemas/Money'}
            lines: {type: array, items: {$ref: '#/components/schemas/OrderLine'}}
        OrderLine:
          type: object
          properties:
            order: {$ref: '#/components/schemas/Order'}
            price: {$ref: '#/components/schemas/Money'}
        Refund:
          type: object
          properties: {amount: {$ref: '#/components/schemas/Money'}}
        Item:
          type: object
          required: [sku]
          properties: {sku: {type: string}}
        Bundle:
          type: object
          properties: {items: {type: array, items: {$ref: '#/components/schemas/Item'}}}
        Stock:
          oneOf: [{$ref: '#/components/schemas/Item'}, {$ref: '#/components/schemas/Bundle'}]
    security: [{key: []}]
    paths:
      /orders:
        post:
          operationId: createOrder
          tags: [orders]
          requestBody:
            required: true
            content: {application/json: {schema: {$ref: '#/components/schemas/Order'}}}
          responses:
            '201': {description: made, content: {application/json: {schema: {$ref: '#/components/schemas/Order'}}}}
      /refunds:
        post:
          operationId: refund
          tags: [orders]
          requestBody:
            content: {application/json: {schema: {$ref: '#/components/schemas/Refund'}}}
          responses:
            '204': {description: done}
      /stock:
        get:
          operationId: getStock
          tags: [stock]
          responses:
            '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Stock'}}}}
    """
)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shop spec's package, generated into a temporary directory (its parent is returned)."""
    root = tmp_path_factory.mktemp("shop")
    spec = root / "shop.yaml"
    spec.write_text(SPEC)
    write(generate_tree(spec, package="shop"), root / "out")
    return root / "out"


def loaded_after(path: Path, package: str, code: str) -> list[str]:
    """The package's modules in ``sys.modules`` after ``code`` ran in a fresh interpreter."""
    script = (
        "import sys, json\n"
        + textwrap.dedent(code)
        + f"\nprint(json.dumps(sorted(m for m in sys.modules if m.startswith({package + '.'!r}))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=path,
        env={"PYTHONPATH": str(path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    found: list[str] = json.loads(done.stdout.splitlines()[-1])
    return found


CLIENT = """
import httpx
import {pkg}
http = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(200, json={{}})))
client = {pkg}.{client}(base_url="http://127.0.0.1:9", http_client=http, api_key="k", api_secret="s")
"""


def _ours(modules: list[str], package: str) -> list[str]:
    """The generated modules of interest: models, resources and params (not the runtime)."""
    return [m for m in modules if m.removeprefix(package + ".").split(".")[0] in ("models", "resources", "params")]


def test_creating_a_client_imports_no_resource_and_no_model(shop: Path) -> None:
    loaded = loaded_after(shop, "shop", CLIENT.format(pkg="shop", client="Client"))
    assert "shop._client" in loaded
    assert _ours(loaded, "shop") == []


def test_a_blocking_client_never_imports_asyncio(shop: Path) -> None:
    code = CLIENT.format(pkg="shop", client="Client") + textwrap.dedent(
        """
        client.orders.create_order(total={"amount": 3})
        print(json.dumps(["asyncio" in sys.modules]))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", "import sys, json\n" + textwrap.dedent(code)], capture_output=True, text=True,
        check=False, cwd=shop, env={"PYTHONPATH": str(shop), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == [False]


def test_the_partner_client_imports_no_resource_and_no_model() -> None:
    code = CLIENT.format(pkg="confluent_partner_v2", client="PartnerClient")
    loaded = loaded_after(GENERATED, "confluent_partner_v2", code)
    assert _ours(loaded, "confluent_partner_v2") == []


def test_reaching_a_resource_imports_only_its_models(shop: Path) -> None:
    loaded = loaded_after(shop, "shop", CLIENT.format(pkg="shop", client="Client") + "client.orders\n")
    assert _ours(loaded, "shop") == [
        "shop.models",  # the package module: it defines nothing, it names where things are
        "shop.models._money",
        "shop.models._order_line",  # Order and OrderLine refer to each other: one module
        "shop.models._refund",
        "shop.resources",
        "shop.resources.orders",
    ]
    loaded = loaded_after(shop, "shop", CLIENT.format(pkg="shop", client="Client") + "client.stock\n")
    assert _ours(loaded, "shop") == [
        "shop.models",
        "shop.models._bundle",
        "shop.models._item",
        "shop.models._stock",
        "shop.resources",
        "shop.resources.stock",
    ]


def test_the_modules_a_resource_imports_are_those_of_its_models() -> None:
    """On the partner package: what ``client.signups`` imports is exactly the closure, computed
    from the API model, of the models its methods name (so no model it does not need)."""
    api = build(load(ROOT / "spec" / "partner-v2.yaml"), package="confluent_partner_v2")
    modules = model_modules(api)
    signups = next(r for r in api.resources if r.attribute == "signups")
    named = {n for op in signups.operations for n in (*op.refs, op.body_model) if n}
    expected = {f"confluent_partner_v2.models.{m}" for m in modules.needed(named)}
    code = CLIENT.format(pkg="confluent_partner_v2", client="PartnerClient") + "client.signups\n"
    loaded = loaded_after(GENERATED, "confluent_partner_v2", code)
    assert {m for m in loaded if m.startswith("confluent_partner_v2.models.")} == expected
    assert "confluent_partner_v2.params" not in loaded  # TypedDicts are for type checkers only
    # Models no signups method needs are left alone.
    assert "confluent_partner_v2.models._organization" not in loaded
    assert "confluent_partner_v2.models._entitlement" not in loaded


def test_a_call_works_through_the_lazy_resource(shop: Path) -> None:
    code = CLIENT.format(pkg="shop", client="Client") + textwrap.dedent(
        """
        order = client.orders.create_order(total={"amount": 3}, lines=[{"price": {"amount": 3}}])
        assert type(order).__name__ == "Order", order
        stock = client.stock.get_stock(strict_response_validation=False)
        """
    )
    loaded = loaded_after(shop, "shop", code)
    assert "shop.resources.stock" in loaded


def test_every_model_name_is_importable() -> None:
    for name in models.__all__:
        value = getattr(models, name)
        assert value is not None, name
        assert name in dir(models)
    namespace: dict[str, object] = {}
    exec("from confluent_partner_v2.models import *", namespace)
    assert set(models.__all__) <= set(namespace)
    from confluent_partner_v2.models import SignupOrganization, SsoConfig

    assert SignupOrganization.__module__ == "confluent_partner_v2.models._signup_organization"
    assert SsoConfig is models.SsoConfig


def test_models_lists_every_definition_of_the_spec() -> None:
    api = build(load(ROOT / "spec" / "partner-v2.yaml"), package="confluent_partner_v2")
    assert sorted(models.__all__) == sorted(d.name for d in api.definitions)
    assert sorted(params.__all__)  # and the TypedDicts stay importable from params


def test_every_resource_name_is_importable() -> None:
    from confluent_partner_v2.resources import AsyncSignupsResource, SignupsResource

    assert {SignupsResource, AsyncSignupsResource} == {getattr(resources, n) for n in resources.__all__}
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        resources.Nope  # noqa: B018


def test_an_unknown_model_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        models.Nope  # noqa: B018
    with pytest.raises(ImportError):
        exec("from confluent_partner_v2.models import Nope", {})


def test_a_resource_is_made_once_per_client_and_bound_to_it() -> None:
    import httpx

    http = httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(204)))
    client = confluent_partner_v2.PartnerClient(api_key="k", api_secret="s", http_client=http)
    first = client.signups
    assert client.signups is first and first._client is client
    copy = client.with_options(max_retries=0)
    assert copy.signups is not first and copy.signups._client is copy
    assert client.signups is first  # the original keeps its own
    assert type(client).signups.resolve() is resources.SignupsResource
    async_client = confluent_partner_v2.AsyncPartnerClient(api_key="k", api_secret="s")
    assert isinstance(async_client.signups, resources.AsyncSignupsResource)


def test_the_recursive_cases_keep_their_cycles_in_one_module() -> None:
    """Mutually recursive models (and a union alias in the cycle) share a module; other
    models have one each. The feature cases ``recursion`` and ``recursive_unions`` exercise them."""
    cases = ROOT / "tests" / "cases"
    groups = {}
    for case in ("recursion", "recursive_unions"):
        api = build(load(cases / case / "spec.yaml"), package=f"case_{case}")
        groups[case] = {m.name: [d.name for d in m.definitions] for m in model_modules(api).modules}
    assert groups["recursion"]["_department"] == ["Department", "Employee"]
    assert groups["recursion"]["_tree_node"] == ["TreeNode"]
    assert groups["recursive_unions"]["_sum"] == ["Sum", "Expr"]  # the alias after what it names
    assert groups["recursive_unions"]["_const"] == ["Const"]


def test_a_call_builds_the_validators_of_its_own_models_only(shop: Path) -> None:
    """Model classes are defined when their module runs; pydantic builds their validators when
    first used (``defer_build``), so a call builds what it validates and nothing else."""
    code = CLIENT.format(pkg="shop", client="Client") + textwrap.dedent(
        """
        from shop.models._order_line import Order
        from shop.models._refund import Refund
        orders = client.orders
        before = (Order.__pydantic_complete__, Refund.__pydantic_complete__)
        orders.create_order(total={"amount": 3})
        after = (Order.__pydantic_complete__, Refund.__pydantic_complete__)
        print(json.dumps([before, after]))
        """
    )
    script = "import sys, json\n" + textwrap.dedent(code)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=shop,
        env={"PYTHONPATH": str(shop), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == [[False, False], [True, False]]
