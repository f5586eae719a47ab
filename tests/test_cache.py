"""The outer cache makes regeneration cheap and never changes what is generated.

An unchanged input is served whole (its warnings with it); any change of the spec, the options
or the formatter misses; a damaged cache file is detected (by its hash) and ignored; the
formatter's memo serves formatted text by content, so an edit costs formatting what changed;
and generating with the cache, cold or warm, gives the same tree as generating without it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import black
import pytest

from generator import cli, pipeline
from generator import format as fmt
from generator.cache import Cache, Memo, Tree, only_local_refs
from generator.errors import SpecError, SpecErrors

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "tests" / "cases" / "nullable" / "spec.yaml"

FILES = {
    "pkg/a.py": "x = [1,2,\n 3]\n\n\nclass A:\n  y: int=1\n\n\ndef f( a ):\n  return a\n",
    "pkg/b.py": "import os\nprint( os.sep )\n",
    "README.md": "# not   Python\n",
    "pkg/py.typed": "",
}


def black_whole(files: dict[str, str]) -> dict[str, str]:
    return {p: black.format_str(t, mode=fmt.mode()) if p.endswith(".py") and t else t for p, t in files.items()}


def spy_on_black(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text black formats from now on (in this process), in order."""
    seen: list[str] = []
    real = black.format_str

    def spy(text: str, *, mode: black.Mode) -> str:
        seen.append(text)
        return real(text, mode=mode)

    monkeypatch.setattr(black, "format_str", spy)
    return seen


def memo_at(tmp_path: Path) -> Memo:
    return Cache(tmp_path / "cache", "out").memo()


def test_a_memo_hit_serves_identical_bytes_without_black(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    memo = memo_at(tmp_path)
    first = fmt.format_tree(FILES, memo=memo)
    assert first == black_whole(FILES)
    memo.save()
    seen = spy_on_black(monkeypatch)
    assert fmt.format_tree(FILES, memo=memo_at(tmp_path)) == first
    assert seen == []


def test_an_edit_costs_only_the_chunk_it_changed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    memo = memo_at(tmp_path)
    fmt.format_tree(FILES, memo=memo)
    memo.save()
    changed = {**FILES, "pkg/a.py": FILES["pkg/a.py"].replace("return a", "return  a + 1")}
    expected = black_whole(changed)
    seen = spy_on_black(monkeypatch)
    assert fmt.format_tree(changed, memo=memo_at(tmp_path)) == expected
    assert seen == ["def f( a ):\n  return  a + 1\n"]


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "empty"])
def test_a_damaged_cache_file_is_detected_and_ignored(tmp_path: Path, damage: str, monkeypatch: pytest.MonkeyPatch) -> None:
    memo = memo_at(tmp_path)
    fmt.format_tree(FILES, memo=memo)
    memo.save()
    store = memo.path
    raw = bytearray(store.read_bytes())
    if damage == "flip":  # one byte of black's output changed: the payload no longer hashes right
        raw[raw.index(b"return a")] ^= 0x20
    elif damage == "truncate":
        raw = raw[: len(raw) // 2]
    elif damage == "garbage":
        raw = bytearray(b"\x00\xff not a cache file")
    else:
        raw = bytearray()
    store.write_bytes(bytes(raw))
    again = memo_at(tmp_path)
    assert len(again) == 0 and "anything" not in again
    expected = black_whole(FILES)
    seen = spy_on_black(monkeypatch)
    assert fmt.format_tree(FILES, memo=again) == expected
    assert seen  # formatted again, not served from the damaged file
    again.save()
    assert len(memo_at(tmp_path)._entries()) > 0  # rewritten whole on save


def test_the_tree_round_trips_with_its_warnings_and_rejects_other_keys(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "deep" / "cache", "out")
    assert cache.tree("k") is None
    warning = SpecError("s.yaml", "/paths", "a warning", warning=True)
    cache.put_tree("k", Tree({"a": "b"}, (warning,)))
    assert cache.tree("k") == Tree({"a": "b"}, (warning,))
    assert cache.tree("other") is None
    cache.file("tree").write_bytes(cache.file("tree").read_bytes()[:-2])
    assert cache.tree("k") is None
    blocked = tmp_path / "file"
    blocked.write_text("")
    Cache(blocked / "cache", "out").put_tree("k", Tree({}, ()))  # a file where a folder should be: no error


def test_the_cache_never_changes_the_output(tmp_path: Path) -> None:
    plain = pipeline.generate_tree(SPEC, package="nullable_client")
    cache = Cache(tmp_path / "cache", "out")
    cold = pipeline.generate_tree(SPEC, package="nullable_client", cache=cache)
    warm = pipeline.generate_tree(SPEC, package="nullable_client", cache=cache)
    assert cold == plain and warm == plain


def test_an_unchanged_input_is_served_whole_and_any_change_misses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(SPEC.read_bytes())
    cache = Cache(tmp_path / "cache", "out")
    first = pipeline.generate_tree(spec, package="nullable_client", cache=cache)

    def broken(*args: object, **kwargs: object) -> dict[str, str]:
        raise RuntimeError("render ran although the cache should have served this")

    monkeypatch.setattr("generator.pipeline.render", broken)
    assert pipeline.generate_tree(spec, package="nullable_client", cache=cache) == first
    with pytest.raises(RuntimeError, match="render ran"):  # another package name is another tree
        pipeline.generate_tree(spec, package="other_client", cache=cache)
    with pytest.raises(RuntimeError, match="render ran"):  # so is another formatter
        pipeline.generate(spec, package="nullable_client", formatter="ruff", cache=cache)
    spec.write_text(SPEC.read_text() + "\n# edited\n")  # and one more byte in the spec
    with pytest.raises(RuntimeError, match="render ran"):
        pipeline.generate_tree(spec, package="nullable_client", cache=cache)


def test_specs_that_may_read_other_files_are_not_served_whole() -> None:
    assert only_local_refs(b"a:\n  $ref: '#/components/schemas/A'\nb: {\"$ref\": \"#/x\"}\n")
    assert not only_local_refs(b"a:\n  $ref: 'other.yaml#/components/schemas/A'\n")
    assert not only_local_refs(b"description: see $ref docs\n")


def test_an_edit_after_a_cached_generation_is_validated_whole(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    text = SPEC.read_text()
    spec.write_text(text)
    cache = Cache(tmp_path / "cache", "out")
    pipeline.generate_tree(spec, package="nullable_client", cache=cache)
    spec.write_text(text.replace("openapi: 3.0.3", "openapi: 3.0.3\nx-edited: true", 1))
    assert pipeline.generate_tree(spec, package="nullable_client", cache=cache) == pipeline.generate_tree(spec, package="nullable_client")
    spec.write_text(text.replace("type: object", "type: objekt", 1))
    with pytest.raises(SpecErrors) as cached:
        pipeline.generate_tree(spec, package="nullable_client", cache=cache)
    with pytest.raises(SpecErrors) as uncached:
        pipeline.generate_tree(spec, package="nullable_client")
    assert cached.value.errors == uncached.value.errors


def test_cli_uses_the_cache_dir_and_no_cache_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, cache_dir = tmp_path / "out", tmp_path / "cache"
    args = ["generate", str(SPEC), "--out", str(out), "--package", "nullable_client", "--cache-dir", str(cache_dir)]
    assert cli.main(args) == 0
    assert sorted(p.suffix for p in cache_dir.iterdir()) == [".format", ".tree", ".tree-key"]
    assert cli.main(args) == 0
    assert "already up to date" in capsys.readouterr().out
    other = tmp_path / "cache2"
    check = ["check", str(SPEC), "--out", str(out), "--package", "nullable_client", "--cache-dir", str(other)]
    assert cli.main([*check, "--no-cache"]) == 0  # the cached result equals an uncached generation
    assert not other.exists()


def test_cache_dir_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNER_CODEGEN_CACHE_DIR", str(tmp_path / "env-cache"))
    assert cli.main(["generate", str(SPEC), "--out", str(tmp_path / "out"), "--package", "nullable_client"]) == 0
    assert any((tmp_path / "env-cache").iterdir())
    assert not (tmp_path / ".partner-codegen-cache").exists()


def test_the_change_summary_is_the_same_with_and_without_the_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "spec.yaml"
    text = SPEC.read_text()
    out = tmp_path / "out"

    def summary(*extra: str) -> str:
        # One version throughout: the changelog's history differs between the runs below.
        args = ["generate", str(spec), "--out", str(out), "--package", "nullable_client", "--version", "0.1.0", *extra]
        assert cli.main(args) == 0
        return capsys.readouterr().out.split("\n", 1)[1]

    new_path = "paths:\n  /zz-new:\n    get:\n      operationId: zzNew\n      responses:\n        '204':\n          description: ok\n"
    edited = text.replace("paths:\n", new_path, 1)
    runs = []
    for extra in (["--cache-dir", str(tmp_path / "cache")], ["--no-cache"]):
        spec.write_text(text)
        summary(*extra)
        spec.write_text(edited)
        runs.append(summary(*extra))
    assert runs[0] == runs[1] and "1 compatible" in runs[0]


def test_library_versions_are_what_importlib_metadata_says() -> None:
    """The keys' quick reading of versions agrees with the standard one."""
    from importlib import metadata

    from generator.cache import _LIBRARIES
    from generator.versions import library_version

    for name in (*_LIBRARIES, "httpx", "PyYAML", "pydantic_core", "no-such-distribution"):
        try:
            expected = metadata.version(name)
        except metadata.PackageNotFoundError:
            expected = "absent"
        assert library_version(name) == expected, name


def test_the_stages_know_nothing_of_the_cache_or_processes() -> None:
    """Speed lives outside the stages: none of them imports the cache or the pipeline that
    consults it (the format stage is handed the pipeline's process pool)."""
    code = (
        "import sys\n"
        "import generator.load, generator.validate, generator.model, generator.render, generator.format, generator.write\n"
        "print(sorted(m for m in ('generator.cache', 'generator.pipeline') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("spec_case", ["warned", "invalid", "model_error"])
def test_validating_beside_the_stages_gives_the_verdict_of_validating_first(tmp_path: Path, spec_case: str) -> None:
    """With a process pool (the default on Linux, ``PARTNER_CODEGEN_JOBS=2``) the spec is
    validated beside model and render; with one process (``=1``) it is validated first. Same
    output, same findings, same exit code, for a spec with warnings, an invalid one, and one
    whose error only the model finds (with warnings beside it)."""
    text = SPEC.read_text()
    spec = tmp_path / "spec.yaml"
    if spec_case == "warned":
        text = text.replace("paths:\n", "paths:\n  /w:\n    get:\n      title: x\n      operationId: w\n      responses: {'204': {description: ok}}\n", 1)
    elif spec_case == "invalid":
        text = text.replace("type: object", "type: objekt", 1)
    else:
        text = text.replace("paths:\n", "paths:\n  /w:\n    get:\n      title: x\n      operationId: w\n      responses: {'204': {description: ok}}\n"
                            "  /w2:\n    get:\n      operationId: W\n      responses: {'204': {description: ok}}\n", 1)
    spec.write_text(text)
    runs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        done = subprocess.run(
            [sys.executable, "-m", "generator", "generate", str(spec), "--out", str(out), "--package", "p", "--no-cache"],
            capture_output=True, text=True, check=False, env={**os.environ, "PARTNER_CODEGEN_JOBS": jobs},
        )
        files = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()} if out.exists() else {}
        runs.append((done.returncode, done.stderr, files))
    assert runs[0] == runs[1]
    assert runs[0][0] == (0 if spec_case == "warned" else 2)
    assert ("warning:" in runs[0][1]) == (spec_case != "invalid")
