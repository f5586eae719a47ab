"""Stage 4: place the intermediate representation into the Jinja2 templates.

One :class:`jinja2.Environment` with ``StrictUndefined`` (a misspelt variable is an error, not
an empty string). Templates hold layout only; text that came from the spec reaches them
through the escaping filters below, and is never itself rendered as a template. No I/O here
beyond reading the templates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from .ir import Api, Import, ModelDef, Operation, Resource, py_literal

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
STATIC_FILES = (
    "_base_client.py",
    "_exceptions.py",
    "_formats.py",
    "_logs.py",
    "_models.py",
    "_response.py",
    "_retries.py",
    "_types.py",
)

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\x85]")
_SAFE_FILE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def docstring(text: str) -> str:
    """A triple-quoted literal whose value is ``text``, whatever ``text`` holds.

    Backslashes are doubled (so ``\\N{...}`` or ``\\x`` stay text), runs of quotes are escaped,
    and control characters become escapes, so the literal cannot end early or span a stray line.
    """
    body = text.replace("\\", "\\\\").replace('"', '\\"')
    body = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}", body)
    body = body.replace("\t", "    ")
    return '"""' + body + '"""'


def md_cell(text: str) -> str:
    """Text for one Markdown table cell: pipes escaped, HTML neutralised, lines joined by <br />."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
    return "<br />".join(line.strip() for line in text.strip().splitlines())


def md_code(text: str) -> str:
    """Text for inside a Markdown code span (backticks cannot close it early)."""
    return md_cell(text).replace("`", "'")


def md_inline(text: str) -> str:
    return " ".join(md_cell(text).split("<br />"))


def codelist(names: Iterable[str]) -> str:
    return ", ".join(f"`{md_code(n)}`" for n in names)


def toml_str(text: str) -> str:
    """A TOML basic string (JSON string escaping is valid TOML)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", escaped).replace("\n", "\\n").replace("\t", "\\t") + '"'


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        pyrepr=py_literal,
        docstring=docstring,
        md_cell=md_cell,
        md_code=md_code,
        md_inline=md_inline,
        codelist=codelist,
        toml_str=toml_str,
        isorted=lambda names: sorted(names, key=_isort_key),
    )
    env.tests["model_def"] = lambda value: isinstance(value, ModelDef)
    return env


def import_lines(imports: Iterable[Import], *, depth: int = 0) -> list[str]:
    """``from m import a, b`` lines: stdlib, third party, then the package's own, each sorted.

    Package-relative modules (``._formats``) are written from a module ``depth`` packages
    below the package root.
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
        lines.append(f"from {module} import {', '.join(sorted(by_module[module], key=_isort_key))}")
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
    parts.append(f"``{op.http_method} {op.path}``; responds {op.success_status}.")
    return "\n\n".join(parts) + "\n"


def _models_imports(api: Api) -> list[Import]:
    imports: set[Import] = {Import("._models", "Model")}
    for d in api.definitions:
        if isinstance(d, ModelDef):
            for f in d.fields:
                imports |= f.type.imports
                if f.default and f.default.startswith("Field("):
                    imports.add(Import("pydantic", "Field"))
            if d.extra == "forbid":
                imports.add(Import("pydantic", "ConfigDict"))
            if d.read_only or d.nullable or d.redacted:
                imports.add(Import("typing", "ClassVar"))
        else:
            imports |= d.type.imports | {Import("typing", "TypeAlias")}
    return sorted(imports)


def _resource_context(api: Api, resource: Resource) -> dict[str, Any]:
    imports: set[Import] = {
        Import("typing", "TYPE_CHECKING"),
        Import("collections.abc", "Mapping"),
    }
    names: set[str] = set()
    for op in resource.operations:
        imports |= op.imports
        names |= op.refs
        if op.body_model:
            names.add(op.body_model)
    return {
        "resource": resource,
        "uses_build_value": any(op.body_param for op in resource.operations),
        "imports": import_lines(imports, depth=1),
        "model_names": sorted(names),
        "docstrings": {op.operation_id: method_docstring(op) for op in resource.operations},
    }


def headers(api: Api) -> dict[str, str]:
    """The first line of every generated file, per comment syntax. No timestamps."""
    name = _SAFE_FILE_NAME.sub("_", api.spec_file)
    text = f"Generated by partner-codegen from {name} (sha256:{api.spec_sha256[:12]}). Do not edit."
    return {"py": f"# {text}", "md": f"<!-- {text} -->", "toml": f"# {text}"}


def render(api: Api, *, package_version: str = "0.1.0") -> dict[str, str]:
    """Every file of the distributable tree, by path relative to the output directory."""
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

    client_exports = [api.client_name, f"Async{api.client_name}"]
    top_exports = sorted(
        [*client_exports, "DEFAULT_BASE_URL", "METHODS", "OMIT", "APIResponse", "MethodInfo", "Omit", "__version__", "models",
         "APIConnectionError", "APIError", "APIResponseValidationError", "APIStatusError", "APITimeoutError",
         "AuthenticationError", "BadRequestError", "ConflictError", "InternalServerError", "NotFoundError",
         "PermissionDeniedError", "RateLimitError", "UnprocessableEntityError"]
    )
    out: dict[str, str] = {
        "pyproject.toml": put("pyproject.toml.jinja"),
        "README.md": put("README.md.jinja"),
        f"{pkg}/__init__.py": put(
            "package/__init__.py.jinja",
            exported=sorted(top_exports, key=_isort_key),
            module_doc=(
                f"{api.title or pkg}: a typed client generated from its OpenAPI document.\n\n"
                f"Start with ``{api.client_name}`` (or ``Async{api.client_name}``); ``METHODS`` lists\n"
                "every method with its required and optional parameters.\n"
            ),
        ),
        f"{pkg}/_version.py": put("package/_version.py.jinja"),
        f"{pkg}/_client.py": put(
            "package/_client.py.jinja",
            auth_used=api.auth.basic or api.auth.bearer,
            client_doc=_client_doc(api),
        ),
        f"{pkg}/_methods.py": put("package/_methods.py.jinja"),
        f"{pkg}/METHODS.md": put("package/METHODS.md.jinja"),
        f"{pkg}/models.py": put(
            "package/models.py.jinja",
            imports=import_lines(_models_imports(api)),
            module_doc=(
                f"Request and response bodies of {api.title or pkg}.\n\n"
                "Every class validates on construction: pass keyword arguments (by field name or wire\n"
                "name) or use ``Model.model_validate(data)``.\n"
            ),
        ),
        f"{pkg}/resources/__init__.py": put(
            "package/resources/__init__.py.jinja",
            exported=sorted((n for r in api.resources for n in (r.class_name, f"Async{r.class_name}")), key=_isort_key),
        ),
        f"{pkg}/py.typed": "",
    }
    for resource in api.resources:
        out[f"{pkg}/resources/{resource.module}.py"] = put(
            "package/resources/resource.py.jinja", **_resource_context(api, resource)
        )
    for name in STATIC_FILES:
        out[f"{pkg}/{name}"] = head["py"] + "\n" + (TEMPLATES / "static" / name).read_text(encoding="utf-8")
    return out


def _client_doc(api: Api) -> str:
    lines = [f"Client for {api.title or api.package}."]
    if api.auth.basic or api.auth.bearer:
        kinds = []
        if api.auth.basic:
            kinds.append(f"``api_key`` and ``api_secret`` (else ${api.auth.key_env} and ${api.auth.secret_env})")
        if api.auth.bearer:
            kinds.append(f"``bearer_token`` (else ${api.auth.token_env})")
        lines.append("\nCredentials: " + ", or ".join(kinds) + ".")
    lines.append(f"\nResources: {', '.join(r.attribute for r in api.resources)}.\n")
    return "\n".join(lines)
