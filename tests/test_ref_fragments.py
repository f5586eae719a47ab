"""``$ref`` fragments are percent-decoded before the JSON pointer is followed (RFC 3986 section
3.5, RFC 6901 section 6): ``application~1xml;%20charset=utf-8`` is the media type
``application/xml; charset=utf-8``, ``%7Bid%7D`` is ``{id}``, into ``paths`` and ``components``
alike, in the loader, the validator and the model."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from generator import cli
from generator.load import load

SPEC = """\
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /architectures/{id}:
    parameters:
      - {name: id, in: path, required: true, schema: {type: string}}
    get:
      operationId: getArchitecture
      responses:
        "401":
          description: denied
          content:
            application/xml; charset=utf-8:
              schema:
                type: object
                properties:
                  reason: {type: string}
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Machine%20Architecture'}
  /architectures/{id}/copy:
    get:
      operationId: getArchitectureCopy
      parameters:
        - $ref: '#/paths/~1architectures~1%7Bid%7D/parameters/0'
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema:
                $ref: '#/paths/~1architectures~1%7Bid%7D/get/responses/401/content/application~1xml;%20charset=utf-8/schema'
components:
  schemas:
    Machine Architecture:
      type: object
      properties:
        name: {type: string}
        percent: {$ref: '#/components/schemas/100%25'}
    100%:
      type: integer
"""


def test_percent_encoded_fragments_resolve(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "encoded.yaml"
    spec.write_text(SPEC)
    doc = load(spec)
    assert doc.resolve("#/components/schemas/100%")["type"] == "integer"
    assert cli.main(["validate", str(spec)]) == 0, capsys.readouterr().err
    assert cli.main(["generate", str(spec), "--out", str(tmp_path / "out"), "--package", "encoded", "--no-cache"]) == 0
    err = capsys.readouterr().err
    assert err == ""
    sys.path.insert(0, str(tmp_path / "out"))
    try:
        package = importlib.import_module("encoded")
        models = importlib.import_module("encoded.models")
    finally:
        sys.path.remove(str(tmp_path / "out"))
    assert {(m.http_method, m.path) for m in package.METHODS} == {("GET", "/architectures/{id}"), ("GET", "/architectures/{id}/copy")}
    assert models.MachineArchitecture(name="x", percent=3).percent == 3
    # the copy's response is the 401 media type's schema, reached through the encoded fragment
    assert "reason" in models.Schema.model_fields
    resource = (tmp_path / "out" / "encoded" / "resources" / "default.py").read_text()
    assert "def get_architecture_copy(\n        self,\n        *,\n        id: str," in resource
    assert ") -> Schema:" in resource


def test_a_fragment_that_does_not_decode_to_a_node_is_still_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "broken.yaml"
    spec.write_text(SPEC.replace("Machine%20Architecture'", "Machine%2520Architecture'"))
    assert cli.main(["generate", str(spec), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "error: broken.yaml#/paths/~1architectures~1{id}/get/responses/200/content/application~1json/schema/$ref" in err
    assert "does not resolve" in err
