"""The generated package's version and CHANGELOG.md follow its API; ``<package>/lib/`` survives.

Simulated upstream changes (a new SSO variant, then a removed parameter) go through
``generate`` one after another, from our spec and (when ``../shared`` is here) from
Confluent's published document with our overlay.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import cli
from generator.diff import Change, Report
from generator.versioning import bump, changelog_entry, level

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = ROOT / "spec" / "partner-v2.yaml"
OVERLAY = ROOT / "spec" / "confluent-cloud.overlay.yaml"
PUBLISHED = ROOT.parent / "shared" / "specs" / "confluent-partner-v2-reference.yaml"
OPERATIONS = "signup,activateSignup,signupPartnerV2Link"
PKG = "confluent_partner_v2"
OKTA = {
    "type": "object",
    "description": "Single sign-on through Okta.",
    "properties": {"kind": {"type": "string", "enum": ["OktaSSOConfig"]}, "domain": {"type": "string"}},
    "required": ["kind", "domain"],
}


class Source:
    """A spec to generate from, and how an upstream release would change it."""

    def __init__(self, path: Path, union: str, extra: list[str]) -> None:
        self.root: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        self.name = path.name
        self.union = union  # the component holding the SSO variants
        self.extra = extra  # --operations/--overlay

    def add_sso_variant(self) -> None:
        schemas = self.root["components"]["schemas"]
        schemas["OktaSSOConfig"] = copy.deepcopy(OKTA)
        schemas[self.union]["oneOf"].append({"$ref": "#/components/schemas/OktaSSOConfig"})
        mapping = schemas[self.union]["discriminator"].get("mapping")
        if mapping is not None:
            mapping["OktaSSOConfig"] = "#/components/schemas/OktaSSOConfig"

    def remove_dry_run(self) -> None:
        del self.root["paths"]["/partner/v2/signup"]["post"]["parameters"]

    def describe_differently(self) -> None:
        self.root["paths"]["/partner/v2/signup"]["post"]["summary"] = "Sign up a customer (reworded)"

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / self.name
        path.write_text(yaml.safe_dump(self.root, sort_keys=False), encoding="utf-8")
        return path


def ours() -> Source:
    return Source(SPEC, "SsoConfig", [])


def published() -> Source:
    if not PUBLISHED.is_file():
        pytest.skip(f"{PUBLISHED} is not here (../shared is absent)")
    return Source(PUBLISHED, "partner_v2_Organization_sso_config", ["--operations", OPERATIONS, "--overlay", str(OVERLAY)])


def generate(source: Source, out: Path, *extra: str, command: str = "generate", cache: bool = False) -> int:
    spec = source.write(out.parent / "upstream")
    return cli.main([command, str(spec), "--out", str(out), *source.extra, *extra, *([] if cache else ["--no-cache"])])


def version(out: Path) -> str:
    value = tomllib.loads((out / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert isinstance(value, str)
    assert f'__version__ = "{value}"' in (out / PKG / "_version.py").read_text(encoding="utf-8")
    return value


def tree(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


LIB = {
    "__init__.py": '"""Our own helpers, kept across regenerations."""\n',
    "helpers.py": (
        "from confluent_partner_v2 import PartnerClient\n"
        "from confluent_partner_v2.models import AzureSSOConfig\n\n\n"
        "def azure(tenant: str) -> AzureSSOConfig:\n"
        '    return AzureSSOConfig(kind="AzureSSOConfig", tenant_id=tenant)\n\n\n'
        "CLIENT = PartnerClient\n"
    ),
    "notes.txt": "not Python at all\n",
}


def add_lib(out: Path) -> dict[str, bytes]:
    lib = out / PKG / "lib"
    lib.mkdir()
    for name, text in LIB.items():
        (lib / name).write_text(text, encoding="utf-8")
    return tree(lib)


def imports_lib(out: Path) -> str:
    code = "from confluent_partner_v2.lib.helpers import azure; import confluent_partner_v2; print(azure('t').tenant_id, confluent_partner_v2.__file__)"
    result = subprocess.run([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(out)}, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("make_source", [ours, published], ids=["our-spec", "published-spec"])
def test_upstream_changes_flow_through_diff_version_and_changelog(make_source: Callable[[], Source], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = make_source()
    out = tmp_path / "generated"
    assert generate(source, out, "--version", "1.0.0") == 0
    assert version(out) == "1.0.0"
    lib = add_lib(out)
    assert imports_lib(out).startswith("t ")

    # Nothing changed: the same bytes, no new version, and check agrees.
    before = tree(out)
    assert generate(source, out) == 0
    assert tree(out) == before
    assert generate(source, out, command="check") == 0

    # A new SSO variant: an addition, so a minor version.
    source.add_sso_variant()
    assert generate(source, out, command="check") == 1  # the output is stale until generated
    capsys.readouterr()
    assert generate(source, out) == 0
    printed = capsys.readouterr().out
    assert "API changes since the previous generation: 2 changes: 0 breaking, 0 risk, 2 compatible" in printed
    assert f"version 1.1.0; see {out / 'CHANGELOG.md'}" in printed
    assert version(out) == "1.1.0"
    assert "class OktaSSOConfig" in (out / PKG / "models" / "_okta_sso_config.py").read_text(encoding="utf-8")

    # A removed parameter: breaking, so a major version.
    source.remove_dry_run()
    assert generate(source, out) == 0
    assert version(out) == "2.0.0"

    # Only a summary reworded: a patch.
    source.describe_differently()
    assert generate(source, out) == 0
    assert version(out) == "2.0.1"
    assert generate(source, out, command="check") == 0

    log = (out / "CHANGELOG.md").read_text(encoding="utf-8")
    assert log.index("## 2.0.1") < log.index("## 2.0.0") < log.index("## 1.1.0") < log.index("## 1.0.0")
    entry_200 = log[log.index("## 2.0.0") : log.index("## 1.1.0")]
    assert "Breaking: code written for 1.1.0 may need changes:" in entry_200
    assert "- `signups.signup(dry_run)`: argument dry_run (query 'dry_run') was removed" in entry_200
    entry_110 = log[log.index("## 1.1.0") : log.index("## 1.0.0")]
    assert "Breaking" not in entry_110
    assert "Compatible:" in entry_110 and "union variant OktaSSOConfig is accepted" in entry_110
    assert "- `models.OktaSSOConfig`: new model" in entry_110
    entry_201 = log[log.index("## 2.0.1") : log.index("## 2.0.0")]
    assert "- `signups.signup`: summary or description changed" in entry_201

    # --version wins over the rules.
    assert generate(source, out, "--version", "7.0.0") == 0
    assert version(out) == "7.0.0"

    # The user's lib/ came through every regeneration untouched, and still imports.
    assert tree(out / PKG / "lib") == lib
    assert imports_lib(out).startswith("t ")


def test_below_one_breaking_is_minor_and_additions_are_patches(tmp_path: Path) -> None:
    """And a cached run gives the very same trees as an uncached one, version and log included."""
    trees: list[list[dict[str, bytes]]] = []
    for cache in (False, True):
        source, out = ours(), tmp_path / f"cache-{cache}" / "generated"
        seen = []
        assert generate(source, out, cache=cache) == 0
        assert version(out) == "0.1.0" and not (out / "CHANGELOG.md").exists()  # a first run
        seen.append(tree(out))
        source.add_sso_variant()
        assert generate(source, out, cache=cache) == 0
        assert version(out) == "0.1.1"
        seen.append(tree(out))
        source.remove_dry_run()
        assert generate(source, out, cache=cache) == 0
        assert version(out) == "0.2.0"
        assert generate(source, out, cache=cache) == 0  # unchanged: the tree cache serves it whole
        assert version(out) == "0.2.0"
        seen.append(tree(out))
        trees.append(seen)
    assert trees[0] == trees[1]


def test_lib_is_never_deleted_even_if_a_manifest_lists_it(tmp_path: Path) -> None:
    source, out = ours(), tmp_path / "generated"
    assert generate(source, out) == 0
    lib = add_lib(out)
    manifest = out / ".partner-codegen-manifest"
    manifest.write_text(manifest.read_text(encoding="utf-8") + f"{PKG}/lib/helpers.py\n{PKG}/lib/__init__.py\n", encoding="utf-8")
    source.remove_dry_run()
    assert generate(source, out) == 0
    assert tree(out / PKG / "lib") == lib
    assert generate(source, out, command="check") == 0  # lib/ is no difference either
    assert f'include = ["{PKG}", "{PKG}.*"]' in (out / "pyproject.toml").read_text(encoding="utf-8")  # shipped too


def test_bad_version_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "generated"
    assert generate(ours(), out, "--version", "2.0") == 2
    assert not out.exists()
    assert "--version '2.0' is not a version of the form MAJOR.MINOR.PATCH" in capsys.readouterr().err


def _change(kind: str, code: str) -> Change:
    return Change(kind, code, "s", "m", "f#/p")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "expected", "at_zero"),
    [
        ([_change("breaking", "param-removed"), _change("compatible", "param-added")], "2.0.0", "0.2.0"),
        ([_change("compatible", "param-added")], "1.3.0", "0.1.4"),
        ([_change("risk", "enum-value-added")], "1.3.0", "0.1.4"),
        ([_change("compatible", "description-changed")], "1.2.4", "0.1.4"),
        ([], "1.2.4", "0.1.4"),
    ],
)
def test_the_bump_rules(changes: list[Change], expected: str, at_zero: str) -> None:
    report = Report("a", "b", tuple(changes))
    assert bump("1.2.3", level(report)) == expected
    assert bump("0.1.3", level(report)) == at_zero


def test_changelog_entry_words() -> None:
    report = Report("a", "b", (_change("breaking", "x"), _change("risk", "y"), _change("compatible", "z")))
    text = changelog_entry("2.0.0", "1.0.0", report)
    assert text.splitlines()[0] == "## 2.0.0"
    assert text.index("Breaking: code written for 1.0.0") < text.index("Check your handling") < text.index("Compatible:")
    assert changelog_entry("1.0.1", "1.0.0", Report("a", "b", ())).splitlines()[2].startswith("No change to the API")
    assert changelog_entry("1.0.1", "1.0.0", None).splitlines()[2].startswith("The API could not be compared")
    assert changelog_entry("0.1.0", None, None).splitlines()[2] == "The first generated version."


def test_a_version_edited_by_hand_is_not_silently_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source, out = ours(), tmp_path / "generated"
    assert generate(source, out) == 0
    pyproject = out / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8").replace('version = "0.1.0"', 'version = "1.0.0rc1"'), encoding="utf-8")
    before = tree(out)
    source.remove_dry_run()
    assert generate(source, out) == 2
    assert tree(out) == before  # nothing written
    assert "version '1.0.0rc1' is not MAJOR.MINOR.PATCH; pass --version X.Y.Z" in capsys.readouterr().err
    assert generate(source, out, "--version", "1.0.0") == 0
    assert version(out) == "1.0.0"
