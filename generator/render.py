"""Stage 4: place the intermediate representation into the Jinja2 templates.

One :class:`jinja2.Environment` with ``StrictUndefined`` (a misspelt variable is an error, not
an empty string). Templates hold layout only; text that came from the spec reaches them
through the escaping filters below, and is never itself rendered as a template. No I/O here
beyond reading the templates.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from . import TEMPLATES, docs, layout, method_table, typeddicts
from .ir import Api, Import, ModelDef, Operation, Resource, py_literal
from .model_modules import ModelModule, ModelModules, model_modules

__all__ = [
    "CLI_STATIC_FILES",
    "STATIC_FILES",
    "TEMPLATE_CACHE_ENV",
    "code_text",
    "codelist",
    "docstring",
    "environment",
    "fence",
    "headers",
    "html_code",
    "import_lines",
    "md_cell",
    "md_code",
    "md_inline",
    "mdx_attr",
    "mdx_text",
    "method_docstring",
    "render",
    "template_cache_dir",
    "toml_str",
    "verbatim_paths",
]

STATIC_FILES = (
    "_base_client.py",
    "_exceptions.py",
    "_formats.py",
    "_lazy_resource.py",
    "_lenient.py",
    "_logs.py",
    "_models.py",
    "_oauth.py",
    "_pagination.py",
    "_params.py",
    "_patterns.py",
    "_response.py",
    "_retries.py",
    "_types.py",
)

CLI_STATIC_FILES = ("_cli.py",)
"""Spec-agnostic runtime files copied verbatim from ``templates/static_cli/``."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\x85]")
_SAFE_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def docstring(text: str, indent: int | None = None) -> str:
    """A triple-quoted literal whose value is ``text``, whatever ``text`` holds.

    Backslashes are doubled (so ``\\N{...}`` or ``\\x`` stay text), runs of quotes are escaped,
    and control characters become escapes, so the literal cannot end early or span a stray line.

    ``indent`` is given where the literal is a real docstring (the first statement of a class or
    function body, indented that many spaces). black re-indents such a docstring's later lines
    to the body and drops trailing spaces; doing it here, where that is plain (see
    :func:`generator.layout.docstring_body`), leaves black nothing to change, which makes
    formatting much cheaper.
    The value changes only as black would change it anyway.
    """
    body = text.replace("\\", "\\\\").replace('"', '\\"')
    body = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}", body)
    body = body.replace("\t", "    ")
    if indent is not None and "\n" in body:
        body = layout.docstring_body(body, " " * indent) or body
    return '"""' + body + '"""'


def md_cell(text: str) -> str:
    """Text for one Markdown table cell: pipes escaped, HTML neutralised, lines joined by <br />."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
    text = text.replace("{", "&#123;").replace("}", "&#125;")  # MDX reads {...} as JavaScript
    text = text.replace("[", "&#91;").replace("]", "&#93;")  # no links or images from spec text
    return "<br />".join(line.strip() for line in text.strip().splitlines())


def md_code(text: str) -> str:
    """Text for inside a Markdown code span: one line, backticks cannot close it early.

    A code span is literal in Markdown and MDX alike (no HTML, no ``{...}`` expressions, no
    character references), so only the backtick, the line break and (in tables) the pipe matter.
    """
    return " ".join(_CONTROL.sub(" ", text).split()).replace("`", "'").replace("|", "\\|")


def md_inline(text: str) -> str:
    return " ".join(md_cell(text).split("<br />"))


def codelist(names: Iterable[str]) -> str:
    return ", ".join(f"`{md_code(n)}`" for n in names)


def toml_str(text: str) -> str:
    """A TOML basic string (JSON string escaping is valid TOML)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", escaped).replace("\n", "\\n").replace("\t", "\\t") + '"'


_MDX_ENTITIES = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", "{": "&#123;", "}": "&#125;", "|": "&#124;",
    "[": "&#91;", "]": "&#93;", "`": "&#96;", "\\": "&#92;", '"': "&quot;",
}
_MDX_SPECIAL = re.compile("[" + re.escape("".join(_MDX_ENTITIES)) + "]")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)


def _mdx_escape(text: str) -> str:
    text = _CONTROL.sub(" ", text)
    return _MDX_SPECIAL.sub(lambda m: _MDX_ENTITIES[m.group()], text)


def mdx_text(text: str) -> str:
    """Spec prose for Markdown/MDX (table cells, paragraphs, JSX children), on one line.

    Everything MDX or Markdown could act on is a character reference: ``{ }`` (JavaScript
    expressions), ``< >`` (JSX, HTML), ``[ ]`` (links, images), backticks, pipes, backslashes.
    Code spans become ``<code>`` elements with escaped content; lines are joined by ``<br />``,
    so no spec line can start a block (``import``/``export``, headings, fences, lists).
    """
    pieces: list[str] = []
    last = 0
    for match in _CODE_SPAN.finditer(text):
        pieces.append(_mdx_escape(text[last : match.start()]))
        code = " ".join(match.group(2).split())
        pieces.append(f"<code>{_mdx_escape(code)}</code>")
        last = match.end()
    pieces.append(_mdx_escape(text[last:]))
    joined = "".join(pieces)
    return "<br />".join(line.strip() for line in joined.strip().splitlines() if line.strip())


def mdx_attr(text: str) -> str:
    """A JSX/HTML attribute value (inside double quotes): character references only, one line."""
    return _mdx_escape(" ".join(str(text).split()))


def html_code(text: str) -> str:
    """``<code>`` with escaped content: safe in HTML, MDX and GFM table cells alike."""
    return f"<code>{mdx_attr(text)}</code>"


def code_text(text: str) -> str:
    """A name inside a fenced code block: one line (a fence is literal, but a newline is not)."""
    return " ".join(_CONTROL.sub(" ", str(text)).split())


def fence(code: str, lang: str = "") -> str:
    """A fenced code block whose fence is longer than any backtick run inside it."""
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{code.strip(chr(10))}\n{ticks}"


TEMPLATE_CACHE_ENV = "PARTNER_CODEGEN_TEMPLATE_CACHE"
"""Where compiled templates are kept (a directory), or ``off``; see :func:`template_cache_dir`."""


def template_cache_dir() -> Path | None:
    """The directory for compiled templates, the way ``__pycache__`` holds compiled modules.

    Compiling the templates is a fixed cost of the generator, not of the spec (about a third
    of a small spec's generation), so it is paid once per installed version and Python:
    beside the generator's bytecode when that is writable, else in the user's cache
    directory. The folder name is a hash of Jinja2's version, Python's and this module's
    source (which holds the environment's settings); inside, Jinja2 keys each entry by the
    template's name and checks its source's checksum, so an edited template is compiled afresh.
    """
    chosen = os.environ.get(TEMPLATE_CACHE_ENV, "")
    if chosen == "off":
        return None
    key = hashlib.sha256(
        f"{jinja2.__version__}|{sys.version}|".encode() + Path(__file__).read_bytes()
    ).hexdigest()[:16]
    if chosen:
        return Path(chosen) / f"templates-{key}"
    beside = Path(__file__).resolve().parent / "__pycache__"
    if os.access(beside if beside.is_dir() else beside.parent, os.W_OK):
        return beside / f"templates-{key}"
    home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(home) / "partner-codegen" / f"templates-{key}"


class _SafeBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates on disk; every failure to read or write one is just a miss."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(Exception):
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)


def _remembered(fn: Callable[..., str]) -> Callable[..., str]:
    """``fn`` (a pure text filter) with its results kept for the process's lifetime.

    The same descriptions, names and literals pass through the same filters many times (a
    large spec: 10,000 calls of :func:`mdx_text` for 1,200 distinct texts), in the package,
    the reference and every resource page. Arguments that cannot be dict keys go straight
    to ``fn``; ``typed`` keeps ``1``, ``1.0`` and ``True`` apart.
    """
    kept = functools.lru_cache(maxsize=1 << 16, typed=True)(fn)

    @functools.wraps(fn)
    def filtered(*args: Any) -> str:
        try:
            return kept(*args)
        except TypeError:  # unhashable arguments (or fn's own TypeError, raised again here)
            return fn(*args)

    return filtered


@cache
def environment() -> jinja2.Environment:
    directory = template_cache_dir()
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        bytecode_cache=_SafeBytecodeCache(str(directory)) if directory is not None else None,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        pyrepr=_remembered(py_literal),
        docstring=_remembered(docstring),
        md_cell=_remembered(md_cell),
        md_code=_remembered(md_code),
        md_inline=md_inline,
        codelist=codelist,
        toml_str=toml_str,
        mdx_text=_remembered(mdx_text),
        mdx_attr=_remembered(mdx_attr),
        html_code=_remembered(html_code),
        code_text=_remembered(code_text),
        fence=_remembered(fence),
        json=lambda value: json.dumps(value, ensure_ascii=False),
        isorted=lambda names: sorted(names, key=_isort_key),
        fit=layout.fit,
        dict_argument=layout.dict_argument,
        field_line=layout.field_line,
        exploded_tuple=layout.exploded_tuple,
        format_async=lambda name: [name, f"Async{name}"],
    )
    env.tests["model_def"] = lambda value: isinstance(value, ModelDef)
    return env


def import_lines(imports: Iterable[Import], *, depth: int = 0, indent: int = 0) -> list[str]:
    """``from m import a, b`` lines: stdlib, third party, then the package's own, each sorted.

    Package-relative modules (``._formats``) are written from a module ``depth`` packages
    below the package root; ``indent`` is where the lines start (inside an ``if`` block).
    """
    by_module: dict[str, set[str]] = {}
    for imp in imports:
        module = "." * depth + imp.module if imp.module.startswith(".") else imp.module
        by_module.setdefault(module, set()).add(imp.name)
    third_party = {"pydantic", "httpx"}

    def group(module: str) -> int:
        return 2 if module.startswith(".") else int(module.split(".")[0] in third_party)

    lines = []
    previous: int | None = None
    for module in sorted(by_module, key=lambda m: (group(m), m)):
        if previous is not None and group(module) != previous:
            lines.append("")
        previous = group(module)
        names = sorted(by_module[module], key=_isort_key)
        plain = [n for n in names if " as " not in n]
        if plain:
            lines.append(layout.import_statement(module, plain, indent))
        lines.extend(f"from {module} import {n}" for n in names if " as " in n)
    return lines


def _isort_key(name: str) -> tuple[int, str]:
    """isort's order-by-type: CONSTANTS, then Classes, then functions and variables."""
    if name.isupper() and len(name) > 1:
        return 0, name
    return (1 if name[:1].isupper() else 2), name


def method_docstring(op: Operation) -> str:
    parts = [op.summary or f"{op.http_method} {op.path}"]
    if op.description and op.description != op.summary:
        parts.append(op.description)
    args = [f"    {p.name}: {' '.join(p.description.split()) or p.wire_name}" for p in op.params]
    if args:
        parts.append("Args:\n" + "\n".join(args))
    answer = f"responds {op.success_status}" if op.success_status else "returns the raw response"
    parts.append(f"``{op.http_method} {op.path}``; {answer}.")
    return "\n\n".join(parts) + "\n"


def _model_import(modules: ModelModules, name: str) -> Import:
    """Where a module outside ``models/`` imports the definition ``name`` from."""
    return Import(f".models.{modules.module_of[name]}", name)


def _models_imports(module: ModelModule) -> list[str]:
    """A model module's imports: the runtime's and the libraries', then its sibling modules'."""
    imports: set[Import] = set()
    for d in module.definitions:
        if isinstance(d, ModelDef):
            imports.add(Import("._models", "Model"))
            for f in d.fields:
                imports |= f.type.imports | f.imports
                if f.default and f.default.startswith("Field("):
                    imports.add(Import("pydantic", "Field"))
            if d.extra == "forbid":
                imports.add(Import("pydantic", "ConfigDict"))
            if d.read_only or d.nullable or d.redacted:
                imports.add(Import("typing", "ClassVar"))
        else:
            imports |= d.type.imports | {Import("typing", "TypeAlias")}
    # Written from inside models/: the package root's modules are ``..``, the siblings ``.``.
    imports = {Import("." + i.module, i.name) if i.module.startswith(".") else i for i in imports}
    imports |= {Import(f".{sibling}", name) for sibling, names in module.imports for name in names}
    return import_lines(imports)


_BUILTIN_TYPES = frozenset({"str", "int", "float", "bool", "bytes", "list", "dict", "Any"})

# Runtime functions a method body calls, imported under private names: an argument may be
# called ``build_body`` (arguments never start with an underscore).
_PRIVATE_IMPORTS = {
    "build_body": Import("._base_client", "build_body as _build_body"),
    "build_value": Import("._base_client", "build_value as _build_value"),
    "iterate_pages": Import("._pagination", "iterate_pages as _iterate_pages"),
    "async_iterate_pages": Import("._pagination", "async_iterate_pages as _async_iterate_pages"),
}


def _result_type(op: Operation) -> str:
    """What the method body calls its result's type: a module-level alias when the type is
    spelt with names an argument could shadow (``list[...]``, ``str``)."""
    complex_type = any(c in op.response_type for c in "[|") or op.response_type in _BUILTIN_TYPES
    return f"_{op.method_name.upper()}_RESULT" if op.response_model and complex_type else op.response_type


def _resource_context(api: Api, resource: Resource, modules: ModelModules) -> dict[str, Any]:
    """What a resource module imports: each model from its own module (so reaching the resource
    builds the models its methods need, and no others), and the TypedDicts of ``params`` for
    type checkers only (they are annotations, never needed at run time)."""
    imports: set[Import] = {
        Import("typing", "TYPE_CHECKING"),
        Import("collections.abc", "Mapping"),
        Import("._response", "APIResponse"),
        Import("._response", "async_to_raw_response as _async_to_raw_response"),
        Import("._response", "to_raw_response as _to_raw_response"),
        Import("._types", "OMIT"),
        Import("._types", "Omit"),
        Import("._types", "TimeoutTypes"),
    }
    type_checking: set[Import] = {
        Import("._client", f"Async{api.client_name} as _AsyncClient"),
        Import("._client", f"{api.client_name} as _Client"),
    }
    result_types = {op.operation_id: _result_type(op) for op in resource.operations}
    for op in resource.operations:
        imports |= {_PRIVATE_IMPORTS.get(i.name, i) for i in op.imports}
        imports |= {_model_import(modules, name) for name in op.refs}
        type_checking |= {Import(".params", name) for name in op.param_refs}
        if op.body_model:
            imports |= {_model_import(modules, op.body_model), _PRIVATE_IMPORTS["build_body"]}
        if op.body_param and op.body_encoding != "raw":
            imports |= {_PRIVATE_IMPORTS["build_value"], Import("typing", "TypeAlias")}
        if op.path_params or op.query or op.headers or op.cookies:
            imports.add(Import("typing", "Any"))
        if result_types[op.operation_id] != op.response_type:
            imports.add(Import("typing", "TypeAlias"))
    return {
        "resource": resource,
        "result_types": result_types,
        "imports": import_lines(imports, depth=1),
        "type_checking_imports": import_lines(type_checking, depth=1, indent=4),
        "docstrings": {op.operation_id: method_docstring(op) for op in resource.operations},
    }


def verbatim_paths(package: str) -> frozenset[str]:
    """The runtime files :func:`render` copies verbatim (after the header line).

    They are kept black-formatted in ``templates/`` (``tests/test_render.py`` checks that the
    header and the file together are exactly black's output), so the format stage passes them
    through instead of formatting the same hand-written code on every run.
    """
    return frozenset(f"{package}/{name}" for name in (*STATIC_FILES, *CLI_STATIC_FILES))


def headers(api: Api) -> dict[str, str]:
    """The first line of every generated file, per comment syntax. No timestamps."""
    name = _SAFE_FILE_NAME.sub("_", api.spec_file)
    # The spec's hash is in _version.py only: a changed spec then changes the files whose
    # content changes, not the first line of every file (smaller diffs, and cache hits).
    text = f"Generated by partner-codegen from {name}. Do not edit."
    # MDX pages start with front matter, which must be the file's first line: their header is
    # a YAML comment on the second line.
    return {"py": f"# {text}", "md": f"<!-- {text} -->", "toml": f"# {text}", "yaml": f"# {text}"}


def render(
    api: Api,
    *,
    package_version: str = "0.1.0",
    examples: Mapping[str, Mapping[str, Any]] | None = None,
    errors: Mapping[str, Sequence[docs.ErrorDoc]] | None = None,
    doc_style: str = "current",
    snippets: docs.Snippets = docs.black_snippets,
) -> dict[str, str]:
    """Every file of the distributable tree, by path relative to the output directory.

    ``examples`` (:func:`generator.examples.operation_examples`) and ``errors``
    (:func:`generator.docs.operation_errors`) feed the API reference, by operation id;
    ``doc_style`` picks the resource pages' layout (``current`` or ``legacy``); ``snippets``
    formats the reference's code samples (the pipeline passes one that shares its cache).
    """
    if doc_style not in docs.DOC_STYLES:
        raise ValueError(f"doc_style must be one of {', '.join(docs.DOC_STYLES)}, not {doc_style!r}")
    env = environment()
    head = headers(api)
    pkg = api.package
    common: dict[str, Any] = {
        "api": api,
        "header": head["py"],
        "md_header": head["md"],
        "toml_header": head["toml"],
        "package_version": package_version,
    }

    def put(template: str, **extra: Any) -> str:
        return env.get_template(template).render(**common, **extra)

    reference = _reference_context(api, examples or {}, errors or {}, snippets)
    methods = method_table.method_table(api)
    modules = model_modules(api)

    # Where each top-level name lives: ``__init__.py`` imports a module only when one of its
    # names is first used, so ``import package`` costs next to nothing.
    _errors = ("APIConnectionError", "APIError", "APIResponseValidationError", "APIStatusError", "APITimeoutError",
               "AuthenticationError", "BadRequestError", "ConflictError", "InternalServerError", "NotFoundError",
               "PermissionDeniedError", "RateLimitError", "UnprocessableEntityError")
    lazy_exports: dict[str, str] = {
        **dict.fromkeys((api.client_name, f"Async{api.client_name}", "DEFAULT_BASE_URL"), "_client"),
        **dict.fromkeys(_errors, "_exceptions"),
        "METHODS": "_methods",
        "APIResponse": "_response",
        "UnknownVariant": "_lenient",
        "ClientCredentialsAuth": "_oauth",
        **dict.fromkeys(("OMIT", "MethodInfo", "Omit"), "_types"),
    }
    top_exports = [*lazy_exports, "__version__", "models"]
    out: dict[str, str] = {
        "pyproject.toml": put("pyproject.toml.jinja"),
        "README.md": put("README.md.jinja", **reference),
        f"{pkg}/__init__.py": put(
            "package/__init__.py.jinja",
            exported=sorted(top_exports, key=_isort_key),
            lazy_imports=[
                layout.import_statement(f".{module}", sorted((n for n, m in lazy_exports.items() if m == module), key=_isort_key), 4)
                for module in sorted(set(lazy_exports.values()))
            ],
            lazy_names=sorted(lazy_exports.items()),
            module_doc=(
                f"{api.title or pkg}: a typed client generated from its OpenAPI document.\n\n"
                f"Start with ``{api.client_name}`` (or ``Async{api.client_name}``); ``METHODS`` lists\n"
                "every method with its required and optional parameters.\n"
            ),
        ),
        f"{pkg}/_version.py": put("package/_version.py.jinja"),
        f"{pkg}/_client.py": put("package/_client.py.jinja", **_client_context(api)),
        f"{pkg}/_methods.py": put("package/_methods.py.jinja", method_table=methods),
        f"{pkg}/METHODS.md": put(
            "package/METHODS.md.jinja", method_table=methods, resource_parameters=method_table.resource_parameters
        ),
        **_models_files(api, put, modules),
        **_params_file(api, put),
        f"{pkg}/resources/__init__.py": put("package/resources/__init__.py.jinja", **_lazy_package({
            name: resource.module
            for resource in api.resources
            for name in (resource.class_name, f"Async{resource.class_name}")
        })),
        f"{pkg}/py.typed": "",
    }
    for resource in api.resources:
        out[f"{pkg}/resources/{resource.module}.py"] = put(
            "package/resources/resource.py.jinja", **_resource_context(api, resource, modules)
        )
    for name in STATIC_FILES:
        out[f"{pkg}/{name}"] = head["py"] + "\n" + (TEMPLATES / "static" / name).read_text(encoding="utf-8")
    for name in CLI_STATIC_FILES:
        out[f"{pkg}/{name}"] = head["py"] + "\n" + (TEMPLATES / "static_cli" / name).read_text(encoding="utf-8")
    out[f"{pkg}/__main__.py"] = put("package/__main__.py.jinja")
    out["api.md"] = put("api.md.jinja", **reference)
    for resource in api.resources:
        page_file = f"docs/{_SAFE_FILE_NAME.sub('_', resource.name)}.md"
        if doc_style == "legacy":
            out[page_file] = put("docs/resource-legacy.md.jinja", page=docs.legacy_page(api, resource), yaml_header=head["yaml"])
        else:
            out[page_file] = put("docs/resource.md.jinja", page=docs.resource_page(api, resource), yaml_header=head["yaml"])
    return out


def _lazy_package(module_of: Mapping[str, str]) -> dict[str, Any]:
    """What a package module that re-exports names on first use places (``models/``,
    ``resources/``): the names, their modules, and the imports type checkers read instead."""
    by_module: dict[str, list[str]] = {}
    for name, module in module_of.items():
        by_module.setdefault(module, []).append(name)
    return {
        "exported": sorted(module_of, key=_isort_key),
        "lazy_modules": sorted(module_of.items()),
        "lazy_imports": [
            layout.import_statement(f".{module}", sorted(names, key=_isort_key), 4)
            for module, names in sorted(by_module.items())
        ],
    }


def _models_files(api: Api, put: Callable[..., str], modules: ModelModules) -> dict[str, str]:
    """``models/``: a module per model (cycles share one), and ``__init__`` naming them all."""
    title = api.title or api.package
    out = {
        f"{api.package}/models/__init__.py": put(
            "package/models/__init__.py.jinja",
            **_lazy_package(modules.module_of),
            module_doc=(
                f"Request and response bodies of {title}.\n\n"
                "Every class validates on construction: pass keyword arguments (by field name or wire\n"
                "name) or use ``Model.model_validate(data)``.\n\n"
                "Each model is defined in a module of its own (with the models it is mutually recursive\n"
                "with), imported on first use with the models it refers to.\n"
            ),
        )
    }
    for module in modules.modules:
        names = ", ".join(d.name for d in module.definitions)
        out[f"{api.package}/models/{module.name}.py"] = put(
            "package/models/module.py.jinja",
            module=module,
            imports=_models_imports(module),
            module_doc=f"Part of ``{api.package}.models`` (import from there): {names}.",
        )
    return out


def _client_context(api: Api) -> dict[str, Any]:
    """The clients' imports: each resource class for type checkers only (a :class:`LazyResource`
    attribute imports its module when first read)."""
    auth_used = api.auth.basic or api.auth.bearer
    base = ["AsyncAPIClient", "SyncAPIClient"] + (["CredentialSources", "credentials_auth"] if auth_used else [])
    runtime = [Import("._base_client", name) for name in base]
    if api.resources:
        runtime.append(Import("._lazy_resource", "LazyResource"))
    return {
        "auth_used": auth_used,
        "client_doc": _client_doc(api),
        "base_imports": import_lines(runtime),
        "resource_imports": [
            layout.import_statement(f".resources.{r.module}", sorted([r.class_name, f"Async{r.class_name}"], key=_isort_key), 4)
            for r in sorted(api.resources, key=lambda r: r.module)
        ],
    }


def _params_file(api: Api, put: Callable[..., str]) -> dict[str, str]:
    """``params.py``, the ``TypedDict`` of every model a request can carry (none: no file)."""
    params = typeddicts.params_module(api)
    if not params.definitions:
        return {}
    return {
        f"{api.package}/params.py": put(
            "package/params.py.jinja",
            params=params,
            imports=import_lines(params.imports),
            module_doc=(
                f"Request bodies of {api.title or api.package}, as TypedDicts for dict literals.\n\n"
                "Every method argument that takes a model also takes a dict, typed ``<Model>Param``, so\n"
                "that mypy and pyright check its keys and values. Keys are the wire names (as in\n"
                "``Model.model_validate``); read-only properties are left out; ``Required`` marks what a\n"
                "request must carry. At run time the models still validate every value.\n"
            ),
        )
    }


def _reference_context(
    api: Api,
    examples: Mapping[str, Mapping[str, Any]],
    errors: Mapping[str, Sequence[docs.ErrorDoc]],
    snippets: docs.Snippets,
) -> dict[str, Any]:
    """What README.md and api.md show about every method and model."""
    methods = docs.method_docs(api, examples=examples, errors=errors, snippets=snippets)
    return {
        "methods": methods,
        "first_example": methods[0] if methods else None,
    }


def _client_doc(api: Api) -> str:
    lines = [f"Client for {api.title or api.package}."]
    if api.auth.basic or api.auth.bearer:
        kinds = []
        if api.auth.basic:
            kinds.append(f"``api_key`` and ``api_secret`` (else ${api.auth.key_env} and ${api.auth.secret_env})")
        if api.auth.token_url:
            kinds.append(
                f"``client_id`` and ``client_secret`` (else ${api.auth.client_id_env} and"
                f" ${api.auth.client_secret_env}), exchanged for tokens at {api.auth.token_url}"
            )
        if api.auth.bearer:
            kinds.append(f"``bearer_token`` (else ${api.auth.token_env})")
        lines.append("\nCredentials: " + ", or ".join(kinds) + ", or any ``httpx.Auth`` as ``auth``.")
    lines.append(f"\nResources: {', '.join(r.attribute for r in api.resources)}.\n")
    return "\n".join(lines)
