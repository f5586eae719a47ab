"""The comparison itself: methods, arguments, models, fields, aliases, client and credentials."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable

from ..ir import AliasDef, Api, FieldDef, ModelDef, Operation, Param
from ..load import Document
from .report import Change, Direction, Kind
from .types import Finding, annotations_of, compare_types, renamed_definitions
from .usage import Locator, Usage, identifiers, usage

__all__ = [
    "Differ",
]


def _by_key(ops: Iterable[tuple[str, Operation]]) -> dict[tuple[str, str], Operation]:
    return {(attribute, op.method_name): op for attribute, op in ops}


def _param_key(params: Iterable[Param]) -> dict[str, Param]:
    out: dict[str, Param] = {}
    for p in params:
        key = p.wire_name if p.wire_name not in out else f"{p.wire_name}@{p.location}"
        out[key] = p
    return out


class Differ:
    def __init__(self, old: Api, new: Api, old_doc: Document | None, new_doc: Document | None) -> None:
        self.old, self.new = old, new
        self.old_loc, self.new_loc = Locator(old, old_doc), Locator(new, new_doc)
        self.names = frozenset(d.name for d in (*old.definitions, *new.definitions))
        self.old_usage, self.new_usage = usage(old), usage(new)
        self.renames = renamed_definitions(old, new)
        self.changes: list[Change] = []

    def types(self, old: str, new: str, direction: Direction) -> list[Finding]:
        return compare_types(old, new, direction, self.names, self.renames)

    def add(self, kind: Kind, code: str, subject: str, message: str, location: str | Callable[[], str]) -> None:
        """Record a change; ``location`` may be a function, called only now (finding one
        can mean searching the document, which unchanged things never need)."""
        self.changes.append(Change(kind, code, subject, message, location if isinstance(location, str) else location()))

    def mentions_renamed(self, annotations: Iterable[str]) -> bool:
        """Whether any annotation names a renamed definition (so it differs once translated)."""
        renames = self.renames
        return bool(renames) and any(not renames.keys().isdisjoint(identifiers(a)) for a in annotations)

    def run(self) -> None:
        self.client()
        self.operations()
        self.definitions()

    # ---------------------------------------------------------------- client
    def client(self) -> None:
        old, new = self.old, self.new
        if old.client_name != new.client_name:
            self.add(
                "breaking", "client-renamed", f"{new.package}.{new.client_name}",
                f"the client class {old.client_name} (and Async{old.client_name}) is now {new.client_name}",
                self.new_loc.at("/info/x-client-name"),
            )
        self.credentials()
        if old.server_url != new.server_url:
            self.add(
                "compatible", "server-url-changed", "DEFAULT_BASE_URL",
                f"the default base URL changed from {old.server_url!r} to {new.server_url!r}",
                self.new_loc.at("/servers/0/url"),
            )

    def credentials(self) -> None:
        """What the client takes and the environment variables it reads (``x-env-vars``)."""
        old, new = self.old.auth, self.new.auth
        where = self.new_loc.at("/components/securitySchemes")
        client = f"{self.new.package}.{self.new.client_name}"
        for kind, label, args in (("basic", "API key and secret", "api_key/api_secret"), ("bearer", "bearer token", "bearer_token")):
            had, has = getattr(old, kind), getattr(new, kind)
            if had and not has:
                self.add("breaking", "credentials-removed", client, f"the client no longer takes a {label} ({args})", where)
            elif has and not had:
                self.add("compatible", "credentials-added", client, f"the client now takes a {label} ({args})", where)
        for attr, what, used in (
            ("key_env", "API key", old.basic and new.basic),
            ("secret_env", "API secret", old.basic and new.basic),
            ("token_env", "bearer token", old.bearer and new.bearer),
        ):
            was, now = getattr(old, attr), getattr(new, attr)
            if used and was != now:
                self.add(
                    "breaking", "env-var-renamed", f"{client}(${was})",
                    f"the client reads the {what} from ${now} instead of ${was} (x-env-vars)",
                    where,
                )
        if self.old.log_env != self.new.log_env:
            self.add(
                "breaking", "env-var-renamed", f"{self.new.package}.logging(${self.old.log_env})",
                f"debug logging is switched on by ${self.new.log_env} instead of ${self.old.log_env} (x-log-env)",
                self.new_loc.at("/info/x-log-env"),
            )

    # ---------------------------------------------------------------- operations
    def resource_renames(self) -> dict[str, str]:
        """Old resource attribute -> new one, for resources that are gone from the new API
        while every one of their operations (by operationId) is now in one new resource."""
        old_attrs = {r.attribute: r for r in self.old.resources}
        new_attrs = {r.attribute: r for r in self.new.resources}
        by_id = {op.operation_id: r.attribute for r in self.new.resources for op in r.operations}
        renames: dict[str, str] = {}
        for attr, resource in old_attrs.items():
            if attr in new_attrs:
                continue
            targets = {by_id.get(op.operation_id) for op in resource.operations}
            if len(targets) == 1:
                target = targets.pop()
                if target is not None and target not in old_attrs and target not in renames.values():
                    renames[attr] = target
        for old_attr, new_attr in renames.items():
            self.add(
                "breaking", "resource-renamed", f"client.{old_attr}",
                f"resource renamed to client.{new_attr} (calls through client.{old_attr} fail)",
                self.new_loc.operation(new_attrs[new_attr].operations[0]),
            )
        return renames

    def operations(self) -> None:
        renamed_resources = self.resource_renames()
        old_ops = _by_key((renamed_resources.get(r.attribute, r.attribute), op) for r in self.old.resources for op in r.operations)
        new_ops = _by_key((r.attribute, op) for r in self.new.resources for op in r.operations)
        unmatched_new = {k: v for k, v in new_ops.items() if k not in old_ops}
        for key, old_op in old_ops.items():
            subject = ".".join(key)
            if key in new_ops:
                new_op = new_ops[key]
                # An identical operation has nothing to report: every check below compares its
                # old and new attributes, except that types are translated through renames.
                if old_op != new_op or self.mentions_renamed(p.runtime_type for p in old_op.params):
                    self.operation(subject, old_op, new_op)
                continue
            renamed = next((k for k, op in unmatched_new.items() if op.operation_id == old_op.operation_id), None)
            if renamed is None:
                renamed = next(
                    (k for k, op in unmatched_new.items() if (op.http_method, op.path) == (old_op.http_method, old_op.path)),
                    None,
                )
            if renamed is None:
                self.add(
                    "breaking", "method-removed", subject,
                    f"method removed ({old_op.http_method} {old_op.path}, operationId {old_op.operation_id!r})",
                    self.old_loc.operation(old_op),
                )
                continue
            new_op = unmatched_new.pop(renamed)
            new_subject = ".".join(renamed)
            self.add(
                "breaking", "method-renamed", subject,
                f"method renamed to {new_subject} ({new_op.http_method} {new_op.path}, operationId {new_op.operation_id!r})",
                self.new_loc.operation(new_op),
            )
            self.operation(new_subject, old_op, new_op)
        for key, new_op in unmatched_new.items():
            self.add(
                "compatible", "method-added", ".".join(key),
                f"new method ({new_op.http_method} {new_op.path})",
                self.new_loc.operation(new_op),
            )

    def operation(self, subject: str, old: Operation, new: Operation) -> None:
        where = self.new_loc.operation(new)
        if old.success_status != new.success_status:
            self.add("breaking", "success-status-changed", subject, f"success status changed from {old.success_status} to {new.success_status}", where)
        if (old.http_method, old.path) != (new.http_method, new.path):
            self.add("compatible", "endpoint-changed", subject, f"now calls {new.http_method} {new.path} (was {old.http_method} {old.path})", where)
        if old.response_type != new.response_type:
            if old.response_type == "None":
                self.add("compatible", "response-type-changed", subject, f"now returns `{new.response_type}` (returned None)", where)
            elif new.response_type == "None":
                self.add("breaking", "response-type-changed", subject, f"now returns None (returned `{old.response_type}`)", where)
            else:
                for f in self.types(old.response_type, new.response_type, "response"):
                    code = "response-type-changed" if f.code == "type-changed" else f.code
                    self.add(f.kind, code, subject, f"return {f.message}" if code == "response-type-changed" else f.message, where)
        if (old.summary, old.description) != (new.summary, new.description):
            self.add("compatible", "description-changed", subject, "summary or description changed", where)
        old_params, new_params = _param_key(old.params), _param_key(new.params)
        for key, op in old_params.items():
            arg = f"{subject}({op.name})"
            if key not in new_params:
                self.add("breaking", "param-removed", arg, f"argument {op.name} ({op.location} {op.wire_name!r}) was removed", self.old_loc.param(old, op))
                continue
            np = new_params[key]
            loc = functools.partial(self.new_loc.param, new, np)
            if np.name != op.name:
                self.add("breaking", "param-renamed", arg, f"argument {op.name} is now called {np.name}", loc)
                arg = f"{subject}({np.name})"
            if np.required and not op.required:
                self.add("breaking", "param-became-required", arg, f"argument {np.name} is now required", loc)
            elif op.required and not np.required:
                self.add("compatible", "param-became-optional", arg, f"argument {np.name} is now optional", loc)
            if np.location != op.location:
                self.add("compatible", "param-moved", arg, f"now sent in the {np.location} (was {op.location})", loc)
            for f in self.types(op.runtime_type, np.runtime_type, "request"):
                self.add(f.kind, "param-type-changed" if f.code == "type-changed" else f.code, arg, f.message, loc)
            if op.description != np.description:
                self.add("compatible", "description-changed", arg, "description changed", loc)
        for key, np in new_params.items():
            if key in old_params:
                continue
            arg = f"{subject}({np.name})"
            loc = functools.partial(self.new_loc.param, new, np)
            if np.required:
                self.add("breaking", "required-param-added", arg, f"new required argument {np.name} ({np.location} {np.wire_name!r})", loc)
            else:
                self.add("compatible", "param-added", arg, f"new optional argument {np.name} ({np.location} {np.wire_name!r})", loc)

    # ---------------------------------------------------------------- models
    def directions(self, name: str) -> list[Direction] | None:
        """How callers meet a model in the new API; ``None`` when its fields need no comparison.

        A model that only a method's body is made of is compared as that method's arguments.
        A model no method uses any more is reported once (``model-unused``) by the caller.
        """
        new, old = self.new_usage, self.old_usage
        out: list[Direction] = []
        if name in new.request:
            out.append("request")
        if name in new.response:
            out.append("response")
        if out:
            return out
        if name in new.body:
            return None
        if name in old.request or name in old.response or name in old.body:
            return None
        return ["request", "response"]  # used by no method in either: importable, so either way

    @staticmethod
    def used(found: Usage, name: str) -> bool:
        return name in found.request or name in found.response or name in found.body

    def definitions(self) -> None:
        old_defs = {d.name: d for d in self.old.definitions}
        new_defs = {d.name: d for d in self.new.definitions}
        for name, old_def in old_defs.items():
            subject = f"models.{name}"
            new_def = new_defs.get(name)
            if new_def is None and name in self.renames:
                new_def = new_defs[self.renames[name]]
                self.add("breaking", "model-renamed", subject, f"renamed to models.{new_def.name} (imports of {name} fail)", self.new_loc.definition(new_def.name))
                subject = f"models.{new_def.name}"
            elif new_def is None:
                self.add("breaking", "model-removed", subject, f"{name} is no longer generated (imports of it fail)", self.old_loc.definition(name))
                continue
            self.definition(subject, old_def, new_def)
        targets = set(self.renames.values())
        for name, new_def in new_defs.items():
            if name not in old_defs and name not in targets:
                self.add("compatible", "model-added", f"models.{name}", "new model" if isinstance(new_def, ModelDef) else "new type alias", self.new_loc.definition(name))

    def definition(self, subject: str, old: ModelDef | AliasDef, new: ModelDef | AliasDef) -> None:
        where = functools.partial(self.new_loc.definition, new.name)
        if old.description != new.description:
            self.add("compatible", "description-changed", subject, "description changed", where)
        if isinstance(old, ModelDef) and isinstance(new, ModelDef):
            self.redaction(subject, old, new)
        directions = self.directions(new.name)
        if directions is None:
            if not self.used(self.new_usage, new.name):
                self.add("compatible", "model-unused", subject, "no method uses it any more", where)
            return
        if old == new and not self.mentions_renamed(annotations_of(old)):
            return  # identical (how it is used may differ, but that only matters to changes)
        if isinstance(old, AliasDef) and isinstance(new, AliasDef):
            for direction in directions:
                for f in self.types(old.type.annotation, new.type.annotation, direction):
                    self.add(f.kind, f.code, subject, f.message, where)
            return
        if not (isinstance(old, ModelDef) and isinstance(new, ModelDef)):
            was, now = ("model", "type alias") if isinstance(old, ModelDef) else ("type alias", "model")
            self.add("breaking", "type-changed", subject, f"was a {was}, now a {now}", where)
            return
        old_fields = {f.wire_name: f for f in old.fields}
        new_fields = {f.wire_name: f for f in new.fields}
        for wire, of in old_fields.items():
            nf = new_fields.get(wire)
            if nf is None:
                self.field_removed(subject, new.name, of, directions)
            else:
                self.field(subject, new.name, of, nf, directions)
        for wire, nf in new_fields.items():
            if wire in old_fields:
                continue
            at = f"{subject}.{nf.name}"
            loc = functools.partial(self.new_loc.field, new.name, wire)
            if "request" in directions and nf.required and not nf.read_only:
                self.add("breaking", "required-field-added", at, f"new required field {nf.name} ({wire!r}) must be given", loc)
            else:
                self.add("compatible", "field-added", at, f"new {'required' if nf.required else 'optional'} field {nf.name} ({wire!r})", loc)

    def redaction(self, subject: str, old: ModelDef, new: ModelDef) -> None:
        """``x-redact`` decides whether a secret shows in ``repr()``, logs and errors: losing
        it is breaking even though no signature changes (whatever the model's use)."""
        new_fields = {f.wire_name: f for f in new.fields}
        for of in old.fields:
            nf = new_fields.get(of.wire_name)
            if nf is None or of.redact == nf.redact:
                continue
            loc = functools.partial(self.new_loc.field, new.name, nf.wire_name)
            if of.redact:
                self.add(
                    "breaking", "redaction-removed", f"{subject}.{nf.name}",
                    f"field {nf.name} is no longer redacted (x-redact): its value now shows in repr(), logs and validation errors",
                    loc,
                )
            else:
                self.add("compatible", "redaction-added", f"{subject}.{nf.name}", f"field {nf.name} is now redacted (x-redact) in repr(), logs and errors", loc)

    def field_removed(self, subject: str, model: str, of: FieldDef, directions: list[Direction]) -> None:
        at = f"{subject}.{of.name}"
        loc = functools.partial(self.old_loc.field, model, of.wire_name)
        if "response" in directions:
            self.add("breaking", "response-field-removed", at, f"field {of.name} ({of.wire_name!r}) is no longer in responses", loc)
        if "request" in directions:
            self.add("breaking", "request-field-removed", at, f"field {of.name} ({of.wire_name!r}) can no longer be sent", loc)

    def field(self, subject: str, model: str, of: FieldDef, nf: FieldDef, directions: list[Direction]) -> None:
        at = f"{subject}.{nf.name}"
        loc = functools.partial(self.new_loc.field, model, nf.wire_name)
        if of.name != nf.name:
            self.add("breaking", "field-renamed", f"{subject}.{of.name}", f"attribute {of.name} is now {nf.name}", loc)
        if of.required and not nf.required:
            if "response" in directions:
                self.add("breaking", "response-field-became-optional", at, f"field {nf.name} may now be absent (None) in responses", loc)
            else:
                self.add("compatible", "field-became-optional", at, f"field {nf.name} is now optional", loc)
        elif nf.required and not of.required:
            if "request" in directions and not nf.read_only:
                self.add("breaking", "field-became-required", at, f"field {nf.name} is now required", loc)
            else:
                self.add("compatible", "field-became-required", at, f"field {nf.name} is now always present", loc)
        for direction in directions:
            for f in self.types(of.type.annotation, nf.type.annotation, direction):
                self.add(f.kind, "field-type-changed" if f.code == "type-changed" else f.code, at, f.message, loc)
        if of.description != nf.description:
            self.add("compatible", "description-changed", at, "description changed", loc)
