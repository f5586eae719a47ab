"""Defaults: never sent on the caller's behalf; filled in when a response leaves them out."""

from __future__ import annotations

import json
from typing import Any

from cases.support import ok, wire


def check_defaults_are_not_sent(pkg: Any) -> None:
    client, sent = wire(pkg, ok({"id": "j1"}, 201))
    client.default.create_job(name="build")
    assert json.loads(sent[0].content) == {"name": "build"}
    assert sent[0].url.query == b""
    assert "x-mode" not in sent[0].headers


def check_values_equal_to_defaults_are_sent_when_given(pkg: Any) -> None:
    client, sent = wire(pkg, ok({"id": "j1"}, 201))
    client.default.create_job(name="build", retries=3, mode="slow", verbose=False, priority=5, x_mode="normal")
    assert json.loads(sent[0].content) == {"name": "build", "retries": 3, "mode": "slow", "verbose": False}
    assert sent[0].url.query == b"priority=5"
    assert sent[0].headers["X-Mode"] == "normal"


def check_scalar_defaults_fill_missing_response_fields(pkg: Any) -> None:
    client, _ = wire(pkg, ok({"id": "j1"}, 201))
    job = client.default.create_job(name="build")
    assert job.retries == 3
    assert job.mode == "slow"
    assert job.inherited_mode == "slow"
    assert job.verbose is False
    assert job.ratio == 0.5
    assert job.whole_ratio == 1
    assert job.timeout == 60


def check_null_overrides_a_nullable_default(pkg: Any) -> None:
    client, _ = wire(pkg, ok({"id": "j1", "timeout": None, "retries": 0}, 201))
    job = client.default.create_job(name="build")
    assert job.timeout is None and job.retries == 0


def check_request_model_defaults(pkg: Any) -> None:
    spec = pkg.models.JobSpec(name="build")
    assert (spec.retries, spec.mode, spec.verbose, spec.ratio, spec.label) == (3, "slow", False, 0.5, "none")


def check_array_and_object_defaults_fill_missing_response_fields(pkg: Any) -> None:
    client, _ = wire(pkg, ok({"id": "j1"}, 201))
    job = client.default.create_job(name="build")
    assert job.tags == []
    assert job.limits == {"cpu": 1}
    other = client.default.create_job(name="again")
    assert other.tags == [] and other.tags is not job.tags  # a fresh list each time
