"""Checks on the hand-written OpenAPI document in spec/partner-v2.yaml."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

ROOT = Path(__file__).resolve().parent.parent
SPEC_PATH = ROOT / "spec" / "partner-v2.yaml"
FIXTURE_PATH = Path(__file__).resolve().parent / "fixtures" / "documented_methods.json"

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

EXPECTED_OPERATIONS = {
    ("post", "/partner/v2/signup"): "signup",
    ("post", "/partner/v2/signup/activate"): "activateSignup",
    ("post", "/partner/v2/signup/link"): "signupPartnerV2Link",
}

EXPECTED_SECURITY: list[dict[str, list[str]]] = [{"api-key": []}, {"oauth": ["partner:create"]}]

FORBIDDEN_NAME_CHARS = "<>#%'*^`{|}~\""

BADGE_LINE = (
    "[![Early Access](https://img.shields.io/badge/Lifecycle%20Stage-Early%20Access-%2345c6e8)]"
    "(#section/Versioning/API-Lifecycle-Policy)"
)

# Compiles every pattern read from stdin (a JSON array) as an ECMA-262 regex with
# the `u` flag and prints a JSON array of {pattern, error} for the ones that fail.
_NODE_CHECKER = r"""
const patterns = JSON.parse(require("fs").readFileSync(0, "utf8"));
const failures = [];
for (const pattern of patterns) {
  try {
    new RegExp(pattern, "u");
  } catch (err) {
    failures.push({ pattern: pattern, error: String(err && err.message) });
  }
}
process.stdout.write(JSON.stringify(failures));
"""


@cache
def load_spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    assert isinstance(data, dict)
    return data


def load_fixture() -> dict[str, Any]:
    with FIXTURE_PATH.open(encoding="utf-8") as fh:
        data = json.load(fh)
    assert isinstance(data, dict)
    return data


def iter_operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in HTTP_METHODS:
                yield method, path, op


def collect_patterns(node: Any) -> list[str]:
    """Every string value stored under a ``pattern`` key, anywhere in the document."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                found.append(value)
            else:
                found.extend(collect_patterns(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(collect_patterns(value))
    return found


def ecma_u_mode_failures(patterns: list[str], node: str) -> dict[str, str]:
    """Map each pattern that is not a valid ECMA-262 ``u``-mode regex to node's error."""
    proc = subprocess.run(
        [node, "-e", _NODE_CHECKER],
        input=json.dumps(patterns),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, f"node checker crashed: {proc.stderr}"
    return {item["pattern"]: item["error"] for item in json.loads(proc.stdout)}


def require_node() -> str:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed; cannot check ECMA-262 regex syntax")
    return node


def name_pattern() -> re.Pattern[str]:
    schema = load_spec()["components"]["schemas"]["Organization"]["properties"]["name"]
    return re.compile(schema["pattern"])


# --------------------------------------------------------------------------- document


def test_spec_is_valid_openapi() -> None:
    spec = load_spec()
    assert spec["openapi"] == "3.0.3"
    validate(spec)


def test_exactly_the_three_signup_operations() -> None:
    found = {
        (method, path): op.get("operationId") for method, path, op in iter_operations(load_spec())
    }
    assert found == EXPECTED_OPERATIONS


def test_every_operation_lists_both_security_alternatives() -> None:
    spec = load_spec()
    assert spec["security"] == EXPECTED_SECURITY
    schemes = spec["components"]["securitySchemes"]
    assert schemes["api-key"]["type"] == "http"
    assert schemes["api-key"]["scheme"] == "basic"
    assert schemes["oauth"]["type"] == "oauth2"  # client credentials, as the published API
    assert schemes["oauth"]["flows"]["clientCredentials"]["tokenUrl"] == "/oauth2/token"
    for method, path, op in iter_operations(spec):
        assert op.get("security") == EXPECTED_SECURITY, f"{method.upper()} {path}"


def test_every_operation_is_tagged_with_the_signups_resource() -> None:
    spec = load_spec()
    assert [tag["name"] for tag in spec["tags"]] == ["Signups"]
    assert spec["tags"][0]["x-resource"] == "signups"
    for method, path, op in iter_operations(spec):
        assert op["tags"] == ["Signups"], f"{method.upper()} {path}"
        assert op["x-resource"] == "signups", f"{method.upper()} {path}"


def test_descriptions_start_with_the_lifecycle_badge() -> None:
    for method, path, op in iter_operations(load_spec()):
        assert op["description"].startswith(BADGE_LINE + "\n\n"), f"{method.upper()} {path}"


# --------------------------------------------------------------------------- regex patterns


def test_spec_has_patterns() -> None:
    assert collect_patterns(load_spec()), "expected at least the organization name pattern"


@pytest.mark.parametrize("pattern", collect_patterns(load_spec()))
def test_pattern_compiles_in_python(pattern: str) -> None:
    re.compile(pattern)


def test_patterns_compile_as_ecma262_unicode() -> None:
    node = require_node()
    patterns = collect_patterns(load_spec())
    assert ecma_u_mode_failures(patterns, node) == {}


def test_ecma262_checker_reports_invalid_pattern() -> None:
    node = require_node()
    bad = '^[^\\"]$'  # an escaped quote inside a class is an error in `u` mode
    good = '^[^"]$'
    failures = ecma_u_mode_failures([good, bad], node)
    assert set(failures) == {bad}


# --------------------------------------------------------------------------- organization name


def test_name_length_limits_match_pattern() -> None:
    schema = load_spec()["components"]["schemas"]["Organization"]["properties"]["name"]
    assert schema["minLength"] == 1
    assert schema["maxLength"] == 31


@pytest.mark.parametrize("name", ["Acme Organization", "A" * 31, "x", "Acme (EU) - prod_01 & co."])
def test_name_pattern_accepts(name: str) -> None:
    assert name_pattern().search(name) is not None


@pytest.mark.parametrize("name", ["", "A" * 32])
def test_name_pattern_rejects_bad_length(name: str) -> None:
    assert name_pattern().search(name) is None


@pytest.mark.parametrize("char", list(FORBIDDEN_NAME_CHARS))
def test_name_pattern_rejects_forbidden_character(char: str) -> None:
    pattern = name_pattern()
    assert pattern.search(char) is None
    assert pattern.search(f"Acme{char}Org") is None


# --------------------------------------------------------------------------- request bodies


@pytest.mark.parametrize(
    ("schema_name", "required"),
    [
        ("PartnerSignupRequest", ["organization", "entitlement"]),
        ("ActivatePartnerSignupRequest", ["user", "organization_id"]),
        ("PartnerLinkRequest", ["token", "organization", "entitlement"]),
    ],
)
def test_request_body_required_order(schema_name: str, required: list[str]) -> None:
    assert load_spec()["components"]["schemas"][schema_name]["required"] == required


# --------------------------------------------------------------------------- documented methods


def _request_schema(op: dict[str, Any]) -> dict[str, Any]:
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    name = ref.rsplit("/", 1)[-1]
    schema = load_spec()["components"]["schemas"][name]
    assert isinstance(schema, dict)
    return schema


def _query_params(op: dict[str, Any]) -> list[str]:
    spec = load_spec()
    names = []
    for param in op.get("parameters", []):
        if "$ref" in param:
            param = spec["components"]["parameters"][param["$ref"].rsplit("/", 1)[-1]]
        names.append(param["name"])
    return names


def _ops_by_squashed_name() -> dict[str, dict[str, Any]]:
    return {op["operationId"].lower(): op for _, _, op in iter_operations(load_spec())}


def _squash(method_name: str) -> str:
    return method_name.replace("_", "").lower()


def test_current_documented_methods_match_spec() -> None:
    fixture = load_fixture()
    ops = _ops_by_squashed_name()
    methods = fixture["current"]["methods"]
    assert len(methods) == len(ops)
    for method in methods:
        op = ops[_squash(method["name"])]
        assert _request_schema(op)["required"] == method["required"]
        assert _query_params(op) == method["optional"]
        # The rendered document drops the badge image and the code backticks.
        rendered = op["description"].removeprefix(BADGE_LINE + "\n\n").replace("`", "")
        assert rendered == method["description"]


def test_legacy_documented_methods_match_spec() -> None:
    fixture = load_fixture()
    ops = _ops_by_squashed_name()
    methods = fixture["legacy"]["methods"]
    assert len(methods) == len(ops)
    for method in methods:
        op = ops[_squash(method["name"])]
        legacy = sorted(name.removeprefix("data__") for name in method["required"])
        assert legacy == sorted(_request_schema(op)["required"])


def test_documented_parameter_matches_spec() -> None:
    (param,) = load_fixture()["current"]["parameters"]
    spec_param = load_spec()["components"]["parameters"]["DryRun"]
    assert param["name"] == spec_param["name"]
    assert param["datatype"] == spec_param["schema"]["type"]
    assert param["description"] == spec_param["description"]
