"""JSON Schema ``pattern``: ECMA-262 regular expressions, translated for the engine that runs them.

JSON Schema's ``pattern`` is an ECMA-262 regular expression, and neither engine the generated
models can use reads that dialect as-is: Python's ``re`` knows no ``\\p{L}``, and both engines
give ``\\d``, ``\\w``, ``\\s``, ``.``, ``\\b`` (and Python ``$``) other meanings. So each pattern
is parsed here, by ECMA-262's grammar (with the web-compatibility rules of its Annex B, which
every browser and JSON Schema validator follows: ``[\\w-.]`` is three members, a ``{`` that starts
no quantifier is a literal), and written out again for one engine, chosen per pattern:

* **Rust** (pydantic-core's ``regex`` crate) when the pattern has no lookaround and no
  backreference: it runs in linear time and knows every Unicode property ECMA-262 names;
* **Python** ``re`` otherwise (lookahead, lookbehind, backreferences), with ``\\p{..}`` of a
  General_Category expanded into explicit ranges (``re`` has no property classes).

The translation spells every class out in both directions (``\\d`` is ``[0-9]``, ``\\w`` is
``[A-Za-z0-9_]``, ``\\s`` is ECMA-262's WhiteSpace and LineTerminator set, ``.`` excludes the
four line terminators) and every character other than ASCII letters and digits as an escape, so
the result is the same set of strings whatever the engine's defaults. A pattern that is not
ECMA-262 at all, or that neither engine can run (a Unicode script under lookaround, a
variable-length lookbehind in ``re``), gives :class:`UnusablePatternError`: the caller warns and
does not enforce it.

The pattern text is data from first to last: the result is a string for a string literal.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["Translation", "UnusablePatternError", "matches", "translate"]

RUST: Final = "rust-regex"
PYTHON: Final = "python-re"

_MAX = 0x10FFFF
Ranges = tuple[tuple[int, int], ...]

_DIGIT: Ranges = ((0x30, 0x39),)
_WORD: Ranges = ((0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A))
_SPACE: Ranges = (
    (0x09, 0x0D), (0x20, 0x20), (0xA0, 0xA0), (0x1680, 0x1680), (0x2000, 0x200A),
    (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000), (0xFEFF, 0xFEFF),
)
_LINE_TERMINATORS: Ranges = ((0x0A, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029))

# General_Category values, short and long names (ECMA-262 table "Value aliases").
_GC_GROUPS = {
    "L": ("Lu", "Ll", "Lt", "Lm", "Lo"), "LC": ("Lu", "Ll", "Lt"), "M": ("Mn", "Mc", "Me"),
    "N": ("Nd", "Nl", "No"), "P": ("Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po"), "S": ("Sm", "Sc", "Sk", "So"),
    "Z": ("Zs", "Zl", "Zp"), "C": ("Cc", "Cf", "Cs", "Co", "Cn"),
}
_GC_LONG = {
    "Letter": "L", "Cased_Letter": "LC", "Uppercase_Letter": "Lu", "Lowercase_Letter": "Ll", "Titlecase_Letter": "Lt",
    "Modifier_Letter": "Lm", "Other_Letter": "Lo", "Mark": "M", "Combining_Mark": "M", "Nonspacing_Mark": "Mn",
    "Spacing_Mark": "Mc", "Enclosing_Mark": "Me", "Number": "N", "Decimal_Number": "Nd", "digit": "Nd",
    "Letter_Number": "Nl", "Other_Number": "No", "Punctuation": "P", "punct": "P", "Connector_Punctuation": "Pc",
    "Dash_Punctuation": "Pd", "Open_Punctuation": "Ps", "Close_Punctuation": "Pe", "Initial_Punctuation": "Pi",
    "Final_Punctuation": "Pf", "Other_Punctuation": "Po", "Symbol": "S", "Math_Symbol": "Sm", "Currency_Symbol": "Sc",
    "Modifier_Symbol": "Sk", "Other_Symbol": "So", "Separator": "Z", "Space_Separator": "Zs", "Line_Separator": "Zl",
    "Paragraph_Separator": "Zp", "Other": "C", "Control": "Cc", "cntrl": "Cc", "Format": "Cf", "Surrogate": "Cs",
    "Private_Use": "Co", "Unassigned": "Cn",
}
_GC_SHORT = {c for group in _GC_GROUPS.values() for c in group} | set(_GC_GROUPS)
_PROPERTY_NAME = re.compile(r"[A-Za-z0-9_]+(?:=[A-Za-z0-9_]+)?")


class UnusablePatternError(ValueError):
    """The pattern is not ECMA-262, or no engine the models can use runs it."""


@dataclass(frozen=True, slots=True)
class Translation:
    """A pattern for one engine: ``engine`` is pydantic's name for it."""

    engine: str
    source: str


def translate(pattern: str) -> Translation:
    """The pattern for the engine chosen for it; :class:`UnusablePatternError` if none can run it."""
    return _translate(pattern)


@functools.lru_cache(maxsize=4096)
def _translate(pattern: str) -> Translation:
    parsed = _Parser(pattern).parse()
    if parsed.rust is not None:
        if _rust_compiles(parsed.rust):
            return Translation(RUST, parsed.rust)
        if parsed.python is None:
            raise UnusablePatternError("the Rust regex engine cannot compile it")
    if parsed.python is None:
        raise UnusablePatternError(parsed.python_problem or "no engine can run it")
    try:
        re.compile(parsed.python)
    except (re.error, OverflowError, RecursionError) as exc:
        raise UnusablePatternError(f"Python's re cannot run it: {exc}") from None
    return Translation(PYTHON, parsed.python)


def matches(translation: Translation, value: str) -> bool:
    """Whether ``value`` matches (anywhere, as JSON Schema says), by the chosen engine."""
    if translation.engine == PYTHON:
        return re.search(translation.source, value) is not None
    validator = _rust_validator(translation.source)
    return validator is not None and bool(validator.isinstance_python(value))


def _rust_compiles(source: str) -> bool:
    return _rust_validator(source) is not None


@functools.lru_cache(maxsize=1024)
def _rust_validator(source: str) -> Any:
    from pydantic_core import SchemaError, SchemaValidator, core_schema

    try:
        return SchemaValidator(core_schema.str_schema(pattern=source, regex_engine=RUST))
    except SchemaError:
        return None


@dataclass
class _Parsed:
    rust: str | None
    python: str | None
    python_problem: str | None


class _Parser:
    """Recursive descent over ECMA-262's Pattern grammar, writing both engines' text at once.

    ``rust`` and ``python`` collect the output; either becomes None once the pattern uses
    something that engine cannot express (lookaround and backreferences for Rust, a property
    other than a General_Category for Python).
    """

    def __init__(self, pattern: str) -> None:
        self.src = pattern
        self.pos = 0
        self.groups = _count_groups(pattern)
        self.names = set(re.findall(r"\(\?<([A-Za-z_$][\w$]*)>", pattern))
        self.rust_ok = True
        self.python_problem: str | None = None
        self.depth = 0

    # ------------------------------------------------------------------ driver
    def parse(self) -> _Parsed:
        try:
            rust, python = self.disjunction()
        except RecursionError:
            raise UnusablePatternError("the pattern is nested too deeply") from None
        if self.pos < len(self.src):
            raise self.fail(f"unmatched {self.src[self.pos]!r}")
        return _Parsed(rust if self.rust_ok else None, python if self.python_problem is None else None, self.python_problem)

    def fail(self, message: str) -> UnusablePatternError:
        return UnusablePatternError(f"not an ECMA-262 regular expression: {message} at position {self.pos}")

    def peek(self, text: str) -> bool:
        return self.src.startswith(text, self.pos)

    def at_end(self) -> bool:
        return self.pos >= len(self.src)

    # ------------------------------------------------------------------ structure
    def disjunction(self) -> tuple[str, str]:
        rust, python = self.alternative()
        while self.peek("|"):
            self.pos += 1
            r, p = self.alternative()
            rust, python = f"{rust}|{r}", f"{python}|{p}"
        return rust, python

    def alternative(self) -> tuple[str, str]:
        rust: list[str] = []
        python: list[str] = []
        while not self.at_end() and not self.peek("|") and not self.peek(")"):
            r, p = self.term()
            rust.append(r)
            python.append(p)
        return "".join(rust), "".join(python)

    def term(self) -> tuple[str, str]:
        char = self.src[self.pos]
        if char == "^":
            self.pos += 1
            return "^", "^"
        if char == "$":
            self.pos += 1
            return "$", r"\Z"  # Python's $ would also match before a final newline
        if self.peek("\\b") or self.peek("\\B"):
            letter = self.src[self.pos + 1]
            self.pos += 2
            # ECMA-262's word characters are ASCII, so are its word boundaries.
            return f"(?-u:\\{letter})", f"(?a:\\{letter})"
        if self.peek("(?=") or self.peek("(?!") or self.peek("(?<=") or self.peek("(?<!"):
            opener = self.src[self.pos : self.pos + (4 if self.peek("(?<") else 3)]
            self.pos += len(opener)
            self.rust_ok = False
            r, p = self.group_body()
            text = (f"{opener}{r})", f"{opener}{p})")
            if opener in ("(?=", "(?!") and self.quantifier_follows():
                return self.quantified((f"(?:{text[0]})", f"(?:{text[1]})"))  # Annex B: a lookahead may be quantified
            return text
        atom = self.atom()
        return self.quantified(atom)

    def group_body(self) -> tuple[str, str]:
        self.depth += 1
        if self.depth > 200:
            raise UnusablePatternError("the pattern is nested too deeply")
        body = self.disjunction()
        if not self.peek(")"):
            raise self.fail("unterminated group")
        self.pos += 1
        self.depth -= 1
        return body

    def quantifier_follows(self) -> bool:
        return not self.at_end() and (self.src[self.pos] in "*+?" or _BRACE_QUANTIFIER.match(self.src, self.pos) is not None)

    def quantified(self, atom: tuple[str, str]) -> tuple[str, str]:
        if self.at_end():
            return atom
        char = self.src[self.pos]
        if char in "*+?":
            self.pos += 1
            q = char
        else:
            match = _BRACE_QUANTIFIER.match(self.src, self.pos)
            if match is None:
                return atom
            low, comma, high = match.group(1), match.group(2), match.group(3)
            if high and int(high) < int(low):
                raise self.fail("numbers out of order in {} quantifier")
            self.pos = match.end()
            q = "{" + str(int(low)) + ("," if comma else "") + (str(int(high)) if high else "") + "}"
        if self.peek("?"):
            self.pos += 1
            q += "?"
        if not self.at_end() and (self.src[self.pos] in "*+?" or _BRACE_QUANTIFIER.match(self.src, self.pos)):
            raise self.fail("nothing to repeat")
        return atom[0] + q, atom[1] + q  # every atom is written as one unit (a class, a group...)

    def atom(self) -> tuple[str, str]:
        char = self.src[self.pos]
        if char == "(":
            self.pos += 1
            if self.peek("?:"):
                self.pos += 2
                r, p = self.group_body()
                return f"(?:{r})", f"(?:{p})"
            if self.peek("?<"):
                match = re.compile(r"\?<([A-Za-z_$][\w$]*)>").match(self.src, self.pos)
                if match is None:
                    raise self.fail("invalid group name")
                self.pos = match.end()
                name = match.group(1).replace("$", "_S_")
                r, p = self.group_body()
                return f"(?P<{name}>{r})", f"(?P<{name}>{p})"
            if self.peek("?"):
                raise self.fail("invalid group")
            r, p = self.group_body()
            return f"({r})", f"({p})"
        if char in "*+?":
            raise self.fail("nothing to repeat")
        if char == "{" and _BRACE_QUANTIFIER.match(self.src, self.pos):
            raise self.fail("nothing to repeat")
        if char == ")":
            raise self.fail("unmatched ')'")
        if char == "[":
            return self.char_class()
        if char == ".":
            self.pos += 1
            text = _class_text(_complement(_LINE_TERMINATORS))
            return text, text
        if char == "\\":
            return self.atom_escape()
        self.pos += 1
        text = _char(ord(char))
        return text, text

    # ------------------------------------------------------------------ escapes
    def atom_escape(self) -> tuple[str, str]:
        self.pos += 1
        if self.at_end():
            raise self.fail("\\ at end of pattern")
        char = self.src[self.pos]
        if char.isdigit() and char != "0":
            digits = re.compile(r"[0-9]+").match(self.src, self.pos)
            assert digits is not None
            number = int(digits.group())
            if number <= self.groups:
                self.pos = digits.end()
                self.rust_ok = False
                return "", f"(?:\\{number})"
            # Annex B: not a backreference, so a legacy octal escape or the digit itself.
            return self.single(self.legacy_octal_or_identity())
        if char == "k" and self.names:
            match = re.compile(r"k<([A-Za-z_$][\w$]*)>").match(self.src, self.pos)
            if match is None or match.group(1) not in self.names:
                raise self.fail("invalid named reference")
            self.pos = match.end()
            self.rust_ok = False
            return "", f"(?P={match.group(1).replace('$', '_S_')})"
        item = self.class_escape(in_class=False)
        if isinstance(item, tuple):  # a set: \d, \p{L} ...
            return item
        return self.single(item)

    def single(self, code: int) -> tuple[str, str]:
        text = _char(code)
        return text, text

    def legacy_octal_or_identity(self) -> int:
        match = re.compile(r"[0-3][0-7]{0,2}|[4-7][0-7]?").match(self.src, self.pos)
        if match is not None:
            self.pos = match.end()
            return int(match.group(), 8)
        code = ord(self.src[self.pos])
        self.pos += 1
        return code

    def class_escape(self, *, in_class: bool) -> int | tuple[str, str]:
        """After a backslash: a code point, or a set written for both engines."""
        char = self.src[self.pos]
        self.pos += 1
        simple = {"f": 0x0C, "n": 0x0A, "r": 0x0D, "t": 0x09, "v": 0x0B}
        if char in simple:
            return simple[char]
        sets = {"d": _DIGIT, "w": _WORD, "s": _SPACE}
        if char.lower() in sets:
            ranges = sets[char.lower()]
            text = _class_body(ranges if char.islower() else _complement(ranges))
            return (text, text) if in_class else (f"[{text}]", f"[{text}]")
        if char in "pP" and self.peek("{"):
            return self.property(negated=char == "P", in_class=in_class)
        if char == "b" and in_class:
            return 0x08
        if char == "-" and in_class:
            return 0x2D
        if char == "0" and not (not self.at_end() and self.src[self.pos].isdigit()):
            return 0
        if char == "0" or (in_class and char.isdigit()):
            self.pos -= 1
            return self.legacy_octal_or_identity()
        if char == "c":
            if not self.at_end() and self.src[self.pos].isascii() and self.src[self.pos].isalpha():
                self.pos += 1
                return ord(self.src[self.pos - 1]) % 32
            self.pos -= 1  # Annex B: "\c" not followed by a letter is a backslash and a "c"
            return 0x5C
        if char == "x":
            match = re.compile(r"[0-9A-Fa-f]{2}").match(self.src, self.pos)
            if match is None:
                return ord("x")  # Annex B: identity escape
            self.pos = match.end()
            return int(match.group(), 16)
        if char == "u":
            return self.unicode_escape()
        return ord(char)  # an identity escape (\. \/ \- ...; Annex B allows any non-letter)

    def unicode_escape(self) -> int:
        braced = re.compile(r"\{([0-9A-Fa-f]+)\}").match(self.src, self.pos)
        if braced is not None:
            code = int(braced.group(1), 16)
            if code > _MAX:
                raise self.fail("\\u{...} beyond U+10FFFF")
            self.pos = braced.end()
            return code
        match = re.compile(r"[0-9A-Fa-f]{4}").match(self.src, self.pos)
        if match is None:
            return ord("u")  # Annex B: identity escape
        self.pos = match.end()
        code = int(match.group(), 16)
        if 0xD800 <= code <= 0xDBFF:
            low = re.compile(r"\\u(d[c-f][0-9a-f]{2})", re.IGNORECASE).match(self.src, self.pos)
            if low is not None:
                self.pos = low.end()
                return 0x10000 + ((code - 0xD800) << 10) + (int(low.group(1), 16) - 0xDC00)
        return code

    def property(self, *, negated: bool, in_class: bool) -> tuple[str, str]:
        end = self.src.find("}", self.pos)
        if end < 0:
            raise self.fail("unterminated \\p{")
        name = self.src[self.pos + 1 : end]
        self.pos = end + 1
        if not _PROPERTY_NAME.fullmatch(name):
            raise self.fail(f"invalid property name {name!r}")
        key, _, value = name.rpartition("=")
        if key in ("General_Category", "gc") or not key:
            gc = _GC_LONG.get(value, value)
            if key and gc not in _GC_SHORT:
                raise self.fail(f"unknown General_Category {value!r}")
        else:
            gc = None
            if key not in ("Script", "sc", "Script_Extensions", "scx"):
                raise self.fail(f"unknown property {key!r}")
        rust = f"\\{'P' if negated else 'p'}{{{name}}}"
        if gc is not None and gc in _GC_SHORT:
            ranges = _category_ranges(gc)
            python = _class_body(_complement(ranges) if negated else ranges)
        else:
            python = ""
            self.python_problem = f"Python's re has no Unicode property \\p{{{name}}} and the pattern needs re (lookaround or a backreference)"
        return (rust, python) if in_class else (rust, f"[{python}]")

    # ------------------------------------------------------------------ classes
    def char_class(self) -> tuple[str, str]:
        self.pos += 1
        negated = self.peek("^")
        if negated:
            self.pos += 1
        rust: list[str] = []
        python: list[str] = []
        while True:
            if self.at_end():
                raise self.fail("unterminated character class")
            if self.peek("]"):
                self.pos += 1
                break
            first = self.class_atom()
            if self.peek("-") and not self.src.startswith("]", self.pos + 1) and self.pos + 1 < len(self.src):
                self.pos += 1
                second = self.class_atom()
                if isinstance(first, int) and isinstance(second, int):
                    if second < first:
                        raise self.fail("range out of order in character class")
                    text = _range_text(first, second)
                    rust.append(text)
                    python.append(text)
                    continue
                # Annex B: a class escape at either end makes the '-' a literal member.
                for item in (first, 0x2D, second):
                    r, p = (_char(item), _char(item)) if isinstance(item, int) else item
                    rust.append(r)
                    python.append(p)
                continue
            r, p = (_char(first), _char(first)) if isinstance(first, int) else first
            rust.append(r)
            python.append(p)
        r_body, p_body = "".join(rust), "".join(python)
        hat = "^" if negated else ""
        if not r_body:  # [] matches nothing, [^] anything
            everything = _class_body(((0, _MAX),))
            return (f"[{everything}]", f"[{everything}]") if negated else ("[^" + everything + "]", "(?!)")
        return f"[{hat}{r_body}]", f"[{hat}{p_body}]"

    def class_atom(self) -> int | tuple[str, str]:
        char = self.src[self.pos]
        if char == "\\":
            self.pos += 1
            if self.at_end():
                raise self.fail("\\ at end of pattern")
            return self.class_escape(in_class=True)
        self.pos += 1
        return ord(char)


_BRACE_QUANTIFIER = re.compile(r"\{([0-9]+)(,)?([0-9]+)?\}")


def _count_groups(pattern: str) -> int:
    """Capturing groups: '(' not followed by '?' (or by '?<name>'), outside classes and escapes."""
    count, i, in_class = 0, 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(" and (not pattern.startswith("?", i + 1) or re.match(r"\?<[A-Za-z_$]", pattern[i + 1 :])):
            count += 1
        i += 1
    return count


_META = frozenset("\\^$.|?*+()[]{}-&~#")
"""ASCII characters with a meaning somewhere in either engine's syntax (in classes too: Rust's
set operators ``&&``, ``--``, ``~~``; ``#`` in verbose mode): written escaped."""


def _char(code: int) -> str:
    """One code point as text both engines read the same way, in and out of classes."""
    if 0x20 <= code < 0x7F:
        return "\\" + chr(code) if chr(code) in _META else chr(code)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def _range_text(low: int, high: int) -> str:
    return _char(low) if low == high else f"{_char(low)}-{_char(high)}"


def _class_body(ranges: Ranges) -> str:
    return "".join(_range_text(low, high) for low, high in ranges)


def _class_text(ranges: Ranges) -> str:
    return f"[{_class_body(ranges)}]"


def _complement(ranges: Ranges) -> Ranges:
    out: list[tuple[int, int]] = []
    start = 0
    for low, high in sorted(ranges):
        if low > start:
            out.append((start, low - 1))
        start = max(start, high + 1)
    if start <= _MAX:
        out.append((start, _MAX))
    return tuple(out)


@functools.lru_cache(maxsize=64)
def _category_ranges(gc: str) -> Ranges:
    """The code points of a General_Category (or group of them) as ranges, from this Python's
    Unicode database (what ``re`` would need to match ``\\p{gc}``)."""
    wanted = set(_GC_GROUPS.get(gc, (gc,)))
    if gc == "LC":
        wanted = {"Lu", "Ll", "Lt"}
    out: list[tuple[int, int]] = []
    category = unicodedata.category
    for code in range(sys.maxunicode + 1):
        if category(chr(code)) in wanted:
            if out and out[-1][1] == code - 1:
                out[-1] = (out[-1][0], code)
            else:
                out.append((code, code))
    return tuple(out)

