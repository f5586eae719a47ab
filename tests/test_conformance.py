"""The generated client against the documentation of record and the spec.

``tests/fixtures/documented_methods.json`` holds the documented method tables: the current one
(names, who may call them, required and optional parameters, descriptions, parameter table,
EXEC examples) and a legacy one from an older document whose names and ``data__`` prefixes
differ. The generated package must agree with both, in its method signatures, in
``confluent_partner_v2.METHODS`` and in ``METHODS.md``; and the required parameters must be
the ones the spec itself implies.
"""

from __future__ import annotations

import copy
import inspect
import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import confluent_partner_v2
import httpx
import pytest
import yaml
from confluent_partner_v2 import METHODS, OMIT, AsyncPartnerClient, PartnerClient, models
from confluent_partner_v2.resources import AsyncSignupsResource, SignupsResource

from generator.naming import legacy_snake

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
FIXTURE_PATH = HERE / "fixtures" / "documented_methods.json"
SPEC_PATH = ROOT / "spec" / "partner-v2.yaml"
METHODS_MD = Path(confluent_partner_v2.__file__).resolve().parent / "METHODS.md"
BASE_URL = "http://127.0.0.1:9"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
# Keyword arguments every method takes on top of the documented ones.
PASS_THROUGH = {"extra_headers", "extra_query", "timeout"}


@cache
def _fixture() -> dict[str, Any]:
    with FIXTURE_PATH.open(encoding="utf-8") as fh:
        data = json.load(fh)
    assert isinstance(data, dict)
    return data


def fixture() -> dict[str, Any]:
    return copy.deepcopy(_fixture())


@cache
def _spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict)
    return data


def current_methods() -> list[dict[str, Any]]:
    methods: list[dict[str, Any]] = fixture()["current"]["methods"]
    return methods


def legacy_methods() -> list[dict[str, Any]]:
    methods: list[dict[str, Any]] = fixture()["legacy"]["methods"]
    return methods


def method_ids(methods: list[dict[str, Any]]) -> list[str]:
    return [m["name"] for m in methods]


def normalise(text: str) -> str:
    """Documentation text reduced for comparison: no backticks, whitespace collapsed."""
    text = text.replace("`", "")
    text = re.sub(r"<br\s*/?>", " ", text)
    return " ".join(text.split())


@pytest.fixture(params=["sync", "async"])
def resource(request: pytest.FixtureRequest) -> SignupsResource | AsyncSignupsResource:
    """The ``signups`` resource of a client of either flavour (nothing is sent)."""
    if request.param == "sync":
        sync_http = httpx.Client(transport=httpx.MockTransport(_refuse))
        request.addfinalizer(sync_http.close)
        client = PartnerClient(
            api_key="key", api_secret="secret", base_url=BASE_URL, http_client=sync_http
        )
        return client.signups
    # The async pool is never used (no request is sent), so it needs no closing.
    async_http = httpx.AsyncClient(transport=httpx.MockTransport(_refuse))
    aclient = AsyncPartnerClient(
        api_key="key", api_secret="secret", base_url=BASE_URL, http_client=async_http
    )
    return aclient.signups


def _refuse(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"no request expected, got {request.method} {request.url}")


def keyword_params(func: Callable[..., Any]) -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(func).parameters)


def required_kw_only(func: Callable[..., Any]) -> set[str]:
    return {
        name
        for name, p in keyword_params(func).items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is inspect.Parameter.empty
    }


# --------------------------------------------------------------------------- fixture sanity


def test_fixture_has_the_three_documented_methods() -> None:
    assert method_ids(current_methods()) == ["signup", "activate_signup", "signup_partner_v2_link"]
    assert sorted(method_ids(legacy_methods())) == [
        "activate_signup",
        "signup",
        "signup_partner_v2link",
    ]


# --------------------------------------------------------------------------- signatures


@pytest.mark.parametrize("documented", current_methods(), ids=method_ids(current_methods()))
def test_documented_method_signature(
    resource: SignupsResource | AsyncSignupsResource, documented: dict[str, Any]
) -> None:
    method = getattr(resource, documented["name"], None)
    assert method is not None, f"{type(resource).__name__} has no {documented['name']}"
    assert callable(method)
    params = keyword_params(method)

    # Nothing positional (self is already bound) and nothing variadic.
    positional = [
        name for name, p in params.items() if p.kind is not inspect.Parameter.KEYWORD_ONLY
    ]
    assert positional == [], f"non keyword-only parameters: {positional}"

    # The unbound function has exactly one positional parameter: self.
    unbound = getattr(type(resource), documented["name"])
    unbound_params = list(inspect.signature(unbound).parameters.values())
    assert unbound_params[0].name == "self"
    assert unbound_params[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in unbound_params[1:])

    assert required_kw_only(method) == set(documented["required"])

    for name in documented["optional"]:
        assert name in params, f"documented optional {name!r} is not a parameter"
        assert params[name].kind is inspect.Parameter.KEYWORD_ONLY
        assert params[name].default is OMIT, f"{name} defaults to {params[name].default!r}"

    # Whatever else the method takes is optional too (no hidden required argument).
    for name, p in params.items():
        if name not in documented["required"]:
            assert p.default is not inspect.Parameter.empty, name
    assert set(params) >= PASS_THROUGH


@pytest.mark.parametrize("documented", current_methods(), ids=method_ids(current_methods()))
def test_async_methods_are_coroutine_functions(documented: dict[str, Any]) -> None:
    assert inspect.iscoroutinefunction(getattr(AsyncSignupsResource, documented["name"]))
    assert not inspect.iscoroutinefunction(getattr(SignupsResource, documented["name"]))


@pytest.mark.parametrize("documented", current_methods(), ids=method_ids(current_methods()))
def test_sync_and_async_signatures_agree(documented: dict[str, Any]) -> None:
    sync_sig = inspect.signature(getattr(SignupsResource, documented["name"]))
    async_sig = inspect.signature(getattr(AsyncSignupsResource, documented["name"]))
    assert [(p.name, p.kind, p.default) for p in sync_sig.parameters.values()] == [
        (p.name, p.kind, p.default) for p in async_sig.parameters.values()
    ]


def test_no_undocumented_public_methods(
    resource: SignupsResource | AsyncSignupsResource,
) -> None:
    public = {
        name
        for name, value in inspect.getmembers(type(resource), inspect.isfunction)
        if not name.startswith("_")
    }
    assert public == set(method_ids(current_methods()))


# --------------------------------------------------------------------------- legacy table


def generated_for_legacy(legacy_name: str) -> str:
    """The generated method a legacy name refers to (legacy names glue digits to the next word)."""
    matches = [
        name
        for name in method_ids(current_methods())
        if legacy_name.replace("_", "") == name.replace("_", "")
    ]
    assert len(matches) == 1, f"{legacy_name!r} matches {matches}"
    return matches[0]


@pytest.mark.parametrize("legacy", legacy_methods(), ids=method_ids(legacy_methods()))
def test_legacy_method_maps_to_a_generated_method(
    resource: SignupsResource | AsyncSignupsResource, legacy: dict[str, Any]
) -> None:
    name = generated_for_legacy(legacy["name"])
    method = getattr(resource, name)
    stripped = set()
    for param in legacy["required"]:
        assert param.startswith("data__"), param
        stripped.add(param.removeprefix("data__"))
    assert required_kw_only(method) == stripped
    info = {m.name: m for m in METHODS}[name]
    assert set(info.required) == stripped
    assert info.accessible_by == legacy["accessible_by"]


def test_legacy_names_are_legacy_snake_of_operation_ids() -> None:
    operation_ids = [op["operationId"] for _, _, op in iter_operations()]
    assert sorted(legacy_snake(op_id) for op_id in operation_ids) == sorted(
        method_ids(legacy_methods())
    )


# --------------------------------------------------------------------------- METHODS data


def test_methods_table_names_in_documented_order() -> None:
    assert [m.name for m in METHODS] == method_ids(current_methods())


@pytest.mark.parametrize("documented", current_methods(), ids=method_ids(current_methods()))
def test_methods_entry_matches_documentation(documented: dict[str, Any]) -> None:
    info = {m.name: m for m in METHODS}[documented["name"]]
    assert info.resource == "signups"
    assert info.accessible_by == documented["accessible_by"]
    assert list(info.required) == documented["required"]
    assert list(info.optional) == documented["optional"]
    assert normalise(info.description) == normalise(documented["description"])


def test_methods_entries_are_method_info() -> None:
    assert isinstance(METHODS, tuple)
    assert all(isinstance(m, confluent_partner_v2.MethodInfo) for m in METHODS)


# --------------------------------------------------------------------------- METHODS.md


def split_row(line: str) -> list[str]:
    line = line.strip()
    assert line.startswith("|") and line.endswith("|"), line
    cells = re.split(r"(?<!\\)\|", line[1:-1])
    return [normalise(cell.replace("\\|", "|")) for cell in cells]


def markdown_table(text: str, heading: str) -> list[dict[str, str]]:
    """The first pipe table after ``heading``: one dict per row, keyed by header text."""
    lines = text.splitlines()
    start = lines.index(heading) + 1
    while not lines[start].startswith("|"):
        start += 1
    table: list[str] = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append(line)
    header, separator, *rows = table
    assert re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", separator.strip()), separator
    keys = split_row(header)
    out = []
    for row in rows:
        cells = split_row(row)
        assert len(cells) == len(keys), row
        out.append(dict(zip(keys, cells, strict=True)))
    return out


def names_cell(values: list[str]) -> str:
    return ", ".join(values)


def test_methods_md_methods_table_matches_documentation() -> None:
    rows = markdown_table(METHODS_MD.read_text(encoding="utf-8"), "### Methods")
    assert list(rows[0]) == [
        "Name",
        "Accessible by",
        "Required Params",
        "Optional Params",
        "Description",
    ]
    expected = [
        {
            "Name": m["name"],
            "Accessible by": m["accessible_by"],
            "Required Params": names_cell(m["required"]),
            "Optional Params": names_cell(m["optional"]),
            "Description": normalise(m["description"]),
        }
        for m in current_methods()
    ]
    assert rows == expected


def test_methods_md_parameters_table_matches_documentation() -> None:
    rows = markdown_table(METHODS_MD.read_text(encoding="utf-8"), "### Parameters")
    expected = [
        {
            "Name": p["name"],
            "Datatype": p["datatype"],
            "Description": normalise(p["description"]),
        }
        for p in fixture()["current"]["parameters"]
    ]
    assert rows == expected


def test_methods_md_overview_names_the_documented_resource() -> None:
    rows = markdown_table(METHODS_MD.read_text(encoding="utf-8"), "### Overview")
    assert rows == [{"Name": "signups", "Type": "Resource", "Id": fixture()["resource"]}]


def test_markdown_table_parser_reads_cells() -> None:
    # The parser itself: escaped pipes, <br />, backticks and blank cells.
    text = "\n".join(
        [
            "### T",
            "",
            "| A | B | C |",
            "|:--|:--|:--|",
            "| `x` | one<br />two \\| three |  |",
        ]
    )
    assert markdown_table(text, "### T") == [{"A": "x", "B": "one two | three", "C": ""}]


# --------------------------------------------------------------------------- EXEC examples

REALISTIC_VALUES: dict[str, Any] = {
    "organization": {
        "name": "Acme Corp",
        "sso_config": {"kind": "AzureSSOConfig", "tenant_id": "b3a1c2d4-0000-4000-8000-0123"},
    },
    "user": {"email": "ops@acme.example", "given_name": "Ada", "family_name": "Lovelace"},
    "entitlement": {
        "external_id": "1111-2222",
        "name": "Acme Prod",
        "plan_id": "confluent-cloud-payg-prod",
        "product_id": "confluent-cloud-kafka-service-azure",
    },
    "organization_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "token": "LINKING-TOKEN",
}
OK_BODY = {
    "organization_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "sso_url": "https://confluent.cloud/login/sso/acme",
}


def exec_examples() -> list[dict[str, Any]]:
    examples: list[dict[str, Any]] = fixture()["current"]["exec_examples"]
    assert examples, "the fixture documents at least one EXEC example"
    return examples


@pytest.mark.parametrize("example", exec_examples(), ids=[e["method"] for e in exec_examples()])
def test_exec_example_fields_are_keyword_arguments(
    resource: SignupsResource | AsyncSignupsResource, example: dict[str, Any]
) -> None:
    params = keyword_params(getattr(resource, example["method"]))
    for field in [*example["body_fields"], *example.get("query", {})]:
        assert field in params, f"{example['method']} does not accept {field!r}"
        assert params[field].kind is inspect.Parameter.KEYWORD_ONLY


@pytest.mark.asyncio
@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize("example", exec_examples(), ids=[e["method"] for e in exec_examples()])
async def test_exec_example_call_succeeds(flavour: str, example: dict[str, Any]) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        return httpx.Response(201, json=OK_BODY)

    kwargs: dict[str, Any] = {f: copy.deepcopy(REALISTIC_VALUES[f]) for f in example["body_fields"]}
    query = example.get("query", {})
    for name in query:
        assert name == "dry_run", f"no realistic value known for query parameter {name!r}"
        kwargs[name] = True

    transport = httpx.MockTransport(handler)
    if flavour == "sync":
        with httpx.Client(transport=transport) as http:
            client = PartnerClient(
                api_key="key", api_secret="secret", base_url=BASE_URL, http_client=http
            )
            result = getattr(client.signups, example["method"])(**kwargs)
    else:
        async with httpx.AsyncClient(transport=transport) as ahttp:
            aclient = AsyncPartnerClient(
                api_key="key", api_secret="secret", base_url=BASE_URL, http_client=ahttp
            )
            result = await getattr(aclient.signups, example["method"])(**kwargs)

    assert isinstance(result, models.PartnerSignupResponse)
    assert result.organization_id == OK_BODY["organization_id"]
    assert len(sent) == 1
    body = json.loads(sent[0].content)
    assert set(body) == set(example["body_fields"])
    assert body == {f: REALISTIC_VALUES[f] for f in example["body_fields"]}
    assert set(sent[0].url.params) == set(query)
    info = {m.name: m for m in METHODS}[example["method"]]
    assert sent[0].method == info.http_method
    assert sent[0].url.path == info.path


# --------------------------------------------------------------------------- spec agreement


def resolve(node: Any) -> Any:
    """Follow local ``$ref`` pointers (``#/a/b/c``) until a node without one is reached."""
    seen: set[str] = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert isinstance(ref, str) and ref.startswith("#/"), ref
        assert ref not in seen, f"$ref cycle at {ref}"
        seen.add(ref)
        node = _spec()
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def schema_required(schema: Any) -> list[str]:
    """A schema's ``required`` list, including that of its ``allOf`` parts, in order."""
    schema = resolve(schema)
    required: list[str] = []
    for part in schema.get("allOf", []):
        required.extend(r for r in schema_required(part) if r not in required)
    required.extend(r for r in schema.get("required", []) if r not in required)
    return required


def iter_operations() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path, item in _spec()["paths"].items():
        shared = item.get("parameters", [])
        for method in HTTP_METHODS:
            if method in item:
                op = dict(item[method])
                op["parameters"] = [*shared, *op.get("parameters", [])]
                found.append((method, path, op))
    return found


def spec_params(op: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(required, optional) for an operation, as the spec implies them."""
    required: list[str] = []
    optional: list[str] = []
    for raw in op["parameters"]:
        param = resolve(raw)
        (required if param.get("required") else optional).append(param["name"])
    body = resolve(op.get("requestBody", {}))
    if body:
        schema = body["content"]["application/json"]["schema"]
        required.extend(schema_required(schema))
    return required, optional


def test_resolver_follows_refs_and_all_of() -> None:
    assert resolve({"$ref": "#/components/parameters/DryRun"})["name"] == "dry_run"
    assert schema_required({"$ref": "#/components/schemas/SignupOrganization"}) == [
        "name",
        "sso_config",
    ]
    assert schema_required({"$ref": "#/components/schemas/EntitlementReference"}) == ["related"]


def test_spec_and_methods_cover_the_same_operations() -> None:
    from_spec = {(m.upper(), path) for m, path, _ in iter_operations()}
    assert {(m.http_method, m.path) for m in METHODS} == from_spec


@pytest.mark.parametrize(
    ("http_method", "path", "op"),
    iter_operations(),
    ids=[op["operationId"] for _, _, op in iter_operations()],
)
def test_required_params_agree_with_spec(
    resource: SignupsResource | AsyncSignupsResource,
    http_method: str,
    path: str,
    op: dict[str, Any],
) -> None:
    required, optional = spec_params(op)
    [info] = [m for m in METHODS if (m.http_method, m.path) == (http_method.upper(), path)]
    assert list(info.required) == required
    assert list(info.optional) == optional
    documented = {m["name"]: m for m in current_methods()}[info.name]
    assert documented["required"] == required
    assert documented["optional"] == optional
    method = getattr(resource, info.name)
    assert required_kw_only(method) == set(required)
    params = keyword_params(method)
    for name in optional:
        assert params[name].default is OMIT
