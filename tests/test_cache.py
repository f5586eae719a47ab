"""The caches that make regeneration cheap never change what is generated.

A hit serves exactly the bytes black produced; a changed input misses; a corrupt cache file is
detected (by its hash) and ignored; and generating with the caches, cold or warm, gives the
same tree as generating without them. Also: formatting a module in chunks equals formatting
it whole, and the parallel map equals the plain one.
"""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import black
import pytest

from generator import cli, parallel, pipeline, workers
from generator import format as fmt
from generator.cache import (
    Baseline,
    Cache,
    DocumentCache,
    FormatCache,
    TreeCache,
    only_local_refs,
    read_store,
    write_store,
)
from generator.errors import SpecErrors
from generator.workers import start_workers

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


def no_black(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> str:
        raise AssertionError("black was called although everything should come from the cache")

    monkeypatch.setattr(black, "format_str", refuse)


def test_hit_serves_identical_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "x.format"
    first = fmt.format_tree(FILES, cache=FormatCache(store), jobs=1)
    assert first == black_whole(FILES)
    assert store.exists()
    no_black(monkeypatch)
    cache = FormatCache(store)
    assert fmt.format_tree(FILES, cache=cache, jobs=1) == first
    assert cache.hits == 2 and cache.misses == 0


def test_changed_input_misses(tmp_path: Path) -> None:
    store = tmp_path / "x.format"
    fmt.format_tree(FILES, cache=FormatCache(store), jobs=1)
    changed = {**FILES, "pkg/a.py": FILES["pkg/a.py"].replace("return a", "return  a + 1")}
    cache = FormatCache(store)
    result = fmt.format_tree(changed, cache=cache, jobs=1)
    assert result == black_whole(changed)
    assert "return a + 1" in result["pkg/a.py"]
    assert cache.misses >= 1  # the changed file (its unchanged chunks may still hit)


def spy_on_black(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text black formats from now on (in this process), in order."""
    seen: list[str] = []
    real = black.format_str

    def spy(text: str, *, mode: black.Mode) -> str:
        seen.append(text)
        return real(text, mode=mode)

    monkeypatch.setattr(black, "format_str", spy)
    return seen


def test_only_the_changed_chunk_is_formatted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "x.format"
    fmt.format_tree(FILES, cache=FormatCache(store), jobs=1)
    changed = {**FILES, "pkg/a.py": FILES["pkg/a.py"].replace("return a", "return  a + 1")}
    expected = black_whole(changed)
    formatted = spy_on_black(monkeypatch)
    assert fmt.format_tree(changed, cache=FormatCache(store), jobs=1) == expected
    assert formatted == ["def f( a ):\n  return  a + 1\n"]


@pytest.mark.parametrize("damage", ["flip", "truncate", "garbage", "empty"])
def test_corrupt_cache_file_is_detected_and_ignored(tmp_path: Path, damage: str) -> None:
    store = tmp_path / "x.format"
    fmt.format_tree(FILES, cache=FormatCache(store), jobs=1)
    raw = bytearray(store.read_bytes())
    if damage == "flip":  # one byte of black's output changed: the payload no longer hashes right
        at = raw.index(b"return a")
        raw[at] ^= 0x20
    elif damage == "truncate":
        raw = raw[: len(raw) // 2]
    elif damage == "garbage":
        raw = bytearray(b"\x00\xff not a cache file")
    else:
        raw = bytearray()
    store.write_bytes(bytes(raw))
    assert read_store(store) is None
    cache = FormatCache(store)
    assert fmt.format_tree(FILES, cache=cache, jobs=1) == black_whole(FILES)
    assert cache.hits == 0
    assert read_store(store) is not None  # rewritten whole on save


def test_stores_round_trip_and_reject_bad_files(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "store"
    assert write_store(path, {"key": "k", "files": {"a": "b"}})
    assert read_store(path) == {"key": "k", "files": {"a": "b"}}
    tree = TreeCache(path)
    assert tree.get("k") is None  # no key file: written by something else
    tree.put("k", {"a": "b"})
    assert read_store(path) == {"key": "k", "files": {"a": "b"}}
    assert tree.get("k") == {"a": "b"}
    assert tree.get("other") is None
    assert read_store(tmp_path / "missing") is None
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert not write_store(blocked / "store", {"x": 1})  # a file where a folder should be: a miss, no error


def test_cache_never_changes_the_output(tmp_path: Path) -> None:
    plain = pipeline.generate_tree(SPEC, package="nullable_client")
    cache = Cache(tmp_path / "cache", "out")
    cold = pipeline.generate_tree(SPEC, package="nullable_client", cache=cache)
    warm = pipeline.generate_tree(SPEC, package="nullable_client", cache=cache)
    assert cold == plain and warm == plain


def test_tree_cache_serves_unchanged_spec_and_misses_changed_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_bytes(SPEC.read_bytes())
    cache = Cache(tmp_path / "cache", "out")
    first = pipeline.generate_tree(spec, package="nullable_client", cache=cache)

    def broken(*args: object, **kwargs: object) -> dict[str, str]:
        raise RuntimeError("render ran although the tree cache should have served this")

    monkeypatch.setattr("generator.pipeline.render", broken)
    assert pipeline.generate_tree(spec, package="nullable_client", cache=cache) == first
    # Another package name is another tree.
    with pytest.raises(RuntimeError, match="render ran"):
        pipeline.generate_tree(spec, package="other_client", cache=cache)
    # So is another spec: one more byte in a description.
    spec.write_text(SPEC.read_text().replace("title:", "title: x", 1) if "title:" in SPEC.read_text() else SPEC.read_text() + "\n# edited\n")
    with pytest.raises(RuntimeError, match="render ran"):
        pipeline.generate_tree(spec, package="nullable_client", cache=cache)


def test_specs_that_may_read_other_files_are_not_tree_cached() -> None:
    assert only_local_refs(b"a:\n  $ref: '#/components/schemas/A'\nb: {\"$ref\": \"#/x\"}\n")
    assert not only_local_refs(b"a:\n  $ref: 'other.yaml#/components/schemas/A'\n")
    assert not only_local_refs(b"description: see $ref docs\n")


def test_cli_generate_twice_uses_the_cache(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, cache_dir = tmp_path / "out", tmp_path / "cache"
    args = ["generate", str(SPEC), "--out", str(out), "--package", "nullable_client", "--cache-dir", str(cache_dir)]
    assert cli.main(args) == 0
    assert sorted(p.suffix for p in cache_dir.iterdir()) == [".api", ".document", ".format", ".tree", ".tree-key"]
    assert cli.main(args) == 0
    assert "already up to date" in capsys.readouterr().out
    other = tmp_path / "cache2"
    check = ["check", str(SPEC), "--out", str(out), "--package", "nullable_client", "--cache-dir", str(other)]
    assert cli.main([*check, "--no-cache"]) == 0  # the cached result equals an uncached generation
    assert not other.exists()


SOURCE = textwrap.dedent(
    '''\
    """Module docstring."""
    from __future__ import annotations
    import os
    from typing import TYPE_CHECKING, overload
    if TYPE_CHECKING:
        import sys
    X = 1
    class A:
        """Only a docstring."""
    class B( A ):
        x: int=1
        def m(self): return 1
        # trailing comment inside the class



    # a comment before a function
    def f(a,b): return a
    @overload
    def g(a: int) -> int: ...
    @overload
    def g(a: str) -> str: ...

    def g(a): return a
    async def h():
        await  g(1)
    @staticmethod

    def decorated(): pass
    class C: pass

    class D: ...
    class E: ...
    y = [
        1,
    ]
    def last():
        return (1,
          2)
    '''
)


@pytest.mark.parametrize("text", [SOURCE, SOURCE.rstrip("\n"), SOURCE.replace("    ", "\t"), "x = 1\n", ""])
def test_chunks_format_like_the_whole_file(text: str) -> None:
    chunks = fmt.split_chunks(text)
    assert "".join(chunks) == text
    if not text:
        return
    whole = black.format_str(text, mode=fmt.mode())
    if len(chunks) > 1:
        assert fmt.join_chunks([black.format_str(c, mode=fmt.mode()) for c in chunks]) == whole
    assert fmt.format_tree({"m.py": text}, jobs=1)["m.py"] == whole


def test_files_black_treats_as_a_whole_are_not_split() -> None:
    text = "x = 1\n\n\n# fmt: off\ndef f( ):  pass\n# fmt: on\n\n\ndef g(): pass\n"
    assert fmt.split_chunks(text) == [text]
    assert fmt.format_tree({"m.py": text}, jobs=1)["m.py"] == black.format_str(text, mode=fmt.mode())


def test_invalid_python_is_still_a_format_error() -> None:
    with pytest.raises(fmt.FormatError, match=r"generated pkg/bad\.py is not valid Python"):
        fmt.format_tree({"pkg/bad.py": "def f(:\n"}, jobs=1)


def test_parallel_map_equals_the_plain_one() -> None:
    items = [f"x{i} = [ {i} ]\n" for i in range(12)]
    expected = [black.format_str(i, mode=fmt.mode()) for i in items]
    assert parallel.fork_map(fmt._format_one, [("k", (i, fmt.LINE_LENGTH, True)) for i in items], [len(i) for i in items], jobs=2) == expected
    assert fmt.format_tree({f"m{i}.py": t for i, t in enumerate(items)}, jobs=2) == {
        f"m{i}.py": e for i, e in enumerate(expected)
    }


def _square(x: int) -> int:
    return x * x


def _fails_in_child(parent: int) -> int:
    if os.getpid() != parent:
        raise RuntimeError("only in the worker")
    return 7


def test_worker_answers_calls_in_order_and_falls_back_here() -> None:
    worker = parallel.Worker(lambda: None)
    try:
        assert worker.alive == parallel.can_fork()
        calls = [worker.submit(_square, i) for i in range(5)]
        assert [c.result() for c in calls] == [0, 1, 4, 9, 16]
        # A call that fails in the worker is run here instead; later calls run here too.
        assert worker.submit(_fails_in_child, os.getpid()).result() == 7
        assert not worker.alive
        assert worker.submit(_square, 3).result() == 9
    finally:
        worker.close()


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


def _length(data: bytes) -> int:
    return len(data)


def test_a_large_request_does_not_wait_for_the_worker_to_get_ready() -> None:
    worker = parallel.Worker(functools.partial(_sleep, 1.0))
    try:
        started = time.perf_counter()
        call = worker.submit(_length, b"x" * 5_000_000)  # far more than a pipe holds
        assert time.perf_counter() - started < 0.5
        assert call.result() == 5_000_000
        assert worker.alive == parallel.can_fork()
    finally:
        worker.close()


def test_a_killed_worker_costs_nothing_but_time() -> None:
    worker = parallel.Worker(lambda: None)
    if not worker.alive:
        pytest.skip("cannot fork here")
    os.kill(worker._pid, signal.SIGKILL)
    assert worker.submit(_square, 12).result() == 144
    assert not worker.alive
    worker.close()


def test_the_format_helper_gives_what_black_gives() -> None:
    items = [f"x{i} = [ {i} ]\n" for i in range(12)]
    expected = {f"m{i}.py": black.format_str(t, mode=fmt.mode()) for i, t in enumerate(items)}
    helper = parallel.Worker(fmt.prepare_black)
    try:
        assert fmt.format_tree({f"m{i}.py": t for i, t in enumerate(items)}, jobs=2, helper=helper) == expected
        big = {f"m{i}.py": t * 200 for i, t in enumerate(items[:3])}  # above the parallel threshold
        assert fmt.format_tree(big, jobs=2, helper=helper) == {k: black.format_str(v, mode=fmt.mode()) for k, v in big.items()}
        assert fmt.format_snippets(["f( 1 )\n"], jobs=2, helper=helper) == ["f(1)\n"]
    finally:
        helper.close()


def test_background_gives_the_value_or_the_error(monkeypatch: pytest.MonkeyPatch) -> None:
    assert parallel.Background(lambda: 6 * 7).result() == 42
    runs: list[int] = []
    monkeypatch.setenv("PARTNER_CODEGEN_JOBS", "1")  # here, so the runs can be counted
    once = parallel.Background(lambda: runs.append(1) or len(runs))
    assert (once.result(), once.result(), runs) == (1, 1, [1])
    monkeypatch.delenv("PARTNER_CODEGEN_JOBS")

    def fails() -> int:
        raise ValueError("nope")

    with pytest.raises(ValueError, match="nope"):
        parallel.Background(fails).result()


def test_snippets_are_black_at_their_width_and_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    long_call = "f(" + ", ".join(f"argument_{i}={i}" for i in range(8)) + ")\n"  # 120 columns
    texts = [long_call, "x = (1,2)\n", "def broken(:\n"]
    store = tmp_path / "x.format"
    writer = FormatCache(store)
    first = fmt.format_snippets(texts, line_length=88, cache=writer, jobs=1)
    writer.save()
    assert first[0] == black.format_str(long_call, mode=black.Mode(line_length=88))
    assert first[1] == "x = (1, 2)\n"
    assert first[2] == texts[2]  # what black rejects is shown as written
    assert fmt.format_snippets(texts[:1], line_length=100, jobs=1) == [black.format_str(long_call, mode=fmt.mode())]
    no_black(monkeypatch)
    cache = FormatCache(store)
    assert fmt.format_snippets(texts[:2], line_length=88, cache=cache, jobs=1) == first[:2]
    assert cache.hits == 2


def test_document_cache_round_trips_and_rejects_damage(tmp_path: Path) -> None:
    store = DocumentCache(tmp_path / "x.document")
    assert store.get() is None
    root = {"openapi": "3.0.3", "paths": {"/a": {"get": {"responses": {200: {"description": "ok"}}}}}}
    store.put(Baseline("ab" * 32, root, "openapi: 3.0.3\n"))
    assert store.get() == Baseline("ab" * 32, root, "openapi: 3.0.3\n")
    raw = (tmp_path / "x.document").read_bytes()
    (tmp_path / "x.document").write_bytes(raw[:-3] + b"xyz")
    assert store.get() is None
    (tmp_path / "x.document").write_bytes(raw.replace(b"document v1", b"document v0"))
    assert store.get() is None


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_an_edit_after_a_cached_generation_is_validated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str) -> None:
    """The second run validates only what changed; a bad edit is still refused, whole. With
    ``PARTNER_CODEGEN_JOBS=1`` nothing is forked: the same, in one process."""
    monkeypatch.setenv("PARTNER_CODEGEN_JOBS", jobs)
    spec = tmp_path / "spec.yaml"
    text = SPEC.read_text()
    spec.write_text(text)
    cache = Cache(tmp_path / "cache", "out")
    pipeline.generate_tree(spec, package="nullable_client", cache=cache)
    assert cache.document_cache().get() is not None
    spec.write_text(text.replace("openapi: 3.0.3", "openapi: 3.0.3\nx-edited: true", 1))
    edited = pipeline.generate_tree(spec, package="nullable_client", cache=cache)
    assert edited == pipeline.generate_tree(spec, package="nullable_client")
    spec.write_text(text.replace("type: object", "type: objekt", 1))
    with pytest.raises(SpecErrors) as cached:
        pipeline.generate_tree(spec, package="nullable_client", cache=cache)
    with pytest.raises(SpecErrors) as uncached:
        pipeline.generate_tree(spec, package="nullable_client")
    assert cached.value.errors == uncached.value.errors


@pytest.mark.parametrize("worker", ["answers", "killed"])
def test_the_validation_worker_gives_the_full_verdict(tmp_path: Path, worker: str) -> None:
    """The worker validates what it is sent against the baseline it inherited; if it dies, the
    document is validated here. Either way the problems are those of a plain full check."""
    from generator.load import load

    spec = tmp_path / "spec.yaml"
    text = SPEC.read_text()
    spec.write_text(text)
    cache = Cache(tmp_path / "cache", "out")
    pipeline.generate_tree(spec, package="nullable_client", cache=cache)
    baseline = cache.document_cache().get()
    assert baseline is not None
    spec.write_text(text.replace("type: object", "type: objekt", 1))
    started = start_workers(baseline=baseline)
    validation = pipeline._Validation(baseline, started.validator)
    try:
        if worker == "killed" and started.validator is not None:
            os.kill(started.validator._pid, signal.SIGKILL)
        validation.start(load(spec))
        problems, _ = validation.result(load(spec))
    finally:
        validation.cancel()
        started.close()
    with pytest.raises(SpecErrors) as plain:
        pipeline.generate_tree(spec, package="nullable_client")
    assert problems and tuple(problems) == tuple(plain.value.errors)


def test_a_worker_with_another_baseline_checks_the_whole_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The validator worker reads the cache itself; it uses its baseline only if that is the
    one the sender loaded against (another run may have written the cache in between)."""
    import marshal

    cache = Cache(tmp_path / "cache", "out")
    pipeline.generate_tree(SPEC, package="nullable_client", cache=cache)
    stored = cache.document_cache().get()
    assert stored is not None
    seen: list[object] = []
    monkeypatch.setattr(workers, "validation_verdict", lambda document, baseline: (seen.append(baseline), ([], 0.0))[1])
    monkeypatch.setitem(workers._INHERITED, "baseline", stored)  # as in the worker
    root = marshal.dumps(stored.root)
    workers.validate_sent(root, "spec.yaml", stored.sha256, stored.sha256)
    workers.validate_sent(root, "spec.yaml", stored.sha256, "00" * 32)
    workers.validate_sent(root, "spec.yaml", stored.sha256, None)
    assert seen == [stored, None, None]


CLASSES = textwrap.dedent(
    '''\
    class Resource:
        """A class black may format method by method."""

        _x: int = 1

        def __init__(self, client: object) -> None:
            self._client = client

        def method_with_a_long_signature(self, *, first_argument: int, second_argument: str, third: bytes = b"") -> dict[str, object]:
            """Summary.

            Args:
                first_argument: the first one, with a description long enough to make black think about it
            """
            return {"a": first_argument, "b": second_argument, "c": third, "d": [1,2,3], "e": {"nested": (1,)}}

        @property


        def decorated(self): return   1

        async def coroutine(self):
            for x in range(3):
                def inner(): pass
                yield  x


    class WithAStringOfLines:
        def f(self):
            return """line
      less indented
    """

        def g(self): pass


    class OnlyMethods:
        def first(self): pass

        def second(self): pass


    class MethodRightUnderTheClass:
        def first(self): pass
        def second(self): pass
    '''
)


@pytest.mark.parametrize(
    ("text", "split"),
    [(CLASSES, True), (CLASSES + "\n\n# trailing comment\n", True), (CLASSES.replace("    ", "  "), False)],
)
def test_classes_formatted_method_by_method_equal_black_on_the_whole(text: str, split: bool) -> None:
    plan = fmt.split_pieces(text)
    assert any(len(pieces) > 2 for pieces in plan) == split  # Resource, when indented by four
    assert fmt.format_tree({"m.py": text}, jobs=1)["m.py"] == black.format_str(text, mode=fmt.mode())


def test_a_class_with_a_string_of_lines_is_not_split() -> None:
    chunks = fmt.split_pieces(CLASSES)
    texts = [[p.text for p in pieces] for pieces in chunks]
    whole = [c.rstrip("\n") + "\n" for c in fmt.split_chunks(CLASSES) if "WithAStringOfLines" in c]
    assert [t for t in texts if "WithAStringOfLines" in t[0]] == [whole]


def test_an_edited_method_costs_only_that_method(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = tmp_path / "x.format"
    fmt.format_tree({"m.py": CLASSES}, cache=FormatCache(store), jobs=1)
    edited = CLASSES.replace("yield  x", "yield  x + 1")
    real = black.format_str
    seen = spy_on_black(monkeypatch)
    result = fmt.format_tree({"m.py": edited}, cache=FormatCache(store), jobs=1)
    monkeypatch.setattr(black, "format_str", real)
    assert result["m.py"] == black.format_str(edited, mode=fmt.mode())
    assert len(seen) == 1 and seen[0].startswith("async def coroutine")


def test_the_change_summary_is_the_same_with_the_cached_api(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = tmp_path / "spec.yaml"
    text = SPEC.read_text()
    spec.write_text(text)
    out = tmp_path / "out"

    def summary(*extra: str) -> str:
        # One version throughout: the changelog's history differs between the runs below.
        args = ["generate", str(spec), "--out", str(out), "--package", "nullable_client", "--version", "0.1.0", *extra]
        assert cli.main(args) == 0
        return capsys.readouterr().out.split("\n", 1)[1]

    cache_dir = str(tmp_path / "cache")
    summary("--cache-dir", cache_dir)
    assert (tmp_path / "cache").glob("*.api")
    new_path = "paths:\n  /zz-new:\n    get:\n      operationId: zzNew\n      responses:\n        '204':\n          description: ok\n"
    edited = text.replace("paths:\n", new_path, 1)
    assert edited != text
    spec.write_text(edited)
    builds: list[object] = []
    real_build = pipeline.build

    def counting_build(*args: object, **kwargs: object) -> object:
        builds.append(args)
        return real_build(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "build", counting_build)
    with_cache = summary("--cache-dir", cache_dir)
    assert len(builds) == 1  # the new API only: the previous one came from the cache
    spec.write_text(text)
    summary("--no-cache")
    spec.write_text(edited)
    assert summary("--no-cache") == with_cache
    assert "1 compatible" in with_cache


def test_library_versions_are_what_importlib_metadata_says() -> None:
    """The fingerprint's quick reading of versions agrees with the standard one."""
    from importlib import metadata

    from generator.cache import _LIBRARIES, library_version

    for name in (*_LIBRARIES, "httpx", "PyYAML", "pydantic_core", "no-such-distribution"):
        try:
            expected = metadata.version(name)
        except metadata.PackageNotFoundError:
            expected = "absent"
        assert library_version(name) == expected, name


def test_caches_written_beside_the_caller_are_complete_after_finish(tmp_path: Path) -> None:
    cache = Cache(tmp_path / "cache", "out")
    result = pipeline.generate(SPEC, package="nullable_client", cache=cache, wait=False)
    result.finish()
    result.finish()  # a second call is harmless
    stored = cache.document_cache().get()
    assert stored is not None and stored.sha256 == result.document.sha256  # type: ignore[union-attr]
    assert cache.api_cache().get(stored.sha256, "nullable_client") == result.api
    again = pipeline.generate(SPEC, package="nullable_client", cache=cache)
    assert again.api is None and again.files == result.files  # served whole from the tree cache


def test_the_command_line_starts_its_workers_before_the_heavy_imports() -> None:
    """What ``partner-codegen`` imports before forking its workers is light: the workers'
    imports (black, the validator) are to overlap the pipeline's, not follow them."""
    code = (
        "import sys, generator.cli, generator.workers\n"
        "heavy = ('yaml', 'jinja2', 'black', 'openapi_spec_validator', 'pydantic', 'generator.pipeline')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == ""


def test_workers_are_started_only_for_a_generation() -> None:
    parse = cli._parser().parse_args
    assert cli._start_workers(parse(["validate", "spec.yaml"])) is None
    assert cli._start_workers(parse(["generate", "spec.yaml", "--package", "not valid"])) is None
    started = cli._start_workers(parse(["generate", "spec.yaml", "--no-cache"]))
    assert started is not None
    try:
        assert (started.validator is not None) == parallel.can_fork()
    finally:
        started.close()


def test_every_ir_record_pickles_through_its_constructor() -> None:
    """The cached API model reads back through each class's constructor (faster than the
    default for frozen dataclasses with slots); a record class added later must be listed."""
    import dataclasses
    import pickle

    from generator import ir

    records = {v for v in vars(ir).values() if isinstance(v, type) and dataclasses.is_dataclass(v)}
    assert records
    for cls in records:
        assert "reduce" in cls.__reduce__.__qualname__, cls.__name__
    api = pipeline.generate(SPEC, package="nullable_client").api
    assert pickle.loads(pickle.dumps(api, protocol=5)) == api
