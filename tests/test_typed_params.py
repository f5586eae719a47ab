"""Dict literals passed to methods are checked by mypy --strict and pyright strict.

Every model a request can carry has a ``TypedDict`` (``<Model>Param``, in ``params.py``) and
the methods take ``Model | ModelParam``. Shown here with user files an editor would hold:

- a file that calls every partner method (sync, async, raw response) with dict literals, and
  with models, is clean under both checkers, and does at run time what it says (the dicts
  are sent as given, by wire name);
- files with one mistake each (a misspelt key, a missing required key, a value of the wrong
  type, an unknown discriminator value, a read-only key) are flagged by both, on that line;
- every example of the feature cases' ``api.md`` (dict literals for every request body) is
  clean under both, and mistakes in the functional-syntax and discriminated ``TypedDict``\\ s
  of the cases are flagged too.

Both checkers run once per session over all the files (pyright takes ~20 s to start).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from generator.pipeline import generate_tree
from generator.write import write

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
PYRIGHT = ROOT / "node_modules" / ".bin" / "pyright"
BIN = Path(sys.executable).parent
MARK = "# <- flagged"

PARTNER_OK = '''\
from __future__ import annotations

from confluent_partner_v2 import AsyncPartnerClient, PartnerClient
from confluent_partner_v2.models import (
    AzureSSOConfig,
    EntitlementReference,
    PartnerSignupResponse,
    SignupOrganization,
    User,
)
from confluent_partner_v2.params import EntitlementInputParam, UserParam

def calls(client: PartnerClient) -> list[PartnerSignupResponse]:
    user: UserParam = {"email": "ada@example.com", "given_name": "Ada", "family_name": "Lovelace"}
    reference: EntitlementInputParam = {"related": "https://api.example/ent-1"}
    return [
        client.signups.signup(
            organization={"name": "Acme", "sso_config": {"kind": "AzureSSOConfig", "tenant_id": "t-1"}},
            entitlement={
                "external_id": "e-1",
                "name": "Acme Prod",
                "plan_id": "plan",
                "product_id": "product",
                "organization": {"related": "https://api.example/org-1", "id": "org-1"},
            },
            user=user,
            dry_run=True,
        ),
        client.signups.signup(
            organization={"name": "Acme", "sso_config": {"kind": "AzureSSOConfig", "tenant_id": "t-1"}},
            entitlement=reference,
        ),
        client.signups.activate_signup(
            user={"email": "ada@example.com", "given_name": "Ada", "family_name": "Lovelace"},
            organization_id="org-1",
        ),
        client.signups.signup_partner_v2_link(
            token="secret-token",
            organization={"sso_config": {"kind": "AzureSSOConfig", "tenant_id": "t-1"}},
            entitlement={"related": "https://api.example/ent-1", "environment": "env-1"},
        ),
        client.signups.with_raw_response.activate_signup(
            user=user, organization_id="org-2"
        ).parse(),
    ]


def calls_with_models(client: PartnerClient) -> PartnerSignupResponse:
    return client.signups.signup(
        organization=SignupOrganization(
            name="Acme", sso_config=AzureSSOConfig(kind="AzureSSOConfig", tenant_id="t-1")
        ),
        entitlement=EntitlementReference(related="https://api.example/ent-1"),
        user=User(email="ada@example.com", given_name="Ada", family_name="Lovelace"),
    )


async def async_calls(client: AsyncPartnerClient) -> list[PartnerSignupResponse]:
    return [
        await client.signups.signup(
            organization={"name": "Acme", "sso_config": {"kind": "AzureSSOConfig", "tenant_id": "t-1"}},
            entitlement={"external_id": "e-1", "name": "n", "plan_id": "p", "product_id": "q"},
        ),
        await client.signups.activate_signup(
            user={"email": "ada@example.com", "given_name": "Ada", "family_name": "Lovelace"},
            organization_id="org-1",
        ),
        await client.signups.signup_partner_v2_link(
            token="secret-token",
            organization={"name": "Acme", "sso_config": {"kind": "AzureSSOConfig", "tenant_id": "t-1"}},
            entitlement={"related": "https://api.example/ent-1"},
        ),
    ]
'''

_PARTNER_HEAD = '''\
from __future__ import annotations

from confluent_partner_v2 import PartnerClient


def call(client: PartnerClient) -> None:
'''


@dataclass(frozen=True)
class Mistake:
    """A user file with one mistake, on the line marked ``# <- flagged``, and the same file
    with ``bad`` replaced by ``good``, which must be clean: the mistake is what is flagged.

    Both checkers name the argument and the ``TypedDict`` it expects (``words``). They report
    the argument's line, not the key's: the parameter is a union (``Model | ModelParam``), and
    neither names the key at fault when no member of a union fits.
    """

    body: str
    bad: str
    good: str
    words: tuple[str, ...]
    head: str = _PARTNER_HEAD

    def fixed(self) -> str:
        assert self.body.count(self.bad) == 1, self.bad
        return self.body.replace(self.bad, self.good)


PARTNER_MISTAKES: dict[str, Mistake] = {
    "misspelt_key": Mistake(
        '''    client.signups.signup(
        organization={"nmae": "Acme", "sso_config": {"kind": "AzureSSOConfig", "tenant_id": "t"}},  # <- flagged
        entitlement={"related": "https://api.example/ent-1"},
    )
''',
        '"nmae"', '"name"', ('"organization"', "SignupOrganizationParam"),
    ),
    "missing_required_key": Mistake(
        '''    client.signups.activate_signup(
        user={"email": "ada@example.com", "given_name": "Ada"},  # <- flagged
        organization_id="org-1",
    )
''',
        '"given_name": "Ada"}', '"given_name": "Ada", "family_name": "L"}', ('"user"', "UserParam"),
    ),
    "wrong_value_type": Mistake(
        '''    client.signups.activate_signup(
        user={"email": "ada@example.com", "given_name": 5, "family_name": "L"},  # <- flagged
        organization_id="org-1",
    )
''',
        '"given_name": 5', '"given_name": "Ada"', ('"user"', "UserParam"),
    ),
    "nested_misspelt_key": Mistake(
        '''    client.signups.signup(
        organization={"name": "Acme", "sso_config": {"kind": "AzureSSOConfig", "tenant": "t"}},  # <- flagged
        entitlement={"related": "https://api.example/ent-1"},
    )
''',
        '"tenant":', '"tenant_id":', ('"organization"', "SignupOrganizationParam"),
    ),
    "unknown_discriminator_value": Mistake(
        '''    client.signups.signup_partner_v2_link(
        token="t",
        organization={"sso_config": {"kind": "OktaSSOConfig", "tenant_id": "t"}},  # <- flagged
        entitlement={"related": "https://api.example/ent-1"},
    )
''',
        '"OktaSSOConfig"', '"AzureSSOConfig"', ('"organization"', "LinkOrganizationParam"),
    ),
    "read_only_key": Mistake(
        '''    client.signups.signup(
        organization={"name": "Acme", "sso_url": "https://x", "sso_config": {"kind": "AzureSSOConfig", "tenant_id": "t"}},  # <- flagged
        entitlement={"related": "https://api.example/ent-1"},
    )
''',
        '"sso_url": "https://x", ', "", ('"organization"', "SignupOrganizationParam"),
    ),
}


# Mistakes against feature cases: the functional TypedDict syntax (keys that are not
# identifiers) and discriminated unions of TypedDicts.
CASE_MISTAKES: dict[str, tuple[str, Mistake]] = {
    "bodies_functional_key": (
        "bodies",
        Mistake(
            '''    client.default.create_note(text="t", meta={"x-sourc": "cli"})  # <- flagged
''',
            '"x-sourc"', '"x-source"', ('"meta"', "NoteMetaParam"),
            head='''\
from __future__ import annotations

from case_bodies import Client


def call(client: Client) -> None:
''',
        ),
    ),
    "unions_discriminator": (
        "unions",
        Mistake(
            '''    client.default.create_pet(body={"pet_type": "cow", "meows": True})  # <- flagged
''',
            '"pet_type": "cow"', '"pet_type": "cat"', ('"body"', "CatParam", "DogParam"),
            head='''\
from __future__ import annotations

from case_unions import Client


def call(client: Client) -> None:
''',
        ),
    ),
}


@dataclass
class Diagnostics:
    """Errors per checker, per file name: ``(line, message)``."""

    mypy: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    pyright: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    mypy_output: str = ""

    def of(self, checker: str, name: str) -> list[tuple[int, str]]:
        found: dict[str, list[tuple[int, str]]] = getattr(self, checker)
        return found.get(name, [])


def _cases_with_bodies() -> list[str]:
    return sorted(
        d.name for d in CASES.iterdir()
        if (d / "expected" / "params.py").is_file()
    )


def _examples(api_md: str) -> list[str]:
    """The method examples of an ``api.md`` (the Python fences that call a method)."""
    return [b for b in re.findall(r"```python\n(.*?)```", api_md, re.S) if "result = " in b]


def _run_mypy(users: Path, paths: list[Path]) -> tuple[dict[str, list[tuple[int, str]]], str]:
    env = {**os.environ, "MYPYPATH": os.pathsep.join(map(str, paths))}
    done = subprocess.run(
        [str(BIN / "mypy"), "--strict", "--python-version=3.11", "--no-error-summary", "--hide-error-context",
         f"--cache-dir={ROOT / '.mypy_cache' / 'typed_params'}", "."],
        cwd=users, capture_output=True, text=True, env=env, timeout=900, check=False,
    )
    found: dict[str, list[tuple[int, str]]] = {}
    for line in done.stdout.splitlines():
        match = re.match(r"(?P<file>[^:]+\.py):(?P<line>\d+): error: (?P<message>.*)", line)
        if match:
            found.setdefault(Path(match["file"]).name, []).append((int(match["line"]), match["message"]))
    return found, done.stdout + done.stderr


def _run_pyright(users: Path, paths: list[Path]) -> dict[str, list[tuple[int, str]]]:
    config = users.parent / "pyrightconfig.json"
    config.write_text(json.dumps({
        "typeCheckingMode": "strict",
        "pythonVersion": "3.11",
        "extraPaths": [str(p) for p in paths],
    }))
    done = subprocess.run(
        [str(PYRIGHT), "--outputjson", "--pythonpath", sys.executable, "-p", str(config), str(users)],
        capture_output=True, text=True, timeout=900, check=False,
    )
    report = json.loads(done.stdout)
    found: dict[str, list[tuple[int, str]]] = {}
    for d in report["generalDiagnostics"]:
        if d["severity"] == "error":
            found.setdefault(Path(d["file"]).name, []).append((d["range"]["start"]["line"] + 1, d["message"]))
    return found


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Diagnostics, Path]]:
    """Generate the cases with request bodies, write every user file, run both checkers once."""
    if not PYRIGHT.exists():
        pytest.skip("pyright is installed by `npm ci` (make test)")
    if shutil.which("node") is None:
        pytest.skip("pyright needs node")
    root = tmp_path_factory.mktemp("typed_params")
    users = root / "users"
    users.mkdir()
    paths: list[Path] = []
    for case in _cases_with_bodies():
        out = root / "cases" / case
        files = generate_tree(CASES / case / "spec.yaml", package=f"case_{case}")
        write(files, out)
        paths.append(out)
        for index, example in enumerate(_examples(files["api.md"])):
            (users / f"example_{case}_{index}.py").write_text(example)
    (users / "partner_ok.py").write_text(PARTNER_OK)
    for name, mistake in PARTNER_MISTAKES.items():
        (users / f"partner_{name}.py").write_text(mistake.head + mistake.body)
        (users / f"partner_{name}_fixed.py").write_text(mistake.head + mistake.fixed())
    for name, (_, mistake) in CASE_MISTAKES.items():
        (users / f"case_{name}.py").write_text(mistake.head + mistake.body)
        (users / f"case_{name}_fixed.py").write_text(mistake.head + mistake.fixed())
    diagnostics = Diagnostics()
    diagnostics.mypy, diagnostics.mypy_output = _run_mypy(users, paths)
    diagnostics.pyright = _run_pyright(users, paths)
    yield diagnostics, users


def test_every_partner_method_takes_dict_literals(checked: tuple[Diagnostics, Path]) -> None:
    diagnostics, _ = checked
    assert diagnostics.of("mypy", "partner_ok.py") == [], diagnostics.mypy_output
    assert diagnostics.of("pyright", "partner_ok.py") == []


def _expect_flagged(diagnostics: Diagnostics, users: Path, file: str, mistake: Mistake) -> None:
    text = (users / file).read_text()
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.endswith(MARK))
    fixed = file.removesuffix(".py") + "_fixed.py"
    for checker in ("mypy", "pyright"):
        assert diagnostics.of(checker, fixed) == [], (checker, fixed, diagnostics.of(checker, fixed))
        found = diagnostics.of(checker, file)
        assert found, f"{checker} did not flag {file}"
        assert {at for at, _ in found} == {line}, (checker, found)
        messages = " ".join(message for _, message in found)
        for word in mistake.words:
            assert word in messages, (checker, word, messages)


@pytest.mark.parametrize("name", sorted(PARTNER_MISTAKES))
def test_partner_mistakes_are_flagged_by_both_checkers(name: str, checked: tuple[Diagnostics, Path]) -> None:
    diagnostics, users = checked
    _expect_flagged(diagnostics, users, f"partner_{name}.py", PARTNER_MISTAKES[name])


@pytest.mark.parametrize("name", sorted(CASE_MISTAKES))
def test_case_mistakes_are_flagged_by_both_checkers(name: str, checked: tuple[Diagnostics, Path]) -> None:
    diagnostics, users = checked
    _expect_flagged(diagnostics, users, f"case_{name}.py", CASE_MISTAKES[name][1])


def test_feature_case_examples_type_check(checked: tuple[Diagnostics, Path]) -> None:
    """Every request body of every case, written as dict literals in its api.md example."""
    diagnostics, users = checked
    examples = sorted(p.name for p in users.glob("example_*.py"))
    assert len(examples) >= 40, examples
    # Where a request nests objects, the examples pass them as dict literals.
    with_dicts = {name.split("_")[1] for name in examples if re.search(r"=\s*\{|\[\{", (users / name).read_text())}
    assert {"unions", "recursive", "inline"} <= with_dicts, with_dicts
    for checker in ("mypy", "pyright"):
        problems = {name: diagnostics.of(checker, name) for name in examples if diagnostics.of(checker, name)}
        assert problems == {}, (checker, problems)


# --------------------------------------------------------------------------- at run time


def _load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location("typed_params_user_file", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(201, json={"organization_id": "org-1", "sso_url": "https://login.example/acme"})


def test_the_type_checked_file_sends_its_dicts_as_given(tmp_path: Path) -> None:
    from confluent_partner_v2 import AsyncPartnerClient, PartnerClient

    path = tmp_path / "partner_ok.py"
    path.write_text(PARTNER_OK)
    user = _load(path)
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return _answer(request)

    auth = {"api_key": "k", "api_secret": "s", "base_url": "http://127.0.0.1:9", "max_retries": 0}
    with PartnerClient(**auth, http_client=httpx.Client(transport=httpx.MockTransport(handler))) as client:
        results = user.calls(client)
        results.append(user.calls_with_models(client))
    assert [r.organization_id for r in results] == ["org-1"] * 6
    bodies = [json.loads(r.content) for r in sent]
    assert bodies[0] == {
        "organization": {"name": "Acme", "sso_config": {"kind": "AzureSSOConfig", "tenant_id": "t-1"}},
        "entitlement": {
            "external_id": "e-1", "name": "Acme Prod", "plan_id": "plan", "product_id": "product",
            "organization": {"related": "https://api.example/org-1", "id": "org-1"},
        },
        "user": {"email": "ada@example.com", "given_name": "Ada", "family_name": "Lovelace"},
    }
    assert bodies[1]["entitlement"] == {"related": "https://api.example/ent-1"}
    assert bodies[3] == {
        "token": "secret-token",
        "organization": {"sso_config": {"kind": "AzureSSOConfig", "tenant_id": "t-1"}},
        "entitlement": {"related": "https://api.example/ent-1", "environment": "env-1"},
    }
    assert bodies[5] == {
        "organization": {"name": "Acme", "sso_config": {"kind": "AzureSSOConfig", "tenant_id": "t-1"}},
        "entitlement": {"related": "https://api.example/ent-1"},
        "user": {"email": "ada@example.com", "given_name": "Ada", "family_name": "Lovelace"},
    }

    async def run_async() -> list[Any]:
        transport = httpx.MockTransport(handler)
        async with AsyncPartnerClient(**auth, http_client=httpx.AsyncClient(transport=transport)) as client:
            result: list[Any] = await user.async_calls(client)
            return result

    del sent[:]
    assert len(asyncio.run(run_async())) == 3
    assert [r.url.path for r in sent] == ["/partner/v2/signup", "/partner/v2/signup/activate", "/partner/v2/signup/link"]
