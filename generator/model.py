"""Stage 3: turn a validated document into the intermediate representation (:mod:`generator.ir`).

:func:`build` runs the two halves, :mod:`generator.schemas` (components -> models, unions,
types) and :mod:`generator.operations` (paths -> methods), then groups methods into resources
and orders the definitions. Everything the generated code says is decided in this stage:
class, alias, method and argument names;
type expressions; which fields are required, read-only, nullable or secret; which models reject
unknown fields. Problems the validator cannot see (a discriminator naming a property a variant
lacks, two operations that would become the same method, a pattern Python cannot compile) are
collected as :class:`SpecError` values and raised together.

Rules worth knowing when reading generated code:

* A component schema that is an object (or an ``allOf`` of objects) becomes a model; ``allOf``
  parts are merged into one flat model (their ``required`` lists united), not subclassed.
* ``oneOf`` / ``anyOf`` become a union alias; with a ``discriminator`` the variants' property
  is typed as the ``Literal`` of their mapping values and the union is a tagged union.
* Read-only properties are optional in models and never sent; an optional property that is not
  ``nullable`` is omitted from requests when it is ``None``.
* ``additionalProperties: false`` forbids unknown fields only on models that appear in requests
  alone: a model the server sends back tolerates (and keeps) new fields.
* The resource of an operation is its ``x-resource``, else its first tag's ``x-resource``, else
  the first tag snake-cased, else ``default``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from typing import Any

from . import naming
from .errors import SpecError, SpecErrors, escape_pointer_token, pointer, unique
from .ir import AliasDef, Api, Auth, ModelDef, Operation, Resource
from .load import Document
from .openapi import HTTP_METHODS, path_items
from .operations import build_operation, strip_badges
from .schemas import RESERVED_CLASS_NAMES, SchemaBuilder, Usage, text

__all__ = ["build", "strip_badges"]


def build(doc: Document, *, package: str) -> Api:
    """Build the :class:`~generator.ir.Api` for ``doc``; raise :class:`SpecErrors` on problems."""
    b = SchemaBuilder(doc, package)
    # Components first, in document order, so names and definition order follow the spec.
    for key in b.components("schemas"):
        b.type_of_ref("#/components/schemas/" + escape_pointer_token(key), "")
    usage = Usage()
    resources: dict[str, list[Operation]] = {}
    method_names: dict[tuple[str, str], str] = {}
    op_ids: dict[str, str] = {}
    for path, raw_item in path_items(doc.root):
        item, _ = b.deref(raw_item, pointer("paths", path))  # a path item may be a $ref
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            at = pointer("paths", path, method)
            built = build_operation(b, doc, path, method, item, op, at, usage)
            if built is None:
                continue
            if built.operation_id in op_ids:
                b.error(at + "/operationId", f"operationId {built.operation_id!r} is also used at {op_ids[built.operation_id]}")
                continue
            op_ids[built.operation_id] = at
            method_key = (built.resource, built.method_name)
            if method_key in method_names:
                b.error(at, f"operation maps to method {built.resource}.{built.method_name}, as does the operation at {method_names[method_key]}")
                continue
            method_names[method_key] = at
            resources.setdefault(built.resource, []).append(built)
    _propagate_usage(b, usage)
    models = b.finish_models(usage)
    if b.errors:
        raise SpecErrors([*b.errors, *unique(b.warnings)])
    models = _with_params(b, models, [op for ops in resources.values() for op in ops])
    info = doc.root.get("info") or {}
    servers = doc.root.get("servers") or []
    server_url = servers[0].get("url", "") if servers and isinstance(servers[0], dict) else ""
    client_name = info.get("x-client-name")
    client_name = naming.pascal_identifier(client_name, fallback="Client", reserved=RESERVED_CLASS_NAMES | _CLIENT_MODULE_NAMES) if isinstance(client_name, str) else "Client"
    log_env = info.get("x-log-env")
    if not (isinstance(log_env, str) and re.fullmatch(r"[A-Z_][A-Z0-9_]*", log_env)):
        log_env = package.upper() + "_LOG"
    attr_names = naming.NameAllocator(_CLIENT_ATTRIBUTES)
    # Resource classes share the schemas' name table: a schema named ``ThingsResource`` keeps
    # its name and the resource class takes the next free one.
    class_names = b.class_names
    module_names = naming.NameAllocator({"__init__"})
    resource_defs = []
    for name, ops in resources.items():
        # A resource named like the client's own API (``request``, ``max_retries``) gets a
        # trailing underscore, as keywords do, so neither hides the other.
        attribute = attr_names.allocate(naming.identifier(name, fallback="resource", reserved=_CLIENT_ATTRIBUTES))
        resource_defs.append(
            Resource(
                name=name,
                attribute=attribute,
                class_name=_resource_class(class_names, naming.pascal_identifier(name, fallback="Resource") + "Resource"),
                module=module_names.allocate(attribute),
                operations=tuple(ops),
            )
        )
    model_by_name = {m.name: m for m in models}
    definitions = _dependency_order(b.order, model_by_name, b.aliases)
    return Api(
        title=text(info.get("title")),
        version=str(info.get("version", "")),
        description=text(info.get("description")),
        spec_file=doc.file,
        spec_sha256=doc.sha256,
        package=package,
        distribution=package.replace("_", "-"),
        client_name=client_name,
        log_env=log_env,
        server_url=server_url if isinstance(server_url, str) else "",
        service_id=_service_id(package),
        auth=_auth(doc, package),
        models=tuple(models),
        aliases=tuple(b.aliases.values()),
        definitions=definitions,
        resources=tuple(resource_defs),
        paths=tuple(path for path, _ in path_items(doc.root)),
        warnings=tuple(unique(b.warnings)),
    )


# What a client object already has: a resource may not take one of these attribute names.
_CLIENT_ATTRIBUTES = frozenset(
    {"request", "close", "with_options", "base_url", "timeout", "max_retries", "aclose"}
)
# Names the generated ``_client.py`` imports or defines beside the client class.
_CLIENT_MODULE_NAMES = frozenset(
    {"SyncAPIClient", "AsyncAPIClient", "DEFAULT_BASE_URL", "TimeoutTypes", "setup_logging",
     "credentials_auth", "CredentialSources", "Mapping", "Omit", "OMIT", "httpx", "annotations"}
)


def _resource_class(names: naming.NameAllocator, base: str) -> str:
    """A resource class name whose async and raw-response siblings are free too."""
    candidate, index = base, 1
    while any(n in names for n in (candidate, f"Async{candidate}", f"{candidate}WithRawResponse", f"Async{candidate}WithRawResponse")):
        index += 1
        candidate = f"{base}{index}"
    for n in (candidate, f"Async{candidate}", f"{candidate}WithRawResponse", f"Async{candidate}WithRawResponse"):
        names.allocate(n)
    return candidate


def _service_id(package: str) -> str:
    """``confluent_partner_v2`` -> ``confluent.partner``: the dotted id the docs use."""
    parts = package.split("_")
    return ".".join(p for p in parts if not re.fullmatch(r"v\d+", p)) or package


def _auth(doc: Document, package: str) -> Auth:
    """Which credentials the client takes, from ``components.securitySchemes``.

    HTTP basic: an API key pair (``x-env-vars: [KEY, SECRET]``). HTTP bearer, OAuth 2.0 and
    OpenID Connect: a ready bearer token (``x-env-vars: [TOKEN]``). An OAuth 2.0
    ``clientCredentials`` flow also gives a client ID and secret, exchanged at its ``tokenUrl``
    for tokens (``x-env-vars: [CLIENT_ID, CLIENT_SECRET]``, optionally ``TOKEN`` third); the
    scopes requested are those the operations require of that scheme.
    """
    schemes = (doc.root.get("components") or {}).get("securitySchemes") or {}
    basic = bearer = False
    envs: dict[str, str] = {}
    token_url = ""
    scopes: set[str] = set()
    prefix = package.upper()
    problems: list[SpecError] = []
    for scheme_name, scheme in schemes.items():
        if not isinstance(scheme, dict):
            continue
        kind, how = scheme.get("type"), str(scheme.get("scheme", "")).lower()
        listed = scheme.get("x-env-vars")
        env: list[Any] = listed if isinstance(listed, list) else []
        for index, value in enumerate(env):
            if not (isinstance(value, str) and re.fullmatch(r"[A-Z_][A-Z0-9_]*", value)):
                at = pointer("components", "securitySchemes", scheme_name, "x-env-vars", index)
                problems.append(SpecError(doc.file, at, f"x-env-vars: {value!r} is not an environment variable name"))
        flow = _client_credentials(scheme) if kind == "oauth2" else None
        if kind == "http" and how == "basic":
            basic = True
            if len(env) == 2:
                envs["key"], envs["secret"] = str(env[0]), str(env[1])
        elif flow is not None and not token_url:
            bearer = True
            token_url = flow
            scopes |= _required_scopes(doc, scheme_name)
            if len(env) in (2, 3):
                envs["client_id"], envs["client_secret"] = str(env[0]), str(env[1])
            if len(env) == 3:
                envs["token"] = str(env[2])
        elif (kind == "http" and how == "bearer") or kind in ("oauth2", "openIdConnect"):
            bearer = True
            if len(env) == 1:
                envs["token"] = str(env[0])
    if problems:
        raise SpecErrors(problems)
    return Auth(
        basic=basic,
        bearer=bearer,
        key_env=envs.get("key", f"{prefix}_API_KEY"),
        secret_env=envs.get("secret", f"{prefix}_API_SECRET"),
        token_env=envs.get("token", f"{prefix}_BEARER_TOKEN"),
        token_url=token_url,
        scopes=tuple(sorted(scopes)),
        client_id_env=envs.get("client_id", f"{prefix}_CLIENT_ID") if token_url else "",
        client_secret_env=envs.get("client_secret", f"{prefix}_CLIENT_SECRET") if token_url else "",
    )


def _client_credentials(scheme: dict[str, Any]) -> str | None:
    """The ``tokenUrl`` of an oauth2 scheme's ``clientCredentials`` flow, if it has one."""
    flows = scheme.get("flows")
    flow = flows.get("clientCredentials") if isinstance(flows, dict) else None
    url = flow.get("tokenUrl") if isinstance(flow, dict) else None
    return url if isinstance(url, str) and url else None


def _required_scopes(doc: Document, scheme_name: str) -> set[str]:
    """Every scope that the document's security requirements ask of ``scheme_name``."""
    requirements: list[Any] = []
    if isinstance(doc.root.get("security"), list):
        requirements += doc.root["security"]
    for _, item in path_items(doc.root):
        for operation in item.values() if isinstance(item, dict) else ():
            if isinstance(operation, dict) and isinstance(operation.get("security"), list):
                requirements += operation["security"]
    found: set[str] = set()
    for requirement in requirements:
        listed = requirement.get(scheme_name) if isinstance(requirement, dict) else None
        if isinstance(listed, list):
            found.update(scope for scope in listed if isinstance(scope, str) and scope)
    return found


def _propagate_usage(b: SchemaBuilder, usage: Usage) -> None:
    """Close request/response usage over model references (a model inside a response is one too)."""
    for seen in (usage.request, usage.response):
        queue = list(seen)
        while queue:
            name = queue.pop()
            refs: set[str] = set()
            if name in b.aliases:
                refs = set(b.aliases[name].type.refs)
            elif name in b.pending:
                for wire, prop, where in b.pending[name].properties:
                    refs |= b.type_of(prop, where, b.property_hint(where, wire, name)).refs
            for ref in refs - seen:
                seen.add(ref)
                queue.append(ref)


def _with_params(b: SchemaBuilder, models: list[ModelDef], operations: list[Operation]) -> list[ModelDef]:
    """Name the ``TypedDict`` of every model a request can carry, and the plain-data alias of
    every union of them: what the methods' arguments mention, the request bodies, and what
    their fields mention in turn (read-only fields excepted: a request never carries them).
    The names were allocated with the types (:meth:`SchemaBuilder.param_name`); the aliases
    in ``b.aliases`` are updated in place."""
    owner = {param: name for name, param in b.param_names.items()}
    by_name = {m.name: m for m in models}
    queue = [owner[p] for op in operations for p in sorted(op.param_refs)]
    queue += [op.body_model for op in operations if op.body_model]
    wanted: set[str] = set()
    while queue:
        name = queue.pop()
        if name in wanted:
            continue
        wanted.add(name)
        if name in by_name:
            queue.extend(owner[p] for f in by_name[name].request_fields for p in sorted(f.type.param_refs))
        elif name in b.aliases:
            queue.extend(owner[p] for p in sorted(b.aliases[name].type.param_refs))
    for name, alias in b.aliases.items():
        if name in wanted:
            b.aliases[name] = dataclasses.replace(alias, param_name=b.param_name(name))
    return [dataclasses.replace(m, param_name=b.param_name(m.name)) if m.name in wanted else m for m in models]


def _dependency_order(
    order: Iterable[str], models: dict[str, ModelDef], aliases: dict[str, AliasDef]
) -> tuple[ModelDef | AliasDef, ...]:
    """Definitions in an order Python can execute.

    An alias is evaluated when ``models.py`` runs, so everything it names comes first. A
    model's annotations are resolved lazily by pydantic, so a model may name what follows it
    (that is what makes recursion through unions work); its model dependencies still come
    first where they can, so the file reads from the parts to the whole.
    """
    out: list[ModelDef | AliasDef] = []
    state: dict[str, int] = {}

    def visit(name: str) -> None:
        if state.get(name):
            return
        state[name] = 1
        if name in aliases:
            for ref in sorted(aliases[name].type.refs):
                visit(ref)
            out.append(aliases[name])
        elif name in models:
            for ref in sorted(models[name].refs):
                if ref in models:
                    visit(ref)
            out.append(models[name])

    for name in order:
        visit(name)
    for name in models:
        visit(name)
    return tuple(out)
