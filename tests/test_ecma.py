"""ECMA-262 patterns (generator/ecma.py): each feature, against node's own RegExp as the oracle.

Every pattern below is translated for the engine the generator picks, and every sample string
must match exactly when JavaScript's ``RegExp`` (Unicode mode, or Annex B mode for what only
that mode accepts, as JSON Schema validators do) matches it. Patterns that are not ECMA-262
must be refused by both. The generated models enforce the translation through
``_patterns.Pattern`` (tested at the end, and through whole generated packages in
tests/test_warnings.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Annotated

import pydantic
import pytest
from confluent_partner_v2._patterns import Pattern

from generator import ecma

# (feature, pattern, engine the generator must choose, sample strings)
FEATURES = [
    ("unicode property escapes", r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$", "rust-regex", ["héllo wörld_1", "a@b:c/d", "a#b", "x\n", "١٢٣", "日本"]),
    ("negated property", r"^\P{L}+$", "rust-regex", ["123", "a", "é", " "]),
    ("general category long name", r"^\p{Lowercase_Letter}+$", "rust-regex", ["abc", "aBc", "ß"]),
    ("general category key", r"^\p{gc=Lu}$", "rust-regex", ["Ä", "ä"]),
    ("script property", r"^\p{Script=Greek}+$", "rust-regex", ["αβγ", "abc"]),
    ("class escape at the end of a range", r"^[\w-\.]+$", "rust-regex", ["a-b.c", "a b", "é", "-"]),
    ("class escape at the start of a range", r"^[\d-z]+$", "rust-regex", ["1-z", "y", "9"]),
    ("digit is ASCII", r"^\d+$", "rust-regex", ["123", "١٢", "12\n"]),
    ("word is ASCII", r"^\w+$", "rust-regex", ["abc_1", "é", "a-b"]),
    ("space is ECMA white space", r"^\s$", "rust-regex", [" ", "\t", "\u00a0", "\ufeff", "\u2028", "\u0085", "a"]),
    ("negated classes", r"^\D\W\S$", "rust-regex", ["a b", "1 b", "a-b"]),
    ("dot excludes line terminators", r"^.$", "rust-regex", ["a", "\n", "\r", "\u2028", "\u0085"]),
    ("dollar is the end of input", r"^abc$", "rust-regex", ["abc", "abc\n"]),
    ("word boundary is ASCII", r"\bfoo\b", "rust-regex", ["a foo b", "éfoo", "foobar"]),
    ("lookahead", r"^(?=.*\d)(?=.*[a-z]).{6,}$", "python-re", ["abc123", "abcdef", "123456"]),
    ("negative lookahead", r"^(?!admin$).+$", "python-re", ["admin", "admins", "root"]),
    ("lookbehind", r"(?<=\$)\d+", "python-re", ["$12", "12"]),
    ("negative lookbehind", r"(?<!a)b", "python-re", ["cb", "ab", "b"]),
    ("backreference", r"^(a|b)\1$", "python-re", ["aa", "bb", "ab"]),
    ("named group and reference", r"^(?<x>[a-c])\k<x>$", "python-re", ["aa", "ab"]),
    ("lookahead with a property", r"^(?=\p{Lu})\p{L}+$", "python-re", ["Émile", "émile", "E1"]),
    ("unicode escapes", r"^\u00e9\u{1F600}$", "rust-regex", ["é😀", "e😀"]),
    ("surrogate pair escape", r"^\uD83D\uDE00$", "rust-regex", ["😀", "x"]),
    ("hex, octal and control escapes", r"^\x41\101\cJ$", "rust-regex", ["AA\n", "AB\n"]),
    ("literal brace (Annex B)", r"^a{$", "rust-regex", ["a{", "a"]),
    ("quantifier range", r"^a{2,3}$", "rust-regex", ["a", "aa", "aaa", "aaaa"]),
    ("lazy quantifier", r"^a+?b$", "rust-regex", ["aab", "b"]),
    ("empty class matches nothing", r"^[]$", "rust-regex", ["", "a"]),
    ("negated empty class matches anything", r"^[^]$", "rust-regex", ["\n", "a", ""]),
    ("identity escapes", r"^\/path\/[\d\-]+$", "rust-regex", ["/path/1-2", "/path/x"]),
    ("set-operator characters are literal", r"^[a&&b~~c\-\-]+$", "rust-regex", ["a&b", "~", "-", "x"]),
    ("search, not full match", r"b", "rust-regex", ["abc", "xyz"]),
]

NOT_ECMA = [r"^[a-z($", r"(?i)abc", r"^[z-a]$", r"a**", r"(?P<n>a)", r"a{2,1}", r"^[a-\d]{2,1}$"]

_ORACLE = r"""
const items = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = items.map(([pattern, samples]) => {
  let re = null;
  try { re = new RegExp(pattern, 'u'); } catch (e) {
    try { re = new RegExp(pattern); } catch (e2) { return null; }
  }
  return samples.map(s => re.test(s));
});
process.stdout.write(JSON.stringify(out));
"""


def _node_verdicts(items: list[tuple[str, list[str]]]) -> list[list[bool] | None]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed: it is the oracle for ECMA-262 (make test installs Node.js tools)")
    proc = subprocess.run([node, "-e", _ORACLE], input=json.dumps(items), capture_output=True, text=True, timeout=60, check=True)
    result: list[list[bool] | None] = json.loads(proc.stdout)
    return result


@pytest.fixture(scope="module")
def oracle() -> dict[str, list[bool] | None]:
    items = [(pattern, samples) for _, pattern, _, samples in FEATURES] + [(pattern, []) for pattern in NOT_ECMA]
    return {pattern: verdict for (pattern, _), verdict in zip(items, _node_verdicts(items), strict=True)}


@pytest.mark.parametrize(("feature", "pattern", "engine", "samples"), FEATURES, ids=[f[0] for f in FEATURES])
def test_pattern_matches_as_javascript_does(
    feature: str, pattern: str, engine: str, samples: list[str], oracle: dict[str, list[bool] | None]
) -> None:
    translation = ecma.translate(pattern)
    assert translation.engine == engine
    expected = oracle[pattern]
    assert expected is not None, f"node refuses {pattern!r}"
    assert [ecma.matches(translation, s) for s in samples] == expected
    assert True in expected or pattern == r"^[]$"  # the samples exercise both outcomes
    assert False in expected


@pytest.mark.parametrize("pattern", NOT_ECMA)
def test_not_ecma_is_refused_like_javascript(pattern: str, oracle: dict[str, list[bool] | None]) -> None:
    assert oracle[pattern] is None, f"node accepts {pattern!r}"
    with pytest.raises(ecma.UnusablePatternError, match="not an ECMA-262 regular expression"):
        ecma.translate(pattern)


def test_unknown_property_is_refused() -> None:
    """Annex B would read ``\\p{Nope}`` as the letters "p{Nope}"; a pattern that spells a
    property escape was written for Unicode mode, where an unknown name is an error."""
    with pytest.raises(ecma.UnusablePatternError, match="unknown General_Category"):
        ecma.translate(r"^\p{gc=Nope}$")
    with pytest.raises(ecma.UnusablePatternError, match="Rust regex engine cannot compile"):
        ecma.translate(r"^\p{NotAProperty}$")


def test_what_no_engine_runs_is_named() -> None:
    with pytest.raises(ecma.UnusablePatternError, match="look-behind requires fixed-width"):
        ecma.translate(r"(?<=a+)b")  # valid ECMA-262; Python's re needs a fixed width
    with pytest.raises(ecma.UnusablePatternError, match=r"no Unicode property \\p\{Script=Greek\}"):
        ecma.translate(r"^(?=a)\p{Script=Greek}$")


def test_the_translation_is_a_literal_not_code() -> None:
    """Spec text stays data: quotes, backslashes and newlines come out as escapes inside the
    pattern, never as Python syntax."""
    pattern = "^\"'\\); import os; \\('\n\"\"\"$"
    translation = ecma.translate(pattern)
    assert "\n" not in translation.source
    assert ecma.matches(translation, "\"'); import os; ('\n\"\"\"")


@pytest.mark.parametrize(("pattern", "good", "bad"), [(r"^\p{Lu}\w*$", "Émile_1", "émile"), (r"^(?=.*\d)[a-z\d]+$", "abc1", "abc")])
def test_generated_pattern_check(pattern: str, good: str, bad: str) -> None:
    """The runtime class the models use, with each engine."""
    translation = ecma.translate(pattern)
    check = Pattern(translation.source, translation.engine, pattern)

    class Thing(pydantic.BaseModel):
        code: Annotated[str | None, check] = None

    assert Thing(code=good).code == good
    assert Thing(code=None).code is None
    with pytest.raises(pydantic.ValidationError) as info:
        Thing(code=bad)
    assert info.value.errors()[0]["type"] == "string_pattern_mismatch"
    assert pattern in str(info.value)
