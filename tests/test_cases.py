"""Feature cases: one small spec per OpenAPI feature, generated, imported and exercised.

Every ``tests/cases/<name>/`` (except ``errors/``, ``diff/`` and ``hostile/``, which have runners of their
own) holds:

- ``spec.yaml``: a small, valid OpenAPI document showing one feature (plus any sibling files
  it references);
- ``behaviour.py``: plain functions ``check_<what>(pkg)`` that get the generated package (the
  imported module ``case_<name>``) and exercise it through ``httpx.MockTransport``;
- ``expected/``: the golden ``models/*.py``, ``params.py`` and ``resources/*.py`` the spec generates.

Each check is its own test item. Every case is generated once per session into a temporary
directory; the whole set is then type-checked with ``mypy --strict`` and pyright (strict) in
one run each, and linted with ruff. ``UPDATE_GOLDEN=1 pytest tests/test_cases.py`` rewrites the golden files.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import multiprocessing
import os
import shutil
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from types import ModuleType
from typing import Any

import properties
import pytest

from generator.errors import SpecErrors
from generator.pipeline import generate_tree
from generator.write import write

ROOT = Path(__file__).resolve().parent.parent
CASES = Path(__file__).resolve().parent / "cases"
NOT_FEATURE_CASES = frozenset({"errors", "diff", "hostile"})  # owned by other runners
BIN = Path(sys.executable).parent
PYRIGHT = ROOT / "node_modules" / ".bin" / "pyright"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
UPDATE_COMMAND = "UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_cases.py -k golden"


def case_names() -> list[str]:
    return sorted(
        d.name
        for d in CASES.iterdir()
        if d.is_dir() and d.name not in NOT_FEATURE_CASES and (d / "spec.yaml").is_file()
    )


def package_name(case: str) -> str:
    return f"case_{case}"


# ``tests/cases`` is imported as the namespace package ``cases``, so pytest rewrites the
# asserts of every ``behaviour.py`` and a failing check shows the values it compared.
pytest.register_assert_rewrite("cases")


def load_behaviour(case: str) -> ModuleType:
    """The case's ``behaviour.py``, imported as ``cases.<case>.behaviour``."""
    if str(CASES.parent) not in sys.path:
        sys.path.insert(0, str(CASES.parent))
    return importlib.import_module(f"cases.{case}.behaviour")


def checks_of(module: ModuleType) -> list[str]:
    """``check_*`` functions in the order they are defined."""
    found = [
        (obj.__code__.co_firstlineno, name)
        for name, obj in vars(module).items()
        if name.startswith("check_") and inspect.isfunction(obj) and obj.__module__ == module.__name__
    ]
    return [name for _, name in sorted(found)]


def _collect() -> list[Any]:
    """(case, check) pairs; a behaviour.py that cannot be imported is one failing item."""
    params = []
    for case in case_names():
        try:
            checks = checks_of(load_behaviour(case))
        except Exception:
            params.append(pytest.param(case, "<import>", id=f"{case}-behaviour-import"))
            continue
        for check in checks:
            params.append(pytest.param(case, check, id=f"{case}-{check.removeprefix('check_')}"))
    return params


CASE_CHECKS = _collect()


def _generate_case(case: str) -> tuple[str, Any]:
    """Generate one case: ``("ok", files)``, ``("refused", message)`` or ``("error", traceback)``."""
    try:
        return "ok", generate_tree(CASES / case / "spec.yaml", package=package_name(case))
    except SpecErrors as exc:
        return "refused", str(exc)
    except Exception:
        return "error", traceback.format_exc()


def _worker_init() -> None:
    os.environ["PARTNER_CODEGEN_JOBS"] = "1"  # one process per case already; no nested forks


class Generated:
    """Generates (once) and imports (once) each case package; undoes the imports at the end.

    Generation is CPU-bound and each case independent, so on Linux the cases are generated in
    forked worker processes, in test order, while the checks of earlier cases run.
    """

    def __init__(self, root: Path, cases: list[str]) -> None:
        self.root = root
        self.results: dict[str, tuple[str, Any]] = {}
        self.imported: dict[str, ModuleType | str] = {}
        self.paths: list[str] = []
        self.pending: dict[str, Future[tuple[str, Any]]] = {}
        self.executor: ProcessPoolExecutor | None = None
        workers = min(len(cases), os.cpu_count() or 1)
        if workers > 1 and sys.platform.startswith("linux") and threading.active_count() == 1:
            self.executor = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=_worker_init)
            self.pending = {case: self.executor.submit(_generate_case, case) for case in cases}

    def tree(self, case: str) -> dict[str, str]:
        if case not in self.results:
            future = self.pending.pop(case, None)
            result = future.result() if future is not None else _generate_case(case)
            if result[0] == "ok":
                write(result[1], self.root / case)
            self.results[case] = result
        status, value = self.results[case]
        if status == "refused":
            pytest.fail(f"case {case!r}: the generator refused its spec:\n{value}", pytrace=False)
        if status == "error":
            pytest.fail(f"case {case!r}: the generator crashed:\n{value}", pytrace=False)
        files: dict[str, str] = value
        return files

    def out(self, case: str) -> Path:
        self.tree(case)
        return self.root / case

    def package(self, case: str) -> ModuleType:
        if case not in self.imported:
            out = str(self.out(case))
            sys.path.insert(0, out)
            self.paths.append(out)
            try:
                self.imported[case] = importlib.import_module(package_name(case))
            except Exception:
                self.imported[case] = traceback.format_exc()
        module = self.imported[case]
        if isinstance(module, str):
            pytest.fail(f"case {case!r}: the generated package does not import:\n{module}", pytrace=False)
        return module

    def close(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(wait=True, cancel_futures=True)
        for path in self.paths:
            if path in sys.path:
                sys.path.remove(path)
        for case in self.imported:
            name = package_name(case)
            for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
                del sys.modules[key]
        importlib.invalidate_caches()


def _cases_needed(session: pytest.Session) -> list[str]:
    """The cases the selected tests of this module use, in the order they run."""
    needed: dict[str, None] = {}
    for item in session.items:
        if getattr(item, "module", None) is not sys.modules[__name__]:
            continue
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "case" in callspec.params:
            needed[callspec.params["case"]] = None
        elif item.name.startswith("test_generated_packages"):
            needed.update(dict.fromkeys(case_names()))
    return list(needed)


@pytest.fixture(scope="session")
def generated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Generated]:
    cache = Generated(tmp_path_factory.mktemp("cases"), _cases_needed(request.session))
    try:
        yield cache
    finally:
        cache.close()


def test_there_are_feature_cases() -> None:
    assert len(case_names()) >= 20, case_names()
    for case in case_names():
        assert (CASES / case / "behaviour.py").is_file(), f"{case} has no behaviour.py"
        assert checks_of(load_behaviour(case)), f"{case}/behaviour.py has no check_* function"


@pytest.mark.parametrize(("case", "check"), CASE_CHECKS)
def test_behaviour(case: str, check: str, generated: Generated) -> None:
    behaviour = load_behaviour(case)  # re-raises the import error of a broken behaviour.py
    function: Callable[[Any], None] = getattr(behaviour, check)
    function(generated.package(case))


@pytest.mark.parametrize("case", case_names())
def test_properties(case: str, generated: Generated) -> None:
    """Request and response bodies drawn from the case's spec (tests/properties.py)."""
    properties.check_spec(generated.package(case), CASES / case / "spec.yaml")


# --------------------------------------------------------------------------- golden snapshots


def _snapshot(case: str, files: dict[str, str]) -> dict[str, str]:
    """The generated files under golden control: ``models/*.py``, ``params.py`` and ``resources/*.py``."""
    prefix = package_name(case) + "/"
    return {
        path.removeprefix(prefix): text
        for path, text in files.items()
        if path == prefix + "params.py"
        or (path.startswith((prefix + "resources/", prefix + "models/")) and path.endswith(".py"))
    }


@pytest.mark.parametrize("case", case_names())
def test_golden(case: str, generated: Generated) -> None:
    actual = _snapshot(case, generated.tree(case))
    expected_dir = CASES / case / "expected"
    on_disk = {
        p.relative_to(expected_dir).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(expected_dir.rglob("*.py"))
    } if expected_dir.is_dir() else {}
    if UPDATE:
        if expected_dir.exists():
            shutil.rmtree(expected_dir)
        for rel, text in actual.items():
            target = expected_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return
    problems: list[str] = []
    for rel in sorted(set(actual) | set(on_disk)):
        old, new = on_disk.get(rel), actual.get(rel)
        if old == new:
            continue
        if old is None:
            problems.append(f"new file {rel} has no golden copy")
        elif new is None:
            problems.append(f"golden {rel} is no longer generated")
        else:
            problems.append(
                "".join(
                    difflib.unified_diff(
                        old.splitlines(keepends=True),
                        new.splitlines(keepends=True),
                        f"expected/{rel}",
                        f"generated/{rel}",
                    )
                )
            )
    if problems:
        pytest.fail(
            f"case {case!r}: generated code differs from tests/cases/{case}/expected/\n"
            + "\n".join(problems)
            + f"\nIf the change is intended, run: {UPDATE_COMMAND}\nand review the diff.",
            pytrace=False,
        )


# --------------------------------------------------------------------------- static checks


def _all_packages(generated: Generated) -> tuple[list[Path], list[str]]:
    packages, refused = [], []
    for case in case_names():
        try:
            packages.append(generated.out(case) / package_name(case))
        except pytest.fail.Exception:
            refused.append(case)  # reported by the case's own tests
    return packages, refused


def test_generated_packages_pass_mypy_strict(generated: Generated) -> None:
    packages, refused = _all_packages(generated)
    result = subprocess.run(
        [
            str(BIN / "mypy"),
            "--strict",
            "--python-version=3.11",
            "--no-error-summary",
            "--hide-error-context",
            f"--cache-dir={ROOT / '.mypy_cache' / 'cases'}",
            *map(str, packages),
        ],
        cwd=generated.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, "mypy --strict:\n" + result.stdout + result.stderr
    assert not refused, f"not generated (see their behaviour tests): {refused}"


def test_generated_packages_pass_pyright_strict(generated: Generated) -> None:
    """pyright in strict mode (VS Code's Pylance), as ``make typecheck`` runs it on generated/."""
    if not PYRIGHT.exists():
        pytest.skip("pyright is installed by `npm ci` (make test)")
    if shutil.which("node") is None:
        pytest.skip("pyright needs node")
    packages, refused = _all_packages(generated)
    result = subprocess.run(
        [str(PYRIGHT), "--pythonpath", sys.executable, "-p", str(ROOT / "pyright-strict.json"), *map(str, packages)],
        cwd=generated.root,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, "pyright (strict):\n" + result.stdout + result.stderr
    assert "0 errors" in result.stdout, result.stdout
    assert not refused, f"not generated (see their behaviour tests): {refused}"


def test_generated_packages_pass_ruff(generated: Generated) -> None:
    packages, refused = _all_packages(generated)
    result = subprocess.run(
        [str(BIN / "ruff"), "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"), *map(str, packages)],
        cwd=generated.root,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, "ruff check:\n" + result.stdout + result.stderr
    assert not refused, f"not generated (see their behaviour tests): {refused}"
