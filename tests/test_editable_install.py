"""The development install is one that editors and type checkers can follow.

setuptools' default editable install resolves packages through an import hook, which pyright
(and so VS Code's Pylance) cannot see: every type from the checkout shows as Unknown. The
Makefile installs both projects as plain path entries instead; this checks it with pyright, as an
editor would resolve a user's file.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYRIGHT = ROOT / "node_modules" / ".bin" / "pyright"

USER_FILE = """\
from confluent_partner_v2 import PartnerClient
from confluent_partner_v2.models import SignupOrganization
from generator.cli import main

reveal_type(PartnerClient)
reveal_type(SignupOrganization)
reveal_type(main)
"""


def test_pyright_resolves_the_checkouts_through_the_venv(tmp_path: Path) -> None:
    if not PYRIGHT.exists():
        pytest.skip("pyright is installed by `npm ci` (make test)")
    if shutil.which("node") is None:
        pytest.skip("pyright needs node")
    user = tmp_path / "user.py"
    user.write_text(USER_FILE)
    done = subprocess.run(
        [str(PYRIGHT), "--outputjson", "--pythonpath", sys.executable, str(user)],
        capture_output=True, text=True, timeout=300, check=False, cwd=tmp_path,
    )
    report = json.loads(done.stdout)
    messages = [d["message"] for d in report["generalDiagnostics"]]
    assert not [m for m in messages if "could not be resolved" in m or "Unknown" in m], messages
    revealed = [m for m in messages if m.startswith("Type of")]
    assert len(revealed) == 3, messages
    assert 'Type of "PartnerClient" is "type[PartnerClient]"' in revealed
    assert 'Type of "SignupOrganization" is "type[SignupOrganization]"' in revealed
    assert revealed[2].startswith('Type of "main" is "(argv: ')


def test_the_venv_has_no_import_hook_for_the_checkouts() -> None:
    """Both projects are found through a plain path line in a .pth file, not a finder module."""
    site = next(Path(p) for p in sys.path if p.endswith("site-packages"))
    hooks = sorted(p.name for p in site.glob("__editable__*finder*.py"))
    assert hooks == [], hooks
    entries = {line.strip() for pth in site.glob("__editable__*.pth") for line in pth.read_text().splitlines()}
    if not entries:
        pytest.skip("not an editable development install")
    assert {str(ROOT), str(ROOT / "generated")} <= entries
