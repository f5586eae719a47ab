"""The format stage: black's output for whole files, however the work is cut and shared.

Formatting a module in top-level chunks equals formatting it whole; sharing black's work among
the processes of a :class:`concurrent.futures.ProcessPoolExecutor` equals doing it here; a
file black cannot parse is a generator bug; documentation snippets are formatted at their own
width, and one black rejects stays as written.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import textwrap
from concurrent.futures import ProcessPoolExecutor

import black
import pytest

from generator import format as fmt

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
    assert fmt.format_tree({"m.py": text})["m.py"] == whole


def test_files_black_treats_as_a_whole_are_not_split() -> None:
    text = "x = 1\n\n\n# fmt: off\ndef f( ):  pass\n# fmt: on\n\n\ndef g(): pass\n"
    assert fmt.split_chunks(text) == [text]
    assert fmt.format_tree({"m.py": text})["m.py"] == black.format_str(text, mode=fmt.mode())


def test_invalid_python_is_a_format_error() -> None:
    with pytest.raises(fmt.FormatError, match=r"generated pkg/bad\.py is not valid Python"):
        fmt.format_tree({"pkg/bad.py": "def f(:\n"})


def _pool() -> ProcessPoolExecutor:
    context = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    return ProcessPoolExecutor(max_workers=2, mp_context=context)


def _many_files() -> dict[str, str]:
    # Enough text to be shared out (fmt.PARALLEL_MIN_CHARS), in chunks of different sizes.
    return {f"m{i}.py": SOURCE * (1 + i % 3) + f"z{i} = [ {i} ]\n" for i in range(120)}


def test_black_shared_among_processes_equals_black_here() -> None:
    files = _many_files()
    assert sum(map(len, files.values())) > fmt.PARALLEL_MIN_CHARS
    with _pool() as pool:
        shared = fmt.format_tree(files, executor=pool)
    assert shared == {p: black.format_str(t, mode=fmt.mode()) for p, t in files.items()}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kills a forked process")
def test_a_broken_pool_only_costs_time() -> None:
    files = _many_files()
    pool = _pool()
    try:
        pool.submit(os.getpid).result()
        for process in list(pool._processes.values()):
            os.kill(process.pid, signal.SIGKILL)
            process.join()
        assert fmt.format_tree(files, executor=pool) == fmt.format_tree(files)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def test_batches_share_the_work_evenly() -> None:
    jobs = [("x" * size, 100, True) for size in (50, 10, 40, 30, 20, 10)]
    batches = fmt._balanced(jobs, 2)
    assert sorted(i for batch in batches for i in batch) == list(range(len(jobs)))
    assert sorted(sum(len(jobs[i][0]) for i in batch) for batch in batches) == [80, 80]


def test_snippets_are_formatted_at_their_width_and_memoized() -> None:
    long_call = "f(" + ", ".join(f"argument_{i}={i}" for i in range(8)) + ")\n"  # 120 columns
    texts = [long_call, "x = (1,2)\n", "def broken(:\n"]
    memo: dict[str, str] = {}
    first = fmt.format_snippets(texts, memo=memo)
    assert first[0] == black.format_str(long_call, mode=black.Mode(line_length=88))
    assert first[1] == "x = (1, 2)\n"
    assert first[2] == texts[2]  # what black rejects is shown as written
    assert len(memo) == 2
    assert fmt.format_snippets(texts[:1], line_length=100) == [black.format_str(long_call, mode=fmt.mode())]
    assert fmt.format_snippets(texts, memo=memo) == first
