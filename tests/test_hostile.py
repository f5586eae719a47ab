"""Spec text is untrusted input: hostile specs must generate code that compiles, imports and
type-checks, keeps every payload as data, and never runs or evaluates anything from the spec.

Every ``tests/cases/hostile/<name>.yaml`` is a valid OpenAPI document with payloads in names,
descriptions, enum values, defaults, patterns, server URLs and titles: quotes and triple quotes,
backslashes and ``\\N{...}``, NUL and control characters, Jinja syntax (``{{ 7*7 }}``), Python
code. A payload that ran would create a file named ``PWNED`` in the working directory, which is
a fresh directory both while generating and while importing.

The module-scoped fixtures generate every spec once and type-check all packages in a single mypy
run, so the whole file takes well under a minute.
"""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from generator.load import load
from generator.model import strip_badges
from generator.pipeline import generate_tree
from generator.validate import validate
from generator.write import write

CASES = Path(__file__).resolve().parent / "cases" / "hostile"
SPECS = sorted(CASES.glob("*.yaml"))
IDS = [p.stem for p in SPECS]
SENTINEL = "PWNED"


@dataclass(frozen=True)
class Built:
    spec: Path
    package: str
    out: Path
    error: str | None

    @property
    def root(self) -> Path:
        return self.out / self.package


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def built(workdir: Path) -> dict[str, Built]:
    """Every hostile spec generated (in process, as ``partner-codegen generate`` does)."""
    results: dict[str, Built] = {}
    here = Path.cwd()
    for spec in SPECS:
        package = f"evil_{spec.stem}"
        out = workdir / spec.stem
        error = None
        os.chdir(workdir)  # a payload run while generating would leave PWNED here
        try:
            write(generate_tree(spec, package=package), out)
        except Exception as exc:  # reported by the tests, one per spec
            error = f"{type(exc).__name__}: {exc}"
        finally:
            os.chdir(here)
        results[spec.stem] = Built(spec, package, out, error)
    return results


def require(built: dict[str, Built], name: str) -> Built:
    b = built[name]
    if b.error is not None:
        pytest.fail(f"generating {b.spec.name} failed (a generator bug):\n{b.error}", pytrace=False)
    return b


@pytest.fixture(scope="module")
def mypy_errors(built: dict[str, Built], workdir: Path) -> dict[str, list[str]]:
    """``mypy --strict`` over every generated package at once; error lines per package."""
    ok = [b for b in built.values() if b.error is None]
    if not ok:
        return {}
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(workdir / ".mypy_cache"),
         "--no-error-summary", "--hide-error-context", *(str(b.root) for b in ok)],
        cwd=workdir, capture_output=True, text=True, timeout=240, check=False,
    )
    errors: dict[str, list[str]] = {b.package: [] for b in ok}
    for line in done.stdout.splitlines():
        if ": error:" not in line:
            continue
        package = Path(line.split(":", 1)[0]).parts
        owner = next((p for p in package if p in errors), None)
        if owner is None:
            errors.setdefault("?", []).append(line)
        else:
            errors[owner].append(line)
    assert done.returncode in (0, 1), done.stderr
    return errors


# A script run in a subprocess: import every module of the package, then describe what it holds.
PROBE = textwrap.dedent(
    r'''
    import dataclasses, importlib, inspect, json, pkgutil, sys, typing
    import pydantic

    name = sys.argv[1]
    pkg = importlib.import_module(name)
    for info in pkgutil.walk_packages(pkg.__path__, name + "."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    models = importlib.import_module(name + ".models")
    resources = importlib.import_module(name + ".resources")
    try:  # resource modules import the TypedDicts for type checkers only
        type_checking_names = vars(importlib.import_module(name + ".params"))
    except ImportError:
        type_checking_names = {}

    def literals(tp):
        if typing.get_origin(tp) is typing.Literal:
            return list(typing.get_args(tp))
        return [v for arg in typing.get_args(tp) for v in literals(arg)]

    out = {"models": {}, "methods": {}, "base_url": pkg.DEFAULT_BASE_URL,
           "table": [dataclasses.asdict(m) for m in pkg.METHODS]}
    for cname in models.__all__:
        cls = getattr(models, cname)
        if not (isinstance(cls, type) and issubclass(cls, pydantic.BaseModel)):
            continue
        fields = {}
        for fname, info in cls.model_fields.items():
            fields[info.alias if info.alias is not None else fname] = {
                "name": fname,
                "required": info.is_required(),
                "default": None if info.is_required() else info.default,
                "literals": literals(info.annotation),
                "pattern": next((m.spec for m in info.metadata if type(m).__name__ == "Pattern"), None),
            }
        out["models"][cname] = {"doc": inspect.cleandoc(cls.__doc__ or ""), "fields": fields}
    for rname in resources.__all__:
        rcls = getattr(resources, rname)
        if rname.startswith("Async") or rname.endswith("WithRawResponse"):
            continue
        for mname, fn in inspect.getmembers(rcls, inspect.isfunction):
            if mname.startswith("_"):
                continue
            hints = typing.get_type_hints(fn, localns=type_checking_names)
            out["methods"][mname] = {
                "doc": inspect.cleandoc(fn.__doc__ or ""),
                "literals": {p: literals(t) for p, t in hints.items()},
            }
    print(json.dumps(out))
    '''
)


def run_in(b: Built, cwd: Path, script: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(b.out), "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run(
        [sys.executable, "-c", script, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture(scope="module")
def probed(built: dict[str, Built], workdir: Path) -> dict[str, dict[str, Any] | str]:
    """What each package holds once imported, or why importing failed."""
    results: dict[str, dict[str, Any] | str] = {}
    for name, b in built.items():
        if b.error is not None:
            continue
        cwd = workdir / f"run-{name}"
        cwd.mkdir()
        done = run_in(b, cwd, PROBE, b.package)
        if (cwd / SENTINEL).exists():
            results[name] = f"importing {b.package} RAN A PAYLOAD (created {SENTINEL})"
        elif done.returncode != 0:
            results[name] = f"importing {b.package} failed:\n{done.stderr[-3000:]}"
        else:
            results[name] = json.loads(done.stdout)
    return results


def probe(probed: dict[str, dict[str, Any] | str], built: dict[str, Built], name: str) -> dict[str, Any]:
    require(built, name)
    result = probed[name]
    if isinstance(result, str):
        pytest.fail(result, pytrace=False)
    return result


def spec_root(name: str) -> dict[str, Any]:
    return load(CASES / f"{name}.yaml").root


# ----------------------------------------------------------------------------- every spec
def test_corpus() -> None:
    assert len(SPECS) >= 5
    for spec in SPECS:  # hostile, but valid: the payloads must reach the generator
        validate(load(spec))


@pytest.mark.parametrize("name", IDS)
def test_generates_without_running_anything(name: str, built: dict[str, Built], workdir: Path) -> None:
    require(built, name)
    assert not (workdir / SENTINEL).exists()


@pytest.mark.parametrize("name", IDS)
def test_every_python_file_compiles(name: str, built: dict[str, Built]) -> None:
    b = require(built, name)
    sources = sorted(b.out.rglob("*.py"))
    assert sources
    for path in sources:
        compile(path.read_text(encoding="utf-8"), str(path), "exec", dont_inherit=True)


@pytest.mark.parametrize("name", IDS)
def test_imports_without_running_anything(
    name: str, built: dict[str, Built], probed: dict[str, dict[str, Any] | str]
) -> None:
    probe(probed, built, name)


@pytest.mark.parametrize("name", IDS)
def test_type_checks(name: str, built: dict[str, Built], mypy_errors: dict[str, list[str]]) -> None:
    b = require(built, name)
    assert "?" not in mypy_errors, mypy_errors["?"]
    assert mypy_errors[b.package] == [], "\n".join(mypy_errors[b.package])


@pytest.mark.parametrize("name", IDS)
def test_spec_text_is_never_rendered_as_a_template(name: str, built: dict[str, Built]) -> None:
    """``{{ 7*7 }}`` stays text everywhere (code, docs, metadata) and nothing says 49."""
    b = require(built, name)
    raw = b.spec.read_text(encoding="utf-8")
    texts = {p: p.read_text(encoding="utf-8") for p in b.out.rglob("*") if p.is_file() and ".mypy_cache" not in p.parts}
    for path, text in texts.items():
        body = text.split("\n", 1)[1] if text.startswith(("# Generated", "<!-- Generated")) else text
        assert not re.search(r"(?<![0-9])49(?![0-9])", body), f"{path} holds 49: a template rendered spec text"
    if "{{ 7*7 }}" in raw:
        assert any("{{ 7*7 }}" in t for p, t in texts.items() if p.suffix == ".py")


# ----------------------------------------------------------------------------- payloads as data
def test_text_payloads_survive_as_data(built: dict[str, Built], probed: dict[str, dict[str, Any] | str]) -> None:
    got = probe(probed, built, "text")
    spec = spec_root("text")
    schemas = spec["components"]["schemas"]
    pet, pet_spec = got["models"]["Pet"], schemas["Pet"]
    props = pet_spec["properties"]
    assert pet["fields"]["status"]["literals"] == props["status"]["enum"]
    assert pet["fields"]["status"]["default"] == props["status"]["default"] == "{{ 7*7 }}"
    assert pet["fields"]["nickname"]["default"] == props["nickname"]["default"]
    assert pet["fields"]["code"]["pattern"] == props["code"]["pattern"]
    assert pet["fields"]["kind"]["literals"] == ['a"b', "a'b"]
    assert pet["doc"] == textwrap.dedent(pet_spec["description"]).strip()
    assert got["models"]["Problem"]["doc"] == "\\"
    assert got["base_url"] == spec["servers"][0]["url"]
    op = spec["paths"]["/pets/{pet_id}"]["post"]
    (row,) = got["table"]
    assert row["path"] == "/pets/{pet_id}"
    assert row["description"] == strip_badges(op["description"])
    mood = next(p for p in op["parameters"] if p["name"] == "mood")
    assert got["methods"]["update_pet"]["literals"]["mood"] == mood["schema"]["enum"]
    doc = got["methods"]["update_pet"]["doc"]
    assert "exec('import os; os.system(\"touch PWNED\")')" in doc
    assert "{% raw %}{{ 7*7 }}{% endraw %}" in doc


def test_names_survive_as_data(built: dict[str, Built], probed: dict[str, dict[str, Any] | str]) -> None:
    got = probe(probed, built, "names")
    spec = spec_root("names")
    schemas = spec["components"]["schemas"]
    assert set(got["models"]["Def"]["fields"]) == set(schemas["def"]["properties"])
    evil = got["models"]["ImportOsSystemTouchPWNED"]["fields"]
    assert set(evil) == set(schemas["__import__('os').system('touch PWNED')"]["properties"])
    assert evil['"""']["required"] and evil["from"]["required"]
    for name, field in (f for m in got["models"].values() for f in m["fields"].items()):
        assert field["name"].isidentifier() and field["name"].isascii(), name
    paths = {row["path"] for row in got["table"]}
    assert paths == set(spec["paths"])
    get = next(row for row in got["table"] if row["http_method"] == "GET")
    declared = {p["name"] for p in spec["paths"][get["path"]]["get"]["parameters"]}
    assert set(get["required"]) | set(get["optional"]) == declared


def test_numbers_survive_as_data(built: dict[str, Built], probed: dict[str, dict[str, Any] | str]) -> None:
    fields = probe(probed, built, "numbers")["models"]["Measure"]["fields"]
    assert math.isnan(fields["not_a_number"]["default"])
    assert fields["infinite"]["default"] == math.inf
    assert fields["minus_infinite"]["default"] == -math.inf
    assert math.copysign(1.0, fields["negative_zero"]["default"]) == -1.0
    assert fields["huge"]["default"] == 10**38
    assert fields["tiny"]["default"] == 1.0e-300
    assert fields["truthy"]["literals"] == [1, True, 0, False]  # 1 == True, but not the same value
    assert fields["flag"]["default"] is False


# Calls through a mock transport: arguments named like the generated code's own names must still
# be sent as what they are.
CALL_PARAMS = textwrap.dedent(
    r'''
    import json, httpx
    from evil_collisions_params import Client
    sent = []
    def handler(request):
        sent.append({"url": str(request.url), "headers": dict(request.headers), "body": request.content.decode()})
        return httpx.Response(200, json={"label": "done"})
    client = Client(base_url="https://api.example", http_client=httpx.Client(transport=httpx.MockTransport(handler)))
    result = client.things.update_thing(
        str="s1", int=7, bool=True, body="query-body", result="r", build_body="b", thing="t", label="L"
    )
    print(json.dumps({"sent": sent, "label": result.label}))
    '''
)


def test_arguments_named_like_generated_code(built: dict[str, Built], workdir: Path) -> None:
    b = require(built, "collisions_params")
    cwd = workdir / "call-params"
    cwd.mkdir(exist_ok=True)
    done = run_in(b, cwd, CALL_PARAMS)
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout)
    (request,) = got["sent"]
    url = request["url"]
    assert url.startswith("https://api.example/things/s1?")
    query = dict(pair.split("=", 1) for pair in url.split("?", 1)[1].split("&"))
    assert query == {"int": "7", "body": "query-body", "result": "r", "build_body": "b", "Thing": "t"}
    assert request["headers"]["bool"] == "true"
    assert json.loads(request["body"]) == {"label": "L"}
    assert got["label"] == "done"


CALL_MODELS = textwrap.dedent(
    r'''
    import json, httpx
    from evil_collisions_models import Client, models
    def handler(request):
        return httpx.Response(200, json={"name": "acme", "contact": {"address": "a@b.example"}})
    with Client(base_url="https://api.example", http_client=httpx.Client(transport=httpx.MockTransport(handler))) as c:
        made = c.things.create_thing(config={"key": "k"}, timeouts={"seconds": 1.5}, timeout=5.0)
    assert isinstance(made, models.Client), type(made)
    print(json.dumps({"name": made.name, "address": made.contact.address}))
    '''
)


def test_schema_names_like_generated_names(built: dict[str, Built], workdir: Path) -> None:
    b = require(built, "collisions_models")
    cwd = workdir / "call-models"
    cwd.mkdir(exist_ok=True)
    done = run_in(b, cwd, CALL_MODELS)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout) == {"name": "acme", "address": "a@b.example"}


CALL_FIELDS = textwrap.dedent(
    r'''
    import json
    from evil_collisions_fields import models
    wire = {"str": "s", "name": "n", "int": 1, "count": 2, "list": ["x"], "bool": True, "flag": False,
            "Owner": {"name": "o"}, "previous_owner": {"name": "p"},
            "model_config": "mc", "model_fields": "mf", "model_dump": "md"}
    pet = models.Pet.model_validate(wire)
    print(json.dumps(pet.model_dump(mode="json", by_alias=True, exclude_none=True)))
    '''
)


def test_field_names_like_types_and_pydantic_attributes(built: dict[str, Built], workdir: Path) -> None:
    b = require(built, "collisions_fields")
    cwd = workdir / "call-fields"
    cwd.mkdir(exist_ok=True)
    done = run_in(b, cwd, CALL_FIELDS)
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout)["Owner"] == {"name": "o"}
    assert json.loads(done.stdout)["model_config"] == "mc"


CALL_CLIENT = textwrap.dedent(
    r'''
    import json, httpx
    from evil_collisions_client import _client
    (name,) = [n for n in _client.__all__ if n != "DEFAULT_BASE_URL" and not n.startswith("Async")]
    seen = []
    def handler(request):
        seen.append(request.url.path)
        return httpx.Response(200, json={"ok": True}) if request.url.path == "/requests" else httpx.Response(204)
    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = getattr(_client, name)(base_url="https://api.example", http_client=http, max_retries=0)
    # Resources named like the client's own API get a trailing underscore, as keywords do.
    assert client.max_retries == 0
    listed = client.request_.list_requests()
    client.max_retries_.list_retries()
    print(json.dumps({"client": name, "seen": seen, "ok": listed.ok}))
    '''
)


def test_client_and_resource_names_like_the_clients_own(built: dict[str, Built], workdir: Path) -> None:
    """``x-client-name: class`` and resources called ``request`` and ``max_retries``."""
    b = require(built, "collisions_client")
    cwd = workdir / "call-client"
    cwd.mkdir(exist_ok=True)
    done = run_in(b, cwd, CALL_CLIENT)
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout)
    assert got["client"].isidentifier()
    assert got["seen"] == ["/requests", "/retries"] and got["ok"] is True
