"""Property-based conformance of the generated partner client (see tests/properties.py).

Request bodies of signup, activate and link are drawn from spec/partner-v2.yaml's schemas:
valid ones are sent exactly (undeclared properties included, nested and at the top level via
``extra_body``), invalid ones are refused before anything is sent; documented responses parse
strictly and undocumented ones never fail a lenient call. Blocking and asyncio clients both.
The feature cases run the same properties from tests/test_cases.py.
"""

from __future__ import annotations

import time

import confluent_partner_v2
from prism import REPO_ROOT, SPEC
from properties import EXAMPLES, check_spec


def test_partner_spec_properties() -> None:
    started = time.monotonic()
    checked = check_spec(confluent_partner_v2, REPO_ROOT / SPEC, modes=("sync", "async"))
    assert checked == ["signups.signup", "signups.activate_signup", "signups.signup_partner_v2_link"]
    assert EXAMPLES >= 25
    assert time.monotonic() - started < 120  # modest: a few seconds per operation


def test_runs_are_reproducible() -> None:
    """derandomize=True: the same bodies are drawn, in the same order, run after run."""
    first: list[object] = []
    second: list[object] = []
    for drawn in (first, second):
        check_spec(confluent_partner_v2, REPO_ROOT / SPEC, only="signups.activate_signup", drawn=drawn)
    assert len(first) >= EXAMPLES and first == second
