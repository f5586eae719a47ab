"""The documentation rendered from the spec, against the documentation of record.

* The resource page (``generated/docs/signups.md``) reduced to its text equals the current
  document (``tests/fixtures/seeds/000_*``) section by section, descriptions included; the
  legacy layout (``--doc-style legacy``) equals the older document (``002_*``) modulo its
  lifecycle badges.
* Spec text never becomes live MDX/HTML/JavaScript in any Markdown output.
* The example values of the API reference are valid: they pass the models, the methods accept
  them, and the examples in ``api.md`` run.
"""

from __future__ import annotations

import copy
import html
import inspect
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import confluent_partner_v2
import httpx
import pytest
import yaml
from confluent_partner_v2 import METHODS, PartnerClient, models
from confluent_partner_v2._exceptions import status_error_class
from mdx_text import mdx_sections, squash, squashed, text_sections

from generator import cli, docs
from generator.examples import MAX_DEPTH, operation_examples, schema_example
from generator.load import load
from generator.model import build
from generator.pipeline import generate_tree
from generator.render import fence, mdx_attr, mdx_text, render
from generator.validate import validate

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = ROOT / "spec" / "partner-v2.yaml"
GENERATED = ROOT / "generated"
SEEDS = HERE / "fixtures" / "seeds"
CURRENT_SEED = SEEDS / "000_signups_current.txt"
LEGACY_SEED = SEEDS / "002_signups_legacy.md"
DOCUMENTED = HERE / "fixtures" / "documented_methods.json"
# The section headings of a StackQL resource page (the text seed has no markup to find them by).
STACKQL_HEADINGS = (
    "Overview",
    "Fields",
    "Methods",
    "Parameters",
    "SELECT examples",
    "INSERT examples",
    "UPDATE examples",
    "DELETE examples",
    "Lifecycle Methods",
)
BASE_URL = "http://127.0.0.1:9"


@pytest.fixture(scope="module")
def current_tree() -> dict[str, str]:
    return generate_tree(SPEC)


@pytest.fixture(scope="module")
def legacy_tree() -> dict[str, str]:
    return generate_tree(SPEC, doc_style="legacy")


def current_expected() -> list[tuple[str, str]]:
    return squashed(text_sections(CURRENT_SEED.read_text(encoding="utf-8"), STACKQL_HEADINGS))


def legacy_expected() -> list[tuple[str, str]]:
    return squashed(mdx_sections(LEGACY_SEED.read_text(encoding="utf-8")))


# --------------------------------------------------------------------------- the seeds themselves


def test_current_seed_has_the_documented_sections() -> None:
    headings = [h for h, _ in text_sections(CURRENT_SEED.read_text(encoding="utf-8"), STACKQL_HEADINGS)]
    assert headings == ["signups", "Overview", "Fields", "Methods", "Parameters", "Lifecycle Methods"]


def test_legacy_seed_has_the_documented_sections() -> None:
    headings = [h for h, _ in mdx_sections(LEGACY_SEED.read_text(encoding="utf-8"))]
    assert headings == ["signups", "Overview", "Fields", "Methods"]


# --------------------------------------------------------------------------- current layout


def test_current_page_has_the_seed_sections(current_tree: dict[str, str]) -> None:
    got = [h for h, _ in squashed(mdx_sections(current_tree["docs/signups.md"]))]
    assert got == [h for h, _ in current_expected()]


@pytest.mark.parametrize("index", range(len(current_expected())), ids=[h for h, _ in current_expected()])
def test_current_page_section_matches_seed(current_tree: dict[str, str], index: int) -> None:
    got = squashed(mdx_sections(current_tree["docs/signups.md"]))
    assert got[index] == current_expected()[index]


def test_generated_page_is_the_current_layout(current_tree: dict[str, str]) -> None:
    assert (GENERATED / "docs" / "signups.md").read_text(encoding="utf-8") == current_tree["docs/signups.md"]


def test_every_method_has_a_lifecycle_tab(current_tree: dict[str, str]) -> None:
    page = current_tree["docs/signups.md"]
    tabs = re.findall(r'<TabItem value="([^"]+)" label="([^"]+)"( default)?>', page)
    names = [m.name for m in METHODS]
    assert [value for value, _, _ in tabs] == names
    assert [label for _, label, _ in tabs] == names
    assert [bool(default) for _, _, default in tabs] == [True, False, False]
    for name in names:
        assert f"EXEC confluent.partner.signups.{name}\n" in page


def test_exec_examples_match_the_documented_ones(current_tree: dict[str, str]) -> None:
    documented = json.loads(DOCUMENTED.read_text(encoding="utf-8"))["current"]["exec_examples"]
    page = current_tree["docs/signups.md"]
    for example in documented:
        lines = [f"EXEC {documented_resource()}.{example['method']}"]
        lines += [f"@{name}={value}" for name, value in example["query"].items()]
        lines += ["@@json=", "'{"]
        fields = example["body_fields"]
        lines += [f'"{f}": "{{{{ {f} }}}}"' + ("," if i < len(fields) - 1 else "") for i, f in enumerate(fields)]
        lines += ["}'", ";"]
        assert "```sql\n" + "\n".join(lines) + "\n```" in page


def documented_resource() -> str:
    resource: str = json.loads(DOCUMENTED.read_text(encoding="utf-8"))["resource"]
    return resource


def test_methods_table_links_documented_parameters(current_tree: dict[str, str]) -> None:
    page = current_tree["docs/signups.md"]
    assert '<tr id="parameter-dry_run">' in page
    assert page.count('<a href="#parameter-dry_run"><code>dry_run</code></a>') == 2
    # Body fields have no row in the parameters table, so they are not links.
    assert '<a href="#parameter-organization"' not in page


# --------------------------------------------------------------------------- legacy layout


def test_legacy_page_has_the_seed_sections(legacy_tree: dict[str, str]) -> None:
    got = [h for h, _ in squashed(mdx_sections(legacy_tree["docs/signups.md"]))]
    assert got == [h for h, _ in legacy_expected()]


@pytest.mark.parametrize("index", range(len(legacy_expected())), ids=[h for h, _ in legacy_expected()])
def test_legacy_page_section_matches_seed(legacy_tree: dict[str, str], index: int) -> None:
    got = squashed(mdx_sections(legacy_tree["docs/signups.md"]))
    assert got[index] == legacy_expected()[index]


def test_legacy_methods_table_rows(legacy_tree: dict[str, str]) -> None:
    documented = json.loads(DOCUMENTED.read_text(encoding="utf-8"))["legacy"]["methods"]
    rows = re.findall(
        r'^\| <CopyableCode code="([^"]+)" /> \| `([A-Z]+)` \| <CopyableCode code="([^"]*)" /> \|',
        legacy_tree["docs/signups.md"],
        re.MULTILINE,
    )
    assert rows == [(m["name"], m["accessible_by"].upper(), ", ".join(m["required"])) for m in documented]


def test_legacy_layout_only_changes_the_pages(current_tree: dict[str, str], legacy_tree: dict[str, str]) -> None:
    assert set(current_tree) == set(legacy_tree)
    assert {p for p in current_tree if current_tree[p] != legacy_tree[p]} == {"docs/signups.md"}


def test_doc_style_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert cli.main(["generate", str(SPEC), "--out", str(out), "--doc-style", "legacy"]) == 0
    assert "signup_partner_v2link" in (out / "docs" / "signups.md").read_text(encoding="utf-8")
    assert cli.main(["check", str(SPEC), "--out", str(out), "--doc-style", "legacy"]) == 0
    assert cli.main(["check", str(SPEC), "--out", str(out)]) == 1
    assert "changed: docs/signups.md" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:
        cli.main(["generate", str(SPEC), "--doc-style", "newest"])
    assert exc.value.code == 2


# --------------------------------------------------------------------------- the text reduction


def test_reduction_shows_only_the_default_tab() -> None:
    page = "\n".join(
        [
            "---",
            "title: t",
            "---",
            "import Tabs from '@theme/Tabs';",
            "## Lifecycle Methods",
            "<Tabs>",
            '<TabItem value="a" label="a">',
            "first",
            "</TabItem>",
            '<TabItem value="b" label="b" default>',
            "second `code` [link](#x) &lt;b&gt;",
            "```sql",
            "EXEC <x> {{ y }}",
            "```",
            "</TabItem>",
            "</Tabs>",
        ]
    )
    assert squashed(mdx_sections(page)) == [
        ("t", ""),
        ("LifecycleMethods", "secondcodelink<b>EXEC<x>{{y}}"),
    ]


def test_reduction_drops_badges_and_keeps_table_text() -> None:
    row = "| <CopyableCode code=\"a\" /> | `EXEC` | [![Early Access](https://x/y.svg)](#z)<br /><br />Text \\| more |"
    [(_, text)] = mdx_sections(row)
    assert squash(text) == squash("a EXEC Text | more")


def test_text_sections_skip_the_site_chrome() -> None:
    text = "Skip to main content\n\nname\n\nintro\n\nOverview\n\nNamex\n"
    assert text_sections(text, ["Overview"]) == [("name", "\nintro\n"), ("Overview", "\nNamex")]


# --------------------------------------------------------------------------- escaping


HOSTILE_PROSE = "\n".join(
    [
        "Braces {alert(1)} and {{ jinja }} and <script>alert(1)</script> and <b>bold</b>.",
        "import os from 'os'",
        "export const pwned = 1",
        "[click](javascript:alert(1)) ![img](https://x/y.png) <https://auto.link>",
        "Code `{x} <y>` and a | pipe and a \\ backslash &#123; entity <!-- comment -->",
        "```",
        "# heading",
    ]
)


def hostile_spec() -> dict[str, Any]:
    prose = HOSTILE_PROSE
    widget = {
        "type": "object",
        "description": prose,
        "properties": {
            "id": {"type": "string", "readOnly": True, "description": prose},
            "name": {"type": "string", "description": prose, "example": "```\nimport os {x} <y>"},
            "size": {"type": "integer", "description": "size {y}"},
        },
        "required": ["name"],
    }
    ok = {"description": prose, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Widget"}}}}
    bad = {"description": prose}
    id_param = {"name": "widget_id", "in": "path", "required": True, "description": prose, "schema": {"type": "string"}}
    odd_param = {"name": "fil|ter{x}<y>", "in": "query", "description": prose, "schema": {"type": "string"}}
    body = {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Widget"}}}}
    return {
        "openapi": "3.0.3",
        "info": {"title": "Evil {title} <b>API</b>", "version": "1.0 {v}", "description": prose},
        "servers": [{"url": "https://api.example.com"}],
        "tags": [{"name": "Widgets", "x-resource": "widgets"}],
        "paths": {
            "/widgets": {
                "post": {
                    "operationId": "createWidget",
                    "summary": "Create {x} <y>",
                    "description": prose,
                    "tags": ["Widgets"],
                    "parameters": [odd_param],
                    "requestBody": body,
                    "responses": {"201": ok, "400": bad},
                }
            },
            "/widgets/{widget_id}": {
                "parameters": [id_param],
                "get": {
                    "operationId": "getWidget",
                    "description": prose,
                    "tags": ["Widgets"],
                    "responses": {"200": ok, "404": bad, "default": bad},
                },
                "delete": {
                    "operationId": "deleteWidget",
                    "description": prose,
                    "tags": ["Widgets"],
                    "responses": {"204": {"description": "gone"}},
                },
            },
            "/widgets/{widget_id}/poke": {
                "parameters": [id_param],
                "post": {
                    "operationId": "pokeWidget",
                    "description": prose,
                    "tags": ["Widgets"],
                    "parameters": [{"name": "dry_run", "in": "query", "schema": {"type": "boolean"}, "description": prose}],
                    "requestBody": body,
                    "responses": {"200": ok, "5XX": bad},
                },
            },
        },
        "components": {"schemas": {"Widget": widget}},
    }


@pytest.fixture(scope="module")
def hostile_tree(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    spec = tmp_path_factory.mktemp("hostile") / "hostile.yaml"
    spec.write_text(yaml.safe_dump(hostile_spec(), sort_keys=False), encoding="utf-8")
    tree = generate_tree(spec, package="hostile_api")
    legacy = generate_tree(spec, package="hostile_api", doc_style="legacy")
    return {**tree, "docs/widgets.legacy.md": legacy["docs/widgets.md"]}


_ALLOWED_MARKUP = re.compile(
    r"</?(?:table|tbody|thead|tr|td|th|b|code|Tabs)>"
    r"|<br />"
    r'|<tr id="[^"<>{}]*">'
    r'|<a href="#[^"<>{}]*">|</a>'
    r'|<a id="[^"<>{}]*"></a>'
    r'|<TabItem value="[^"<>{}]*" label="[^"<>{}]*"(?: default)?>|</TabItem>'
    r'|<CopyableCode code="[^"<>{}]*" />'
    r"|^<!-- Generated by partner-codegen [^<>{}]* -->$",
    re.MULTILINE,
)
_FIXED_IMPORTS = {
    "import CopyableCode from '@site/src/components/CopyableCode/CopyableCode';",
    "import Tabs from '@theme/Tabs';",
    "import TabItem from '@theme/TabItem';",
}


def outside_code(text: str) -> Iterator[str]:
    """The lines of a Markdown document outside front matter and fenced code blocks."""
    lines = text.splitlines()
    index = 0
    if lines and lines[0] == "---":
        index = lines.index("---", 1) + 1
    fence_len = 0
    for line in lines[index:]:
        opening = re.match(r"^(`{3,})", line)
        if fence_len:
            if opening and len(opening.group(1)) >= fence_len and not line.strip("`").strip():
                fence_len = 0
            continue
        if opening:
            fence_len = len(opening.group(1))
            continue
        yield line


def live_markup(text: str) -> list[str]:
    """Characters MDX would act on, outside code, once the layout's own markup is removed."""
    problems = []
    for line in outside_code(text):
        if line in _FIXED_IMPORTS:
            continue
        if re.match(r"\s*(import|export)\s", line):
            problems.append(f"ESM line: {line!r}")
        stripped = re.sub(r"(`+)(?:(?!\1).)+?\1", "", _ALLOWED_MARKUP.sub("", line))  # code spans are literal
        for char in "{}<>":
            if char in stripped:
                problems.append(f"{char!r} in {line!r}")
        if re.search(r"\]\(\s*javascript:|href=\"\s*javascript:", line, re.IGNORECASE):
            problems.append(f"javascript link in {line!r}")
    return problems


def test_hostile_spec_text_is_inert_in_every_markdown_file(hostile_tree: dict[str, str]) -> None:
    markdown = {path: text for path, text in hostile_tree.items() if path.endswith((".md", ".mdx"))}
    assert {"README.md", "api.md", "docs/widgets.md", "docs/widgets.legacy.md", "hostile_api/METHODS.md"} <= set(markdown)
    for path, text in markdown.items():
        assert live_markup(text) == [], path


def test_hostile_text_is_escaped_not_dropped(hostile_tree: dict[str, str]) -> None:
    page = hostile_tree["docs/widgets.md"]
    assert "&#123;alert(1)&#125;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<code>&#123;x&#125; &lt;y&gt;</code>" in page
    assert "&#91;click&#93;(javascript:alert(1))" in page
    # Reduced to text, a reader sees the spec's words.
    text = "".join(t for _, t in mdx_sections(page))
    assert "{alert(1)}" in text and "<script>alert(1)</script>" in text


def test_hostile_page_has_every_section(hostile_tree: dict[str, str]) -> None:
    headings = [h for h, _ in mdx_sections(hostile_tree["docs/widgets.md"])]
    assert headings == [
        "widgets", "Overview", "Fields", "Methods", "Parameters",
        "SELECT examples", "INSERT examples", "DELETE examples", "Lifecycle Methods",
    ]
    page = hostile_tree["docs/widgets.md"]
    # A resource with a GET has a field table instead of the "SELECT not supported" note.
    assert "SELECT not supported" not in page
    assert '<td><CopyableCode code="size" /></td>\n    <td><code>integer</code></td>' in page
    assert "EXEC hostile.api.widgets.poke_widget\n@widget_id={{ widget_id }}\n@dry_run={{ dry_run }}\n@@json=" in page


def test_example_with_backticks_gets_a_longer_fence(hostile_tree: dict[str, str]) -> None:
    api = hostile_tree["api.md"]
    literal = "'```\\nimport os {x} <y>'"  # the example value, as Python (black keeps the quotes)
    assert literal.replace("'", '"') in api
    assert "````python\nfrom hostile_api import Client" in api
    assert literal.replace("'", '"') not in "\n".join(outside_code(api))


def test_mdx_filters() -> None:
    assert mdx_text("a {b} <c>\n`{d}`") == "a &#123;b&#125; &lt;c&gt;<br /><code>&#123;d&#125;</code>"
    assert mdx_attr('x" onload="y') == "x&quot; onload=&quot;y"
    assert html.unescape(mdx_text("[x](javascript:y) | z \\")) == "[x](javascript:y) | z \\"
    assert fence("a ``` b", "sh") == "````sh\na ``` b\n````"
    assert fence("plain") == "```\nplain\n```"


# --------------------------------------------------------------------------- errors and signatures


def test_documented_exceptions_are_the_runtime_ones() -> None:
    for status, name in docs.EXCEPTION_BY_STATUS.items():
        assert status_error_class(status).__name__ == name
        assert docs.exception_for(str(status)) == name
    assert docs.exception_for("503") == status_error_class(503).__name__
    assert docs.exception_for("418") == status_error_class(418).__name__


def test_api_reference_lists_signature_models_errors_and_examples() -> None:
    api_md = (GENERATED / "api.md").read_text(encoding="utf-8")
    readme = (GENERATED / "README.md").read_text(encoding="utf-8")
    for info in METHODS:
        section = api_md.split(f'<a id="signups-{info.name}"></a>', 1)[1].split("<a id=", 1)[0]
        assert f"def {info.name}(\n    *,\n" in section
        assert "**Returns:** [`PartnerSignupResponse`](#model-partnersignupresponse)" in section
        for exception in ("BadRequestError", "AuthenticationError", "ConflictError", "RateLimitError", "InternalServerError"):
            assert f"`{exception}`" in section
        assert f"python -m confluent_partner_v2 signups {info.name} " in section
        assert f"client.signups.{info.name}(" in section
        assert f"### `client.signups.{info.name}()`" in readme
    for model in models.__all__:
        assert f'<a id="model-{model.lower()}"></a>' in api_md


# --------------------------------------------------------------------------- examples


@pytest.fixture(scope="module")
def examples() -> dict[str, dict[str, Any]]:
    document = validate(load(SPEC))
    return operation_examples(document, build(document, package="confluent_partner_v2"))


def test_examples_cover_every_operation_and_are_deterministic(examples: dict[str, dict[str, Any]]) -> None:
    document = validate(load(SPEC))
    api = build(document, package="confluent_partner_v2")
    assert set(examples) == {op.operation_id for op in api.operations}
    assert operation_examples(document, api) == examples
    json.dumps(examples)  # plain JSON data
    for op in api.operations:
        assert {p.name for p in op.params if p.required} <= set(examples[op.operation_id])


def test_examples_pick_enums_formats_discriminators(examples: dict[str, dict[str, Any]]) -> None:
    signup = examples["signup"]
    assert signup["entitlement"]["plan_id"] == "confluent-cloud-payg-prod"  # x-extensible-enum
    assert signup["organization"]["sso_config"]["kind"] == "AzureSSOConfig"  # discriminator mapping
    assert signup["dry_run"] is True  # running the example only validates
    assert "user" not in signup  # optional, no example
    assert examples["activateSignup"]["user"]["email"] == "user@example.com"


def by_name(operation_id: str) -> str:
    return {"signup": "signup", "activateSignup": "activate_signup", "signupPartnerV2Link": "signup_partner_v2_link"}[operation_id]


def test_each_example_validates_against_the_body_model(examples: dict[str, dict[str, Any]]) -> None:
    body_models = {
        "signup": models.PartnerSignupRequest,
        "activateSignup": models.ActivatePartnerSignupRequest,
        "signupPartnerV2Link": models.PartnerLinkRequest,
    }
    for op_id, values in examples.items():
        body = {k: v for k, v in values.items() if k != "dry_run"}
        body_models[op_id].model_validate(body)


@pytest.mark.parametrize("operation_id", ["signup", "activateSignup", "signupPartnerV2Link"])
def test_each_example_is_accepted_by_its_method(examples: dict[str, dict[str, Any]], operation_id: str) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        return httpx.Response(201, json={"organization_id": "o", "sso_url": "https://x.example"})

    values = copy.deepcopy(examples[operation_id])
    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        client = PartnerClient(api_key="k", api_secret="s", base_url=BASE_URL, http_client=http)
        result = getattr(client.signups, by_name(operation_id))(**values)
    assert isinstance(result, models.PartnerSignupResponse)
    [request] = sent
    body = json.loads(request.content)
    assert body == {k: v for k, v in values.items() if k != "dry_run"}
    assert request.url.params.get("dry_run") == ("true" if "dry_run" in values else None)


def python_examples(text: str) -> list[str]:
    return re.findall(r"^Example:\n\n(`{3,})python\n(.*?)\n\1$", text, re.MULTILINE | re.DOTALL)


def test_api_md_examples_run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        return httpx.Response(201, json={"organization_id": "org-1", "sso_url": "https://x.example"})

    http = httpx.Client(transport=httpx.MockTransport(handler))
    monkeypatch.setattr(
        confluent_partner_v2,
        "PartnerClient",
        lambda: PartnerClient(api_key="k", api_secret="s", base_url=BASE_URL, http_client=http),
    )
    blocks = [code for _, code in python_examples((GENERATED / "api.md").read_text(encoding="utf-8"))]
    assert len(blocks) == len(METHODS)
    try:
        for code in blocks:
            exec(compile(code, "api.md", "exec"), {"__name__": "example"})
    finally:
        http.close()
    assert [r.url.path for r in sent] == [m.path for m in METHODS]
    assert capsys.readouterr().out.count("organization_id='org-1'") == len(METHODS)


SHAPES_SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Shapes", "version": "1"},
    "paths": {
        "/things": {
            "post": {
                "operationId": "makeThing",
                "tags": ["things"],
                "parameters": [
                    {"name": "limit", "in": "query", "required": True, "schema": {"type": "integer"}, "example": 7},
                    {"name": "mode", "in": "query", "required": True, "schema": {"type": "string", "enum": ["fast", "slow"]}},
                    {"name": "validateOnly", "in": "query", "schema": {"type": "boolean"}},
                    {"name": "verbose", "in": "query", "schema": {"type": "boolean"}},
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}},
                },
                "responses": {"204": {"description": "made"}},
            }
        }
    },
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "additionalProperties": False,
                "required": ["pet", "person", "tree", "tags"],
                "properties": {
                    "pet": {"$ref": "#/components/schemas/Pet"},
                    "person": {"$ref": "#/components/schemas/Person"},
                    "tree": {"$ref": "#/components/schemas/Node"},
                    "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
                    "note": {"type": "string"},
                    "color": {"type": "string", "example": "teal"},
                },
            },
            "Pet": {
                "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
                "discriminator": {"propertyName": "pet_type", "mapping": {"kitty": "#/components/schemas/Cat", "dog": "Dog"}},
            },
            "Cat": {
                "type": "object",
                "required": ["pet_type", "name"],
                "properties": {"pet_type": {"type": "string"}, "name": {"type": "string", "pattern": "^[A-Z][a-z]+$"}},
            },
            "Dog": {"type": "object", "required": ["pet_type"], "properties": {"pet_type": {"type": "string"}}},
            "Base": {"type": "object", "properties": {"id": {"type": "string", "readOnly": True}}},
            "Person": {
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {
                        "type": "object",
                        "required": ["id", "email", "born", "site", "uuid", "level", "code", "count", "ratio", "day", "ref"],
                        "properties": {
                            "email": {"type": "string", "format": "email"},
                            "born": {"type": "string", "format": "date-time"},
                            "day": {"type": "string", "format": "date"},
                            "site": {"type": "string", "format": "uri"},
                            "uuid": {"type": "string", "format": "uuid"},
                            "level": {"type": "string", "x-extensible-enum": ["gold", "silver"]},
                            "code": {"type": "string", "minLength": 8, "maxLength": 9},
                            "count": {"type": "integer", "minimum": 2, "maximum": 9},
                            "ratio": {"type": "number", "exclusiveMinimum": True, "minimum": 0.5},
                            "nick": {"type": "string", "nullable": True},
                            "ref": {"type": "string", "pattern": "^(it|ob)-[0-9]{2,}$"},
                        },
                    },
                ]
            },
            "Node": {
                "type": "object",
                "required": ["value", "children"],
                "properties": {
                    "value": {"type": "integer"},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                    "next": {"$ref": "#/components/schemas/Node"},
                },
            },
        }
    },
}


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, Any]]]:
    """The shapes spec's generated package (imported from a temporary directory) and examples."""
    root = tmp_path_factory.mktemp("shapes")
    spec = root / "shapes.yaml"
    spec.write_text(yaml.safe_dump(SHAPES_SPEC, sort_keys=False), encoding="utf-8")
    for path, text in generate_tree(spec, package="shapes_api").items():
        target = root / "out" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    document = validate(load(spec))
    values = operation_examples(document, build(document, package="shapes_api"))["makeThing"]
    sys.path.insert(0, str(root / "out"))
    try:
        import shapes_api

        yield shapes_api, values
    finally:
        sys.path.remove(str(root / "out"))
        for name in [m for m in sys.modules if m == "shapes_api" or m.startswith("shapes_api.")]:
            del sys.modules[name]


def test_shapes_examples(shapes: tuple[Any, dict[str, Any]]) -> None:
    _, values = shapes
    assert values["limit"] == 7  # the parameter's own example
    assert values["mode"] == "fast"  # first enum value
    assert values["validate_only"] is True  # a "validate only" flag is set
    assert "verbose" not in values  # other optional flags are not
    assert values["pet"] == {"pet_type": "kitty", "name": "String"}  # mapping value; pattern met
    person = values["person"]
    assert "id" not in person  # read-only, even though required
    assert person["email"] == "user@example.com"
    assert person["site"] == "https://example.com"
    assert person["level"] == "gold"
    assert 8 <= len(person["code"]) <= 9
    assert person["count"] == 2 and person["ratio"] > 0.5
    assert "nick" not in person
    assert person["ref"] == "it-00"  # built from the pattern when no plain word fits
    assert values["color"] == "teal" and "note" not in values  # optional with an example only
    assert values["tree"] == {"value": 1, "children": []}  # recursion ends at once


def test_shapes_examples_are_accepted_by_the_generated_method(shapes: tuple[Any, dict[str, Any]]) -> None:
    package, values = shapes
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        return httpx.Response(204)

    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        client = package.Client(base_url=BASE_URL, http_client=http)
        resource = next(getattr(client, name) for name in dir(client) if hasattr(getattr(client, name), "make_thing"))
        assert resource.make_thing(**copy.deepcopy(values)) is None
    [request] = sent
    body = json.loads(request.content)
    assert body["pet"] == values["pet"] and body["tags"] == ["a"]
    assert dict(request.url.params) == {"limit": "7", "mode": "fast", "validateOnly": "true"}


def test_schema_example_follows_refs_and_bounds_recursion() -> None:
    document = validate(load(SPEC))
    assert schema_example(document, {"$ref": "#/components/schemas/PartnerSignupResponse"}) == {
        "organization_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
        "sso_url": "https://confluent.cloud/login/sso/example-connection",
        "display_message": "Your organization is ready. Sign in with your company account.",
    }
    loop = {"type": "object", "required": ["me"], "properties": {"me": {"$ref": "#/components/schemas/Loop"}}}
    doc = type(document)(file="loop.yaml", root={"components": {"schemas": {"Loop": loop}}}, sha256="0")
    value = schema_example(doc, {"$ref": "#/components/schemas/Loop"})
    depth = 0
    while value:  # a required self-reference nests, up to a bound
        value = value["me"]
        depth += 1
    assert 0 < depth <= MAX_DEPTH


FEATURE_CASES = sorted(
    d.name
    for d in (HERE / "cases").iterdir()
    if d.is_dir() and d.name not in ("errors", "diff") and (d / "spec.yaml").is_file()
)


class _Sent(Exception):  # noqa: N818 - a signal, not an error
    """Raised by the mock transport: the method built and validated its request."""


@pytest.mark.parametrize("case", FEATURE_CASES)
def test_examples_are_accepted_by_every_feature_case(case: str, tmp_path: Path) -> None:
    """For each feature spec in tests/cases: every operation's example arguments pass the
    generated method's validation and produce a request (the transport stops it there)."""
    spec = HERE / "cases" / case / "spec.yaml"
    package = f"examples_{case}"
    document = load(spec)
    api = build(document, package=package)
    values = operation_examples(document, api)
    # Rendered but not formatted (black changes layout only), to keep this quick.
    for path, text in render(api, examples=values, errors=docs.operation_errors(document, api)).items():
        target = tmp_path / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def handler(request: httpx.Request) -> httpx.Response:
        raise _Sent(f"{request.method} {request.url.path}")

    sys.path.insert(0, str(tmp_path))
    try:
        try:
            module = __import__(package)
        except Exception as exc:  # the package itself is broken: tests/test_cases.py reports that
            pytest.skip(f"the generated package does not import: {type(exc).__name__}: {exc}")
        client_class = getattr(module, api.client_name)
        accepted = inspect.signature(client_class).parameters
        credentials = {"api_key": "k", "api_secret": "s"} if "api_key" in accepted else {}
        if not credentials and "bearer_token" in accepted:
            credentials = {"bearer_token": "t"}
        with httpx.Client(transport=httpx.MockTransport(handler)) as http:
            client = client_class(base_url=BASE_URL, http_client=http, **credentials)
            for resource in api.resources:
                for op in resource.operations:
                    method = getattr(getattr(client, resource.attribute), op.method_name)
                    with pytest.raises(_Sent):
                        result = method(**copy.deepcopy(values[op.operation_id]))
                        for _ in result:  # a paginated method sends when iterated
                            break
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
            del sys.modules[name]
