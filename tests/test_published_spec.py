"""From Confluent's published documents to our package: extract + spec/confluent-cloud.overlay.yaml.

Each published document in ``../shared/specs`` (the partner v2 service alone, and the whole
Cloud API), with the three signup operations extracted after our overlay, must generate the
public API of ``spec/partner-v2.yaml``: ``diff`` finds nothing breaking, and the conformance
tests against the documented tables pass on a package generated from it. Skipped when
``../shared`` is absent (the published documents are not ours to commit).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator import cli, diff

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = ROOT / "spec" / "partner-v2.yaml"
OVERLAY = ROOT / "spec" / "confluent-cloud.overlay.yaml"
PUBLISHED = ROOT.parent / "shared" / "specs"
OPERATIONS = "signup,activateSignup,signupPartnerV2Link"
DOCUMENTS = ["confluent-partner-v2-reference.yaml", "confluent-cloud-openapi.yaml"]


def published(name: str) -> Path:
    path = PUBLISHED / name
    if not path.is_file():
        pytest.skip(f"{path} is not here (../shared is absent)")
    return path


@pytest.fixture(scope="module", params=DOCUMENTS)
def extracted(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = published(request.param)
    out = tmp_path_factory.mktemp("extracted") / source.name
    assert cli.main(["extract", str(source), "--operations", OPERATIONS, "--overlay", str(OVERLAY), "-o", str(out)]) == 0
    return out


def test_extract_with_the_overlay_breaks_nothing(extracted: Path) -> None:
    report = diff.diff_specs(SPEC, extracted, package="confluent_partner_v2")
    assert not report.breaking, report.text()
    assert not [c for c in report.changes if c.kind == "risk"], report.text()
    # Renamed client, resource or models would show as breaking; the names are ours.
    assert not [c for c in report.changes if c.code.endswith(("-renamed", "-removed"))]


def test_without_the_overlay_much_would_break(tmp_path: Path) -> None:
    """The overlay is what makes the difference (the diff sees the published names)."""
    out = tmp_path / "raw.yaml"
    assert cli.main(["extract", str(published(DOCUMENTS[0])), "--operations", OPERATIONS, "-o", str(out)]) == 0
    report = diff.diff_specs(SPEC, out, package="confluent_partner_v2")
    codes = {c.code for c in report.changes if c.kind == "breaking"}
    assert {"client-renamed", "resource-renamed", "env-var-renamed", "model-renamed"} <= codes


@pytest.mark.parametrize("name", DOCUMENTS)
def test_conformance_passes_on_the_package_generated_from_the_published_spec(name: str, tmp_path: Path) -> None:
    source = published(name)
    out = tmp_path / "generated"
    code = cli.main(["generate", str(source), "--operations", OPERATIONS, "--overlay", str(OVERLAY), "--out", str(out), "--no-cache"])
    assert code == 0
    env = {**os.environ, "PYTHONPATH": str(out)}
    where = subprocess.run(
        [sys.executable, "-c", "import confluent_partner_v2; print(confluent_partner_v2.__file__)"],
        env=env, capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert Path(where).is_relative_to(out)  # the tests below import this package, not generated/
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(HERE / "test_conformance.py")],
        env=env, capture_output=True, text=True, cwd=ROOT, timeout=600,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout


def test_a_stale_overlay_stops_with_the_action_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Confluent renames a schema the overlay names: nothing is generated, the action is named."""
    source = published(DOCUMENTS[0])
    renamed = tmp_path / source.name
    renamed.write_text(source.read_text(encoding="utf-8").replace("Error_source", "ErrorSourceV3"), encoding="utf-8")
    out = tmp_path / "generated"
    code = cli.main(["generate", str(renamed), "--operations", OPERATIONS, "--overlay", str(OVERLAY), "--out", str(out), "--no-cache"])
    assert code == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert "error: confluent-cloud.overlay.yaml#/actions/" in err
    assert "target $.components.schemas.Error_source matches nothing in confluent-partner-v2-reference.yaml" in err
