"""Overlay 1.0 (generator.overlay) and extraction (generator.extract), through the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import cli
from generator.errors import SpecErrors
from generator.extract import derive, extract
from generator.overlay import apply_overlay, load_overlay

HERE = Path(__file__).resolve().parent
SPEC = HERE.parent / "spec" / "partner-v2.yaml"
OPS = "signup,activateSignup,signupPartnerV2Link"


def write(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def overlay(tmp_path: Path, *actions: dict[str, Any], name: str = "fix.overlay.yaml") -> Path:
    return write(tmp_path / name, {"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": list(actions)})


def applied(tmp_path: Path, root: dict[str, Any], *actions: dict[str, Any]) -> dict[str, Any]:
    return apply_overlay(root, load_overlay(overlay(tmp_path, *actions)), target_name="doc.yaml")


# ----------------------------------------------------------------------------- applying
def test_update_merges_recursively(tmp_path: Path) -> None:
    root = {"a": {"keep": 1, "replace": "old", "list": [1], "deep": {"x": 1}}}
    out = applied(tmp_path, root, {"target": "$.a", "update": {"replace": "new", "list": [2], "deep": {"y": 2}, "added": True}})
    assert out == {"a": {"keep": 1, "replace": "new", "list": [1, 2], "deep": {"x": 1, "y": 2}, "added": True}}
    assert root == {"a": {"keep": 1, "replace": "old", "list": [1], "deep": {"x": 1}}}  # the input is left alone


def test_update_of_an_array_appends(tmp_path: Path) -> None:
    out = applied(tmp_path, {"tags": [{"name": "a"}]}, {"target": "$.tags", "update": {"name": "b"}})
    assert out == {"tags": [{"name": "a"}, {"name": "b"}]}


def test_remove_and_filters_select_many_nodes(tmp_path: Path) -> None:
    root = {"params": [{"name": "a"}, {"name": "drop"}, {"name": "b"}, {"name": "drop"}], "x": {"y": 1, "z": 2}}
    out = applied(
        tmp_path, root,
        {"target": "$.params[?@.name == 'drop']", "remove": True},
        {"target": "$.x.y", "remove": True, "update": {"ignored": 1}},  # remove wins
    )
    assert out == {"params": [{"name": "a"}, {"name": "b"}], "x": {"z": 2}}


def test_removing_nested_and_mixed_nodes(tmp_path: Path) -> None:
    root = {"a": [{"x": 1, "b": [1, 2, 3]}, {"x": 2}, {"x": 3}], "m": {"x": 0}}
    out = applied(tmp_path, root, {"target": "$..x", "remove": True}, {"target": "$.a[0].b[0,2]", "remove": True})
    assert out == {"a": [{"b": [2]}, {}, {}], "m": {}}
    out = applied(tmp_path, root, {"target": "$.a[0,0].b", "remove": True}, {"target": "$.a[?@.x > 1]", "remove": True})
    assert out == {"a": [{"x": 1}], "m": {"x": 0}}


def test_actions_apply_in_order(tmp_path: Path) -> None:
    out = applied(
        tmp_path, {"s": {"required": ["a", "b"]}},
        {"target": "$.s.required", "remove": True},
        {"target": "$.s", "update": {"required": ["c"]}},
    )
    assert out == {"s": {"required": ["c"]}}


def test_a_target_that_matches_nothing_names_the_action(tmp_path: Path) -> None:
    with pytest.raises(SpecErrors) as caught:
        applied(tmp_path, {"a": {}}, {"target": "$.a", "update": {}}, {"target": "$.gone", "description": "rename it", "update": {"x": 1}})
    assert [str(e) for e in caught.value.errors] == [
        "fix.overlay.yaml#/actions/1: action 1 ('rename it'): target $.gone matches nothing in doc.yaml"
    ]


def test_incompatible_updates_are_errors(tmp_path: Path) -> None:
    with pytest.raises(SpecErrors) as caught:
        applied(tmp_path, {"a": {"b": "text", "n": 1}}, {"target": "$.a", "update": {"b": {"nested": 1}}}, {"target": "$.a.n", "update": {"x": 1}})
    assert [str(e) for e in caught.value.errors] == [
        "fix.overlay.yaml#/actions/0/update: action 0: at $['a']: b: cannot merge an object into a primitive value",
        "fix.overlay.yaml#/actions/1/update: action 1: at $['a']['n']: the target is a primitive value; an update can only select objects and arrays",
    ]


# ----------------------------------------------------------------------------- structure
@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"info": {"title": "t", "version": "1"}, "actions": [{"target": "$", "update": {}}]}, [": missing required field 'overlay'"]),
        ({"overlay": "2.0.0", "info": {"title": "t", "version": "1"}, "actions": [{"target": "$", "update": {}}]}, ["#/overlay: unsupported overlay version"]),
        ({"overlay": "1.0.0", "info": {"title": "t"}, "actions": [{"target": "$", "update": {}}]}, ["#/info/version: info.version is required"]),
        ({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": []}, ["#/actions: actions must be a non-empty list"]),
        (
            {"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": [{"target": "paths", "update": {}}, {"target": "$", "remove": "yes"}]},
            ["#/actions/0/target: target is required and must be a JSONPath", "#/actions/1/remove: remove must be true or false", "#/actions/1: an action needs update"],
        ),
        ({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": [{"target": "$", "update": {}, "patch": 1}], "x-ok": 1}, ["#/actions/0/patch: unknown field 'patch'"]),
        ({"overlay": "1.0.0", "info": {"title": "t", "version": "1"}, "actions": [{"target": "$.a[?", "update": {}}]}, ["#/actions/0/target: not an RFC 9535 JSONPath query"]),
    ],
)
def test_invalid_overlays_are_refused_with_file_and_pointer(tmp_path: Path, capsys: pytest.CaptureFixture[str], document: dict[str, Any], expected: list[str]) -> None:
    path = write(tmp_path / "bad.overlay.yaml", document)
    out = tmp_path / "out.yaml"
    assert cli.main(["extract", str(SPEC), "--operations", OPS, "--overlay", str(path), "-o", str(out)]) == 2
    assert not out.exists()
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("error: ")]
    assert len(errors) == len(expected)
    for line, start in zip(errors, expected, strict=True):
        assert line.startswith(f"error: bad.overlay.yaml{start}"), line


# ----------------------------------------------------------------------------- extraction
def test_extract_keeps_what_the_operations_reach(tmp_path: Path) -> None:
    root = derive(SPEC, operations=["activateSignup"], overlays=[])
    assert list(root["paths"]) == ["/partner/v2/signup/activate"]
    schemas = root["components"]["schemas"]
    assert set(schemas) == {"ActivatePartnerSignupRequest", "User", "PartnerSignupResponse", "Failure", "Error", "ErrorSource"}
    assert set(root["components"]["securitySchemes"]) == {"api-key", "oauth"}
    assert [t["name"] for t in root["tags"]] == ["Signups"]
    assert "DryRun" not in root["components"].get("parameters", {})


def test_extract_follows_discriminator_mappings() -> None:
    root: dict[str, Any] = {
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"operationId": "a", "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/U"}}}}}}},
                  "/b": {"get": {"operationId": "b", "responses": {"200": {"description": "ok"}}}}},
        "components": {"schemas": {
            "U": {"oneOf": [{"$ref": "#/components/schemas/A"}], "discriminator": {"propertyName": "k", "mapping": {"b": "B", "a": "#/components/schemas/A"}}},
            "A": {"type": "object"}, "B": {"type": "object"}, "Unused": {"type": "object"},
        }},
    }
    out = extract(root, ["a"], file="doc.yaml")
    assert list(out["components"]["schemas"]) == ["U", "A", "B"]
    assert list(out["paths"]) == ["/a"]


def test_unknown_operation_ids_are_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.yaml"
    assert cli.main(["extract", str(SPEC), "--operations", "signup,nope", "-o", str(out)]) == 2
    assert not out.exists()
    assert "error: partner-v2.yaml#/paths: no operation has operationId 'nope'" in capsys.readouterr().err
    generated = tmp_path / "gen"
    assert cli.main(["generate", str(SPEC), "--operations", "nope", "--out", str(generated), "--no-cache"]) == 2
    assert not generated.exists()


def test_an_overlay_that_breaks_the_document_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = overlay(tmp_path, {"target": "$.components.schemas.User", "update": {"type": "no-such-type"}})
    out = tmp_path / "out.yaml"
    assert cli.main(["extract", str(SPEC), "--operations", OPS, "--overlay", str(bad), "-o", str(out)]) == 2
    assert not out.exists()
    assert "error: partner-v2.yaml (after fix.overlay.yaml)#/components/schemas/User" in capsys.readouterr().err


def test_extract_then_generate_equals_generate_with_options(tmp_path: Path) -> None:
    """The extracted file and --operations/--overlay on generate give the same package."""
    fix = overlay(tmp_path, {"target": "$.info", "update": {"x-client-name": "SignupClient"}})
    extracted = tmp_path / "partner-v2.yaml"
    assert cli.main(["extract", str(SPEC), "--operations", "signup", "--overlay", str(fix), "-o", str(extracted)]) == 0
    assert cli.main(["generate", str(extracted), "--out", str(tmp_path / "a"), "--no-cache"]) == 0
    assert cli.main(["generate", str(SPEC), "--operations", "signup", "--overlay", str(fix), "--out", str(tmp_path / "b"), "--no-cache"]) == 0
    files_a = {p.relative_to(tmp_path / "a"): p.read_bytes() for p in (tmp_path / "a").rglob("*") if p.is_file()}
    files_b = {p.relative_to(tmp_path / "b"): p.read_bytes() for p in (tmp_path / "b").rglob("*") if p.is_file()}
    assert files_a == files_b
    assert "class SignupClient" in files_a[Path("confluent_partner_v2/_client.py")].decode()
    assert b"def activate_signup" not in files_a[Path("confluent_partner_v2/resources/signups.py")]
    assert cli.main(["check", str(SPEC), "--operations", "signup", "--overlay", str(fix), "--out", str(tmp_path / "b"), "--no-cache"]) == 0


def test_generate_refuses_an_overlay_whose_result_is_not_openapi(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = overlay(tmp_path, {"target": "$.paths['/partner/v2/signup'].post.responses", "remove": True})
    out = tmp_path / "generated"
    assert cli.main(["generate", str(SPEC), "--overlay", str(bad), "--out", str(out), "--no-cache"]) == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert "error: partner-v2.yaml (after fix.overlay.yaml)#/paths/~1partner~1v2~1signup/post" in err
    assert "nothing was written" in err


def test_x_class_name_names_component_and_inline_models(tmp_path: Path) -> None:
    root: dict[str, Any] = {
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"post": {
            "operationId": "make",
            "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/v1.Thing"}}}},
            "responses": {"200": {"description": "ok"}},
        }}},
        "components": {"schemas": {"v1.Thing": {"type": "object", "properties": {
            "inner": {"type": "object", "properties": {"n": {"type": "integer"}}},
        }}}},
    }
    spec = write(tmp_path / "thing.yaml", root)
    fix = overlay(
        tmp_path,
        {"target": "$.components.schemas['v1.Thing']", "update": {"x-class-name": "Thing"}},
        {"target": "$.components.schemas['v1.Thing'].properties.inner", "update": {"x-class-name": "Part"}},
    )
    out = tmp_path / "generated"
    assert cli.main(["generate", str(spec), "--overlay", str(fix), "--out", str(out), "--package", "things", "--no-cache"]) == 0
    models = "".join(p.read_text(encoding="utf-8") for p in sorted((out / "things" / "models").glob("*.py")))
    assert "class Thing(" in models and "class Part(" in models
    assert "V1Thing" not in models and "ThingInner" not in models


def test_generate_with_a_stale_overlay_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    stale = overlay(
        tmp_path,
        {"target": "$.info", "update": {"x-client-name": "SignupClient"}},
        {"target": "$.components.schemas.SignupUser", "description": "name the user", "update": {"x-class-name": "Person"}},
    )
    out = tmp_path / "generated"
    assert cli.main(["generate", str(SPEC), "--overlay", str(stale), "--out", str(out), "--no-cache"]) == 2
    assert not out.exists()
    assert capsys.readouterr().err.splitlines() == [
        "error: fix.overlay.yaml#/actions/1: action 1 ('name the user'): target $.components.schemas.SignupUser matches nothing in partner-v2.yaml",
        "1 problem found; nothing was written.",
    ]


def test_diff_derives_only_the_new_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["diff", str(SPEC), str(SPEC), "--operations", "signup,activateSignup"]) == 1
    lines = capsys.readouterr().out.splitlines()
    # The link method and the models only it used are gone from NEW; OLD was taken whole.
    assert [line.split(" [")[0].split(":")[0] for line in lines[:-1]] == [
        "BREAKING models.LinkOrganization", "BREAKING models.PartnerLinkRequest", "BREAKING signups.signup_partner_v2_link",
    ]
    assert lines[-1] == "3 changes: 3 breaking, 0 risk, 0 compatible"
