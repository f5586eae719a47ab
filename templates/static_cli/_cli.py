"""The command line of the generated client: ``python -m <package> <resource> <method> ...``.

Nothing here is specific to one API: the resources, methods and their parameters come from
``METHODS`` and from the client's own methods (read with :mod:`inspect`), so every generated
package ships this same file. The form mirrors the documentation's ``EXEC`` examples::

    python -m <package> signups signup --dry-run --json @signup.json
    # EXEC <provider>.<service>.signups.signup @dry_run=true @@json='{...}'

Arguments after the method:

``--json JSON|@FILE|@-``
    The request body: a JSON object whose keys are the body's fields (any other argument of the
    method may be given there too). ``@FILE`` reads a file, ``@-`` standard input.
``--NAME VALUE`` or ``--NAME=VALUE``
    One argument, by its wire name or its Python name (``-`` and ``_`` are interchangeable).
    Values of arguments that are not strings are read as JSON (``true``, ``3``, ``{...}``).
``--dry-run``
    Sets the method's ``dry_run`` parameter, so the server only validates. A method without one
    is validated locally and the request it would send is printed; nothing is sent.
``--header 'NAME: VALUE'``, ``--base-url URL``, ``--max-retries N``, ``-h``/``--help``.

Credentials come from the environment variables the client reads. Everything is validated
against the models before anything is sent. Exit status: 0 success (the response body is
printed as JSON), 1 the API answered with an error, 2 invalid input (nothing was sent),
3 the API could not be reached.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import re
import sys
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
import pydantic

from ._exceptions import APIConnectionError, APIError, APIStatusError
from ._lazy_resource import lazy_resources
from ._methods import METHODS
from ._types import MethodInfo

__all__ = ["EXIT_API_ERROR", "EXIT_CONNECTION_ERROR", "EXIT_OK", "EXIT_USAGE", "UsageError", "main"]

EXIT_OK = 0
EXIT_API_ERROR = 1
EXIT_USAGE = 2
EXIT_CONNECTION_ERROR = 3

PASS_THROUGH = frozenset({"extra_headers", "extra_query", "timeout", "max_retries"})
"""Keyword arguments every method takes besides the API's own; not exposed as ``--NAME``."""
_DRY_RUN = "dryrun"
_INDENT = "  "


class UsageError(Exception):
    """Invalid input, found before anything was sent (exit status 2)."""


class _CapturedRequestError(Exception):
    """Raised by the dry-run transport: the request was built and validated, and stops here."""

    def __init__(self, request: httpx.Request) -> None:
        super().__init__("dry run")
        self.request = request


@dataclass
class _Args:
    positional: list[str] = field(default_factory=list[str])
    help: bool = False
    json_text: str | None = None
    dry_run: bool = False
    base_url: str | None = None
    max_retries: int | None = None
    headers: dict[str, str] = field(default_factory=dict[str, str])
    params: list[tuple[str, str]] = field(default_factory=list[tuple[str, str]])


@dataclass(frozen=True)
class _Method:
    """A method of the client, resolved: its table entry, where it lives, what it takes."""

    info: MethodInfo
    attribute: str
    parameters: Mapping[str, inspect.Parameter]
    hints: Mapping[str, Any]


def _norm(name: str) -> str:
    """Names compare without case and punctuation: ``dry-run``, ``dry_run``, ``dryRun``."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


# ---------------------------------------------------------------------------- parsing
def _parse(argv: Sequence[str]) -> _Args:
    args = _Args()
    index = 0
    while index < len(argv):
        token = argv[index]
        index += 1
        if token in ("-h", "--help"):
            args.help = True
            continue
        if token == "--":
            args.positional.extend(argv[index:])
            break
        if not token.startswith("-"):
            args.positional.append(token)
            continue
        if not token.startswith("--") or len(token) == 2:
            raise UsageError(f"unknown option {token!r}")
        name, has_value, value = token[2:].partition("=")
        if _norm(name) == _DRY_RUN and not has_value:
            args.dry_run = True
            continue
        if not has_value:
            if index >= len(argv) or argv[index].startswith("--"):
                raise UsageError(
                    f"--{name} needs a value (write --{name}=VALUE for one that starts with --)"
                )
            value = argv[index]
            index += 1
        option = name.lower().replace("_", "-")
        if option == "json":
            if args.json_text is not None:
                raise UsageError("--json was given twice")
            args.json_text = value
        elif option == "base-url":
            args.base_url = value
        elif option == "max-retries":
            if not value.isdigit():
                raise UsageError(f"--max-retries needs a whole number, not {value!r}")
            args.max_retries = int(value)
        elif option == "header":
            header, colon, header_value = value.partition(":")
            if not colon or not header.strip():
                raise UsageError(f"--header needs 'NAME: VALUE', not {value!r}")
            args.headers[header.strip()] = header_value.strip()
        else:
            args.params.append((name, value))
    if len(args.positional) > 2:
        raise UsageError(f"unexpected argument {args.positional[2]!r}")
    return args


# ---------------------------------------------------------------------------- lookup
def _resources() -> list[str]:
    return list(dict.fromkeys(m.resource for m in METHODS))


def _find_resource(name: str) -> str:
    for resource in _resources():
        if resource == name or _norm(resource) == _norm(name):
            return resource
    raise UsageError(f"unknown resource {name!r}; resources: {', '.join(_resources())}")


def _find_info(resource: str, name: str) -> MethodInfo:
    methods = [m for m in METHODS if m.resource == resource]
    for info in methods:
        if info.name == name or _norm(info.name) == _norm(name):
            return info
    raise UsageError(
        f"unknown method {name!r} of {resource}; methods: {', '.join(m.name for m in methods)}"
    )


def _resource_classes(client_class: Callable[..., Any]) -> dict[str, type]:
    """The client's resource attributes and their classes (importing their modules)."""
    if not isinstance(client_class, type):
        return {}
    classes = {name: lazy.resolve() for name, lazy in lazy_resources(client_class).items()}
    return {name: tp for name, tp in classes.items() if isinstance(tp, type)}


def _type_checking_names() -> dict[str, Any]:
    """What resource modules import for type checkers only: the TypedDicts of ``params`` (no
    module imports them at run time, so that reaching a resource stays cheap)."""
    try:
        params = importlib.import_module(".params", __package__)
    except ImportError:  # no request carries a model: the package has no params module
        return {}
    return dict(vars(params))


def _resolve(client_class: Callable[..., Any], info: MethodInfo) -> _Method:
    classes = _resource_classes(client_class)
    candidates = [attr for attr, cls in classes.items() if callable(getattr(cls, info.name, None))]
    candidates.sort(key=lambda attr: (_norm(attr) != _norm(info.resource), attr))
    if not candidates:
        raise UsageError(
            f"{info.resource}.{info.name} is not a method of {getattr(client_class, '__name__', 'the client')}"
        )
    attribute = candidates[0]
    function = getattr(classes[attribute], info.name)
    parameters = {
        name: p
        for name, p in inspect.signature(function).parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and name not in PASS_THROUGH
    }
    try:
        hints: Mapping[str, Any] = typing.get_type_hints(function, localns=_type_checking_names())
    except Exception:  # an annotation that does not resolve: values stay untyped (JSON or text)
        hints = {}
    return _Method(info, attribute, parameters, hints)


# ---------------------------------------------------------------------------- arguments
def _flatten(hint: Any) -> list[Any]:
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        return _flatten(typing.get_args(hint)[0])
    if origin is typing.Union or origin is types.UnionType:
        return [leaf for arg in typing.get_args(hint) for leaf in _flatten(arg)]
    return [hint]


def _accepts_text(hint: Any) -> bool:
    """Whether a string argument is a string (else a ``--NAME`` value is read as JSON)."""
    for leaf in _flatten(hint):
        if leaf is str or (isinstance(leaf, type) and issubclass(leaf, str)):
            return True
        if typing.get_origin(leaf) is typing.Literal and any(
            isinstance(v, str) for v in typing.get_args(leaf)
        ):
            return True
    return False


def _match(method: _Method, key: str) -> str | None:
    if key in method.parameters:
        return key
    found = [name for name in method.parameters if _norm(name) == _norm(key)]
    return found[0] if len(found) == 1 else None


def _read_json(text: str, stdin: IO[str]) -> Any:
    source = "--json"
    if text.startswith("@"):
        path = text[1:]
        source = "standard input" if path == "-" else path
        try:
            text = stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(
            f"{source} is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        ) from None


def _arguments(method: _Method, args: _Args, stdin: IO[str]) -> tuple[dict[str, Any], bool]:
    """The keyword arguments for the call, and whether this is a local dry run."""
    kwargs: dict[str, Any] = {}
    given_by: dict[str, str] = {}

    def put(name: str, value: Any, source: str) -> None:
        if name in kwargs:
            raise UsageError(f"{name} was given twice ({given_by[name]} and {source})")
        kwargs[name] = value
        given_by[name] = source

    for key, raw in args.params:
        name = _match(method, key)
        if name is None:
            raise UsageError(
                f"unknown parameter --{key} for {_label(method.info)}; it takes {_flags(method)}"
            )
        hint = method.hints.get(name)
        value: Any = raw
        if hint is None or not _accepts_text(hint):
            try:
                value = json.loads(raw)
            except json.JSONDecodeError:
                value = raw  # validation below names the argument if it is not acceptable
        put(name, value, f"--{key}")

    if args.json_text is not None:
        body = _read_json(args.json_text, stdin)
        json_fields = _json_object(body)
        unmatched = json_fields is not None and [
            k for k in json_fields if _match(method, str(k)) is None
        ]
        if json_fields is not None and not unmatched:
            for key, value in json_fields.items():
                put(typing.cast(str, _match(method, str(key))), value, f"--json field {key!r}")
        elif "body" in method.parameters:
            put("body", body, "--json")
        elif unmatched:
            raise UsageError(
                f"unknown field(s) in --json for {_label(method.info)}: {', '.join(map(repr, unmatched))}; "
                f"it takes {_flags(method, dashes=False)}"
            )
        else:
            raise UsageError(
                f"--json for {_label(method.info)} must be a JSON object, not {type(body).__name__}"
            )

    local_dry_run = False
    if args.dry_run:
        flag = next((name for name in method.parameters if _norm(name) == _DRY_RUN), None)
        if flag is None:
            local_dry_run = True
        else:
            put(flag, True, "--dry-run")

    missing = [
        name
        for name, p in method.parameters.items()
        if p.default is inspect.Parameter.empty and name not in kwargs
    ]
    if missing:
        raise UsageError(
            f"{_label(method.info)} needs {', '.join('--' + n for n in missing)} (or give them in --json)"
        )
    return kwargs, local_dry_run


# ---------------------------------------------------------------------------- calling
def _make_client(client_class: Callable[..., Any], **options: Any) -> Any:
    accepted = inspect.signature(client_class).parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in accepted.values())
    return client_class(
        **{k: v for k, v in options.items() if (takes_any or k in accepted) and v is not None}
    )


def _call(
    client_class: Callable[..., Any],
    method: _Method,
    kwargs: dict[str, Any],
    *,
    args: _Args,
    local_dry_run: bool,
    base_url: str | None,
    http_client: httpx.Client | None,
    out: IO[str],
    err: IO[str],
) -> int:
    if args.headers:
        kwargs["extra_headers"] = dict(args.headers)
    if args.max_retries is not None:
        kwargs["max_retries"] = args.max_retries
    options: dict[str, Any] = {"base_url": base_url, "http_client": http_client}
    if local_dry_run:
        options["http_client"] = httpx.Client(transport=httpx.MockTransport(_capture))
    try:
        client = _make_client(client_class, **options)
    except ValueError as exc:  # no credentials, bad options
        raise UsageError(str(exc)) from None
    try:
        with client:
            function = getattr(getattr(client, method.attribute), method.info.name)
            result = function(**kwargs)
    except _CapturedRequestError as captured:
        _print_json(_request_summary(captured.request), out)
        print(f"dry run: {_label(method.info)} is valid; nothing was sent", file=err)
        return EXIT_OK
    except pydantic.ValidationError as exc:
        raise UsageError(_validation_message(method.info, exc)) from None
    except APIStatusError as exc:
        print(_status_message(exc), file=err)
        return EXIT_API_ERROR
    except APIConnectionError as exc:
        print(f"error: {exc.message} ({exc.request.method} {exc.request.url})", file=err)
        return EXIT_CONNECTION_ERROR
    except APIError as exc:
        print(f"error: {exc.message}", file=err)
        return EXIT_API_ERROR
    finally:
        if local_dry_run:
            options["http_client"].close()
    if result is not None:
        _print_json(result, out)
    return EXIT_OK


def _capture(request: httpx.Request) -> httpx.Response:
    raise _CapturedRequestError(request)


def _request_summary(request: httpx.Request) -> dict[str, Any]:
    summary: dict[str, Any] = {"method": request.method, "url": str(request.url)}
    content = request.read()
    if content:
        try:
            summary["json"] = json.loads(content)
        except ValueError:
            summary["content"] = content.decode("utf-8", "replace")
    return summary


def _print_json(value: Any, out: IO[str]) -> None:
    if isinstance(value, pydantic.BaseModel):
        data = value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    else:
        data = pydantic.TypeAdapter(Any).dump_python(value, mode="json", by_alias=True)
    print(json.dumps(data, indent=2, ensure_ascii=False), file=out)


def _validation_message(info: MethodInfo, exc: pydantic.ValidationError) -> str:
    lines = [f"invalid input for {_label(info)} (nothing was sent):"]
    for error in exc.errors(include_url=False):
        where = ".".join(str(part) for part in error["loc"]) or "(body)"
        lines.append(f"{_INDENT}{where}: {error['msg']}")
    return "\n".join(lines)


def _status_message(exc: APIStatusError) -> str:
    request = exc.request
    lines = [
        f"error: {request.method} {request.url.path} failed with {exc.status_code} {exc.response.reason_phrase}".rstrip()
    ]
    if exc.request_id:
        lines.append(f"{_INDENT}request id: {exc.request_id}")
    for error in exc.errors:
        fields = {key: _get(error, key) for key in ("status", "code", "title", "detail")}
        text = ": ".join(str(fields[k]) for k in ("code", "title", "detail") if fields[k])
        source = _get(error, "source")
        pointer = (
            _get(source, "pointer") or _get(source, "parameter") if source is not None else None
        )
        lines.append(
            f"{_INDENT}- {text or json.dumps(_plain(error))}"
            + (f" (at {pointer})" if pointer else "")
        )
    if not exc.errors and exc.body not in (None, ""):
        body = exc.body
        summary = None
        if isinstance(body, dict):
            body_fields = typing.cast("dict[str, object]", body)
            summary = ": ".join(
                str(body_fields[k])
                for k in ("title", "detail", "message")
                if isinstance(body_fields.get(k), str)
            )
        lines.append(f"{_INDENT}{summary or json.dumps(_plain(body))[:500]}")
    return "\n".join(lines)


def _get(obj: Any, key: str) -> Any:
    if isinstance(obj, Mapping):
        return typing.cast("Mapping[str, Any]", obj).get(key)
    return getattr(obj, key, None)


def _plain(value: Any) -> Any:
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_unset=True)
    return value if _is_json(value) else str(value)


def _is_json(value: object) -> bool:
    """Whether ``json.dumps`` takes ``value`` as it is (a test that narrows nothing)."""
    return isinstance(value, (dict, list, str, int, float, bool, type(None)))


def _json_object(value: object) -> dict[str, Any] | None:
    """``value`` as the fields of a JSON object, or ``None`` when it is not one."""
    return typing.cast("dict[str, Any]", value) if isinstance(value, dict) else None


# ---------------------------------------------------------------------------- help
def _label(info: MethodInfo) -> str:
    return f"{info.resource} {info.name}"


def _flags(method: _Method, *, dashes: bool = True) -> str:
    prefix = "--" if dashes else ""
    names = [prefix + n for n in method.parameters]
    return ", ".join(names) or "no parameters"


def _method_line(info: MethodInfo) -> str:
    required = " ".join(f"--{name} ..." for name in info.required)
    optional = " ".join(f"[--{name} ...]" for name in info.optional)
    return " ".join(part for part in (info.name, required, optional) if part)


def _summary(text: str) -> str:
    """The first sentence of a description (at most its first line)."""
    line = next((line.strip() for line in text.strip().splitlines() if line.strip()), "")
    end = line.find(". ")
    return line[: end + 1] if end > 0 else line


def _usage(prog: str) -> str:
    return (
        f"usage: {prog} RESOURCE METHOD [--NAME VALUE ...] [--json JSON|@FILE] [--dry-run]\n"
        f"{' ' * len('usage: ' + prog)} [--header 'NAME: VALUE'] [--base-url URL] [--max-retries N]"
    )


def _options_help(base_url_env: str | None, credentials_help: str | None) -> str:
    lines = [
        "options:",
        f"{_INDENT}--NAME VALUE        a parameter of the method (wire or Python name); non-string values are JSON",
        f"{_INDENT}--json JSON|@FILE   the request body as a JSON object (@- reads standard input)",
        f"{_INDENT}--dry-run           set the method's dry_run parameter; without one, validate and print the",
        f"{_INDENT}                    request locally, sending nothing",
        f"{_INDENT}--header 'N: V'     an extra HTTP header (repeatable)",
        f"{_INDENT}--base-url URL      the API's address"
        + (f" (default ${base_url_env}, else the spec's server)" if base_url_env else ""),
        f"{_INDENT}--max-retries N     retries after a connection error, 429 or 5XX",
        f"{_INDENT}-h, --help          this help; after RESOURCE or METHOD, help for it",
    ]
    if credentials_help:
        lines.append(f"\ncredentials: {credentials_help}")
    lines.append(
        "\nexit status: 0 success (the response is printed as JSON), 1 API error, 2 invalid input, 3 connection error"
    )
    return "\n".join(lines)


def _overview(
    prog: str, resource: str | None, base_url_env: str | None, credentials_help: str | None
) -> str:
    lines = [_usage(prog), ""]
    lines.append("methods (required parameters, then [optional] ones; see METHOD --help for all):")
    for name in _resources():
        if resource is not None and name != resource:
            continue
        lines.append(f"\n{name}")
        for info in METHODS:
            if info.resource == name:
                lines.append(f"{_INDENT}{_method_line(info)}")
                summary = _summary(info.description)
                if summary:
                    lines.append(f"{_INDENT * 3}{summary}")
    lines += ["", _options_help(base_url_env, credentials_help)]
    return "\n".join(lines)


def _method_help(prog: str, method: _Method) -> str:
    info = method.info
    lines = [
        f"usage: {prog} {info.resource} {_method_line(info)} [--json JSON|@FILE] [--dry-run]",
        "",
        f"{info.http_method} {info.path} (accessible by {info.accessible_by})",
    ]
    if info.description:
        lines += ["", info.description.strip()]
    lines += ["", "parameters:"]
    documented = set(info.required) | set(info.optional)
    for name, parameter in method.parameters.items():
        required = parameter.default is inspect.Parameter.empty
        hint = method.hints.get(name)
        kind = _type_name(hint) if hint is not None else str(parameter.annotation)
        mark = "required" if required else "optional"
        lines.append(f"{_INDENT}--{name:<24} {mark:<9} {kind}")
    extra = [
        n
        for n in method.parameters
        if n not in documented and method.parameters[n].default is not inspect.Parameter.empty
    ]
    if extra:
        lines.append(f"\n(optional body fields, usually given in --json: {', '.join(extra)})")
    return "\n".join(lines)


def _type_name(hint: Any) -> str:
    leaves = [leaf for leaf in _flatten(hint) if getattr(leaf, "__name__", "") != "Omit"]
    names: list[str] = []
    for leaf in leaves:
        name = getattr(leaf, "__name__", None) if isinstance(leaf, type) else None
        names.append(name or str(leaf).replace("typing.", ""))
    return " | ".join(dict.fromkeys(names))


# ---------------------------------------------------------------------------- entry point
def main(
    argv: Sequence[str] | None = None,
    *,
    client_class: Callable[..., Any],
    prog: str = "client",
    base_url_env: str | None = None,
    credentials_help: str | None = None,
    http_client: httpx.Client | None = None,
    stdin: IO[str] | None = None,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
) -> int:
    """Run one command; returns the exit status (see the module docstring)."""
    out = stdout if stdout is not None else sys.stdout
    err = stderr if stderr is not None else sys.stderr
    try:
        args = _parse(list(sys.argv[1:] if argv is None else argv))
        resource = _find_resource(args.positional[0]) if args.positional else None
        info = (
            _find_info(resource, args.positional[1])
            if resource is not None and len(args.positional) > 1
            else None
        )
        if info is None:
            text = _overview(prog, resource, base_url_env, credentials_help)
            if args.help:
                print(text, file=out)
                return EXIT_OK
            print(text, file=err)
            problem = "missing METHOD" if resource is not None else "missing RESOURCE and METHOD"
            raise UsageError(problem)
        method = _resolve(client_class, info)
        if args.help:
            print(_method_help(prog, method), file=out)
            return EXIT_OK
        kwargs, local_dry_run = _arguments(method, args, stdin if stdin is not None else sys.stdin)
        base_url = args.base_url or (os.environ.get(base_url_env) if base_url_env else None) or None
        return _call(
            client_class,
            method,
            kwargs,
            args=args,
            local_dry_run=local_dry_run,
            base_url=base_url,
            http_client=http_client,
            out=out,
            err=err,
        )
    except UsageError as exc:
        print(f"{prog}: error: {exc}", file=err)
        return EXIT_USAGE
    except BrokenPipeError:  # the reader went away (``| head``): stop quietly
        if out is sys.stdout:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
