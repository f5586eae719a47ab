"""``import confluent_partner_v2`` is cheap: public names load on first use, and all of them load."""

from __future__ import annotations

import json
import subprocess
import sys

import confluent_partner_v2
import pytest


def _run(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout


def test_importing_the_package_does_not_import_httpx_pydantic_or_the_models() -> None:
    loaded = json.loads(
        _run("import sys, json, confluent_partner_v2; print(json.dumps(sorted(sys.modules)))")
    )
    for heavy in ("httpx", "pydantic", "confluent_partner_v2.models", "confluent_partner_v2._client"):
        assert heavy not in loaded


def test_first_use_of_a_name_loads_its_module() -> None:
    out = _run(
        "import sys, confluent_partner_v2 as p\n"
        "before = 'confluent_partner_v2._client' in sys.modules\n"
        "client = p.PartnerClient\n"
        "print(before, 'confluent_partner_v2._client' in sys.modules, client.__module__)"
    )
    assert out.split() == ["False", "True", "confluent_partner_v2._client"]


@pytest.mark.parametrize("name", confluent_partner_v2.__all__)
def test_every_exported_name_resolves(name: str) -> None:
    value = getattr(confluent_partner_v2, name)
    assert value is not None
    assert name in dir(confluent_partner_v2)


def test_the_lazy_names_are_the_real_objects() -> None:
    from confluent_partner_v2 import models
    from confluent_partner_v2._client import PartnerClient
    from confluent_partner_v2._exceptions import APIError

    assert confluent_partner_v2.PartnerClient is PartnerClient
    assert confluent_partner_v2.APIError is APIError
    assert confluent_partner_v2.models is models


def test_star_import_gives_every_exported_name() -> None:
    namespace: dict[str, object] = {}
    exec("from confluent_partner_v2 import *", namespace)
    assert set(confluent_partner_v2.__all__) <= set(namespace)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'PartnerKlient'"):
        _ = confluent_partner_v2.PartnerKlient  # type: ignore[attr-defined]
    with pytest.raises(ImportError):
        exec("from confluent_partner_v2 import PartnerKlient", {})
