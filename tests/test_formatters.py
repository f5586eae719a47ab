"""``--formatter ruff`` against black, the formatter of record, file by file.

``ruff format`` is set up like black here (line length 100 and Python 3.11 for the package,
88 columns and no newer syntax for the documentation's snippets). This generates the partner
spec and every feature case with both and compares the trees: every difference must be listed
in :data:`EXPECTED`, with why, so a new difference (a ruff release that lays something out
otherwise, a template that writes a new shape) fails here until it is looked at.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from generator import pipeline

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases"
TARGETS = {"partner-v2": (ROOT / "spec" / "partner-v2.yaml", "confluent_partner_v2")} | {
    case.name: (case / "spec.yaml", f"case_{case.name}") for case in sorted(CASES.iterdir()) if (case / "spec.yaml").is_file()
}

_WITH = (
    "a snippet's `with Client() as client:  # credentials from ...` line passes 88 columns only "
    "because of its comment: black leaves it, ruff wraps the context manager in parentheses"
)
_UNION = (
    "a parameter whose long union annotation has a default: black parenthesizes the annotation, "
    "ruff splits it at each `|`"
)
EXPECTED: dict[tuple[str, str], str] = {
    ("resources", "README.md"): _WITH,
    ("resources", "api.md"): _WITH,
    ("unions", "README.md"): _WITH,
    ("unions", "api.md"): _WITH,
    ("unions", "case_unions/resources/default.py"): _UNION,
}
"""(target, file) -> why black and ruff lay it out differently. Every other file of every
target (the partner spec's whole package included) is byte-identical under the two."""


def _tree(spec: Path, package: str, formatter: str) -> dict[str, str] | None:
    try:
        return pipeline.generate(spec, package=package, formatter=formatter).files
    except Exception:  # a case that is refused is refused alike (compared below)
        return None


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_ruff_formats_like_black(target: str) -> None:
    spec, package = TARGETS[target]
    black_tree, ruff_tree = _tree(spec, package, "black"), _tree(spec, package, "ruff")
    assert (black_tree is None) == (ruff_tree is None)
    if black_tree is None or ruff_tree is None:
        return
    assert sorted(black_tree) == sorted(ruff_tree)
    differing = {path for path in black_tree if black_tree[path] != ruff_tree[path]}
    expected = {path for (name, path) in EXPECTED if name == target}
    unexpected = differing - expected
    report = "".join(
        "".join(difflib.unified_diff(black_tree[p].splitlines(True), ruff_tree[p].splitlines(True), f"black/{p}", f"ruff/{p}", n=1))
        for p in sorted(unexpected)
    )
    assert not unexpected, f"ruff lays out {sorted(unexpected)} unlike black (add to EXPECTED, with why, if intended):\n{report[:4000]}"
    assert not expected - differing, f"listed in EXPECTED but now identical: {sorted(expected - differing)}"


def test_the_command_line_takes_the_formatter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``generate --formatter ruff`` writes ruff's tree, ``check --formatter ruff`` accepts it, and
    ``check`` with black (the default) reports the files where the two differ."""
    from generator import cli

    spec, package = TARGETS["unions"]
    out = tmp_path / "out"
    assert cli.main(["generate", str(spec), "--out", str(out), "--package", package, "--no-cache", "--formatter", "ruff"]) == 0
    assert cli.main(["check", str(spec), "--out", str(out), "--package", package, "--no-cache", "--formatter", "ruff"]) == 0
    capsys.readouterr()
    assert cli.main(["check", str(spec), "--out", str(out), "--package", package, "--no-cache"]) == 1
    assert f"changed: {package}/resources/default.py" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["generate", str(spec), "--formatter", "yapf"])


def test_without_ruff_the_command_says_how_to_get_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A missing ruff is the installation's problem: exit 2 with the way to install it, no traceback."""
    import sys

    from generator import cli
    from generator import format as fmt

    fmt._ruff_binary.cache_clear()
    monkeypatch.setitem(sys.modules, "ruff.__main__", None)  # as if ruff were not installed
    try:
        code = cli.main(["generate", str(TARGETS["nullable"][0]), "--out", str(tmp_path / "o"), "--package", "p", "--no-cache", "--formatter", "ruff"])
    finally:
        fmt._ruff_binary.cache_clear()
    assert code == 2
    err = capsys.readouterr().err
    assert "pip install 'partner-codegen[ruff]'" in err and "Traceback" not in err
    assert not (tmp_path / "o").exists()
