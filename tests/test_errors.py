"""Bad specs: each gives exit code 2, a message naming file and JSON pointer, and no change.

Every ``tests/cases/errors/<name>.yaml`` has its expected stderr in ``<name>.expected``.
``UPDATE_GOLDEN=1 pytest tests/test_errors.py`` rewrites the expectations; review the diff.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator import cli, render, write

CASES = Path(__file__).resolve().parent / "cases" / "errors"
SPECS = sorted(CASES.glob("*.yaml"))
# Snapshots written by hand with the message the generator SHOULD give: it crashes, accepts the
# spec, or gives a message without a precise pointer or plain words. UPDATE_GOLDEN leaves them
# alone; when the generator is fixed, adjust the wording by hand if needed and drop the name.
# Snapshots written by hand for problems the generator once handled badly (a crash, no pointer,
# a misleading message); UPDATE_GOLDEN leaves them alone. All of them now pass as written.
HAND_WRITTEN = frozenset(
    {
        "allof_cycle", "discriminator_mapping_dangling", "duplicate_keys", "env_vars_invalid",
        "parameter_in_body", "path_not_slash", "path_parameter_not_in_path", "paths_not_mapping",
        "ref_to_non_mapping", "request_body_empty_content",
        "response_code_invalid", "yaml_recursive_alias",
    }
)


def tree_digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def generated_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("pristine") / "out"
    assert cli.main(["generate", "spec/partner-v2.yaml", "--out", str(target)]) == 0
    return target


@pytest.fixture
def out(tmp_path: Path, generated_once: Path) -> Path:
    """An output directory that already holds a previous generation and a user's file."""
    target = tmp_path / "out"
    shutil.copytree(generated_once, target)
    (target / "NOTES.txt").write_text("mine\n")
    return target


def test_catalogue_is_not_empty() -> None:
    assert len(SPECS) >= 34
    assert {p.stem for p in SPECS} >= HAND_WRITTEN


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_bad_spec_exits_2_with_located_message(
    spec: Path, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree_digest(out)
    code = cli.main(["generate", str(spec), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert "Traceback" not in captured.err
    assert captured.err.startswith(f"error: {spec.name}")
    assert tree_digest(out) == before
    expected_file = spec.with_suffix(".expected")
    if os.environ.get("UPDATE_GOLDEN") == "1" and spec.stem not in HAND_WRITTEN:
        expected_file.write_text(captured.err)
    assert expected_file.exists(), f"no snapshot; run UPDATE_GOLDEN=1 pytest {__file__}"
    assert captured.err == expected_file.read_text(), (
        f"message changed; if intended, run UPDATE_GOLDEN=1 pytest {__file__}"
    )


def test_validate_command_reports_the_same(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["validate", str(CASES / "dangling_ref.yaml")]) == 2
    assert "#/paths/~1things/get/responses/200/content/application~1json/schema/$ref" in capsys.readouterr().err
    assert cli.main(["validate", "spec/partner-v2.yaml"]) == 0


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["generate", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "nope.yaml: cannot read file" in err
    assert not (tmp_path / "o").exists()


def test_bad_package_name_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["generate", "--package", "not-valid", "--out", str(tmp_path / "o")]) == 2
    assert "not a valid Python identifier" in capsys.readouterr().err


def test_internal_error_exits_3_and_leaves_output(
    out: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = tree_digest(out)

    def broken(*args: object, **kwargs: object) -> dict[str, str]:
        raise RuntimeError("boom")

    monkeypatch.setattr("generator.pipeline.render", broken)
    (out / "confluent_partner_v2" / "models" / "_user.py").write_text("# stale\n")
    before = tree_digest(out)
    assert cli.main(["generate", "--out", str(out)]) == 3
    err = capsys.readouterr().err
    assert "bug in partner-codegen" in err and "Traceback" not in err
    assert tree_digest(out) == before


def test_failed_write_rolls_back(out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A disk error part-way through a write puts every replaced file back."""
    files = render.render(__import__("generator.model", fromlist=["build"]).build(
        __import__("generator.load", fromlist=["load"]).load(Path("spec/partner-v2.yaml")),
        package="confluent_partner_v2",
    ))
    files = {path: text + "# changed\n" if path.endswith(".py") else text for path, text in files.items()}
    before = tree_digest(out)
    real_replace = os.replace
    calls = {"n": 0}

    def flaky_replace(src: object, dst: object) -> None:
        calls["n"] += 1
        if calls["n"] == 7:
            raise OSError(28, "No space left on device")
        real_replace(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(write.os, "replace", flaky_replace)
    with pytest.raises(write.GenerationError, match="nothing was changed"):
        write.write(files, out)
    monkeypatch.setattr(write.os, "replace", real_replace)
    assert tree_digest(out) == before
    assert not list(out.parent.glob(".partner-codegen-*"))


def _nested(kind: str, depth: int) -> str:
    """A spec whose ``kind`` of construct is nested ``depth`` levels deep (flow style, one line)."""
    head = 'openapi: 3.0.3\ninfo: {title: t, version: "1"}\n'
    if kind == "yaml-lists":
        return head + "paths: {}\nx-deep: " + "[" * depth + "]" * depth + "\n"
    schema = "{type: string}"
    for _ in range(depth):
        schema = f"{{type: object, properties: {{a: {schema}}}}}" if kind == "objects" else f"{{type: array, items: {schema}}}"
    return head + (
        "paths:\n  /a:\n    get:\n      operationId: a\n      responses:\n        '200':\n"
        "          description: ok\n          content:\n            application/json:\n"
        f"              schema: {schema}\n"
    )


@pytest.mark.parametrize("depth", [300, 1000], ids=["past-our-limit", "past-libyaml-limit"])
@pytest.mark.parametrize("kind", ["objects", "arrays", "yaml-lists"])
def test_deep_nesting_exits_2(kind: str, depth: int, out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Deep nesting: one clean "nested too deeply" line with its location, never a RecursionError.

    300 levels pass the YAML parser and meet our own limit (a JSON pointer); at 1000 levels
    libyaml (PyYAML 6.0.3 and later) refuses first, and its refusal is reported the same way
    (a line and column).
    """
    spec = out.parent / "deep.yaml"
    spec.write_text(_nested(kind, depth))
    before = tree_digest(out)
    code = cli.main(["generate", str(spec), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith("error: deep.yaml") and "nested too deeply" in err
    problems = [line for line in err.splitlines() if line.startswith("error:")]
    assert len(problems) == 1 and ("deep.yaml#/" in problems[0] or " at line " in problems[0]), err
    assert "RecursionError" not in err and "Traceback" not in err
    assert tree_digest(out) == before


def test_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    """A 600-byte document whose aliases expand to 10**7 nodes must be refused, not expanded.

    (A 10**6 expansion already takes ~9 s and ~290 MB; each level multiplies both by ten.)
    """
    lines = ['openapi: 3.0.3', 'info: {title: t, version: "1"}', "paths: {}", "x-a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 7):
        lines.append(f"x-a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    spec = tmp_path / "bomb.yaml"
    spec.write_text("\n".join(lines) + "\n")

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 1024**3, 2 * 1024**3))

    try:
        done = subprocess.run(
            [sys.executable, "-m", "generator", "validate", str(spec)],
            capture_output=True, text=True, timeout=10, preexec_fn=limit_memory, check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("alias expansion is unbounded: still working after 10 s on a 600-byte spec")
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: bomb.yaml") and "Traceback" not in done.stderr


def test_an_interrupt_exits_130_quietly_and_leaves_output(
    out: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C while the files would be written: exit 130, one line, the output untouched."""

    def interrupted(*args: object, **kwargs: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setattr("generator.cli._deliver", interrupted)
    before = tree_digest(out)
    assert cli.main(["generate", "--out", str(out), "--cache-dir", str(out.parent / "cache")]) == 130
    err = capsys.readouterr().err
    assert err == "interrupted\n"
    assert tree_digest(out) == before
