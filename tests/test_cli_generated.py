"""The generated package's command line: ``python -m confluent_partner_v2 ...``.

End to end against the Prism mock server (``prism_url``), in a subprocess as a user runs it:
the documented commands succeed and print the response; API errors exit 1 with a readable
message; invalid input exits 2 before anything is sent; an unreachable API exits 3. A few
checks of what is sent run in process, through ``httpx.MockTransport``.
"""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from confluent_partner_v2 import METHODS, PartnerClient
from confluent_partner_v2._cli import main
from prism import free_port

ROOT = Path(__file__).resolve().parent.parent
API_MD = ROOT / "generated" / "api.md"
PROG = "python -m confluent_partner_v2"
SIGNUP_BODY: dict[str, Any] = {
    "organization": {"name": "Acme", "sso_config": {"kind": "AzureSSOConfig", "tenant_id": "b3a1c2d4"}},
    "entitlement": {
        "external_id": "1111-2222",
        "name": "Acme Prod",
        "plan_id": "confluent-cloud-payg-prod",
        "product_id": "confluent-cloud-kafka-service-azure",
    },
}
USER = {"email": "ops@acme.example", "given_name": "Ada", "family_name": "Lovelace"}
OK_BODY = {"organization_id": "org-1", "sso_url": "https://confluent.cloud/login/sso/acme"}


def run_cli(*args: str, cwd: Path | None = None, credentials: bool = True, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("CONFLUENT_", "PYTHONWARN"))}
    if credentials:
        environment.update(CONFLUENT_CLOUD_API_KEY="key", CONFLUENT_CLOUD_API_SECRET="secret")
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-m", "confluent_partner_v2", *args],
        cwd=cwd,
        env=environment,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def closed_url() -> str:
    """A loopback address nothing listens on: a request there fails to connect."""
    return f"http://127.0.0.1:{free_port()}"


# --------------------------------------------------------------------------- against Prism


def test_signup_dry_run_with_json_file(prism_url: str, tmp_path: Path) -> None:
    (tmp_path / "signup.json").write_text(json.dumps(SIGNUP_BODY), encoding="utf-8")
    done = run_cli("signups", "signup", "--dry-run", "--json", "@signup.json", "--base-url", prism_url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert set(body) >= {"organization_id", "sso_url"}


def test_activate_with_a_parameter_and_json(prism_url: str) -> None:
    done = run_cli(
        "signups", "activate_signup", "--organization_id", "org-1", "--json", json.dumps({"user": USER}),
        CONFLUENT_PARTNER_V2_BASE_URL=prism_url,  # the base URL from the environment
    )
    assert done.returncode == 0, done.stderr
    assert "organization_id" in json.loads(done.stdout)


def test_link_with_legacy_method_name_and_stdin(prism_url: str) -> None:
    body = {**SIGNUP_BODY, "organization": {"sso_config": SIGNUP_BODY["organization"]["sso_config"]}}
    done = run_cli(
        "signups", "signup_partner_v2link", "--token", "LINKING-TOKEN", "--json", "@-", "--base-url", prism_url,
        stdin=json.dumps(body),
    )
    assert done.returncode == 0, done.stderr
    assert "sso_url" in json.loads(done.stdout)


def test_bearer_token_from_the_environment(prism_url: str) -> None:
    done = run_cli(
        "signups", "signup", "--dry-run", "--json", json.dumps(SIGNUP_BODY), "--base-url", prism_url,
        credentials=False, CONFLUENT_CLOUD_BEARER_TOKEN="token",
    )
    assert done.returncode == 0, done.stderr


def api_md_commands() -> list[list[str]]:
    text = API_MD.read_text(encoding="utf-8")
    blocks = re.findall(r"^From the command line:\n\n(`{3,})sh\n(.*?)\n\1$", text, re.MULTILINE | re.DOTALL)
    return [shlex.split(code) for _, code in blocks]


def test_api_md_has_a_command_per_method() -> None:
    commands = api_md_commands()
    assert [c[4] for c in commands] == [m.name for m in METHODS]
    assert all(c[:4] == ["python", "-m", "confluent_partner_v2", "signups"] for c in commands)


@pytest.mark.parametrize("index", range(len(METHODS)), ids=[m.name for m in METHODS])
def test_documented_command_runs_against_prism(prism_url: str, index: int) -> None:
    command = api_md_commands()[index]
    done = run_cli(*command[3:], "--base-url", prism_url)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["organization_id"]


def test_api_error_exit_1_with_readable_message(prism_url: str) -> None:
    done = run_cli(
        "signups", "signup", "--json", json.dumps(SIGNUP_BODY), "--base-url", prism_url,
        "--header", "Prefer: code=409",  # Prism answers with the documented 409 example
    )
    assert done.returncode == 1, done.stderr
    assert done.stdout == ""
    assert "POST /partner/v2/signup failed with 409 Conflict" in done.stderr
    assert "request id:" in done.stderr
    assert "already_exists: Already Exists: This signup has already been completed." in done.stderr
    assert "Traceback" not in done.stderr


def test_prism_refuses_a_request_it_finds_invalid(prism_url: str) -> None:
    # A 5XX from the mock: retried, then reported with its status.
    done = run_cli(
        "signups", "activate_signup", "--organization_id", "o", "--json", json.dumps({"user": USER}),
        "--base-url", prism_url, "--header", "Prefer: code=500", "--max-retries", "0",
    )
    assert done.returncode == 1
    assert "failed with 500" in done.stderr and "internal_error" in done.stderr


# --------------------------------------------------------------------------- help


def test_help_lists_every_method_with_its_params() -> None:
    done = run_cli("--help")
    assert done.returncode == 0, done.stderr
    for info in METHODS:
        line = next(line for line in done.stdout.splitlines() if line.strip().startswith(info.name + " "))
        for name in info.required:
            assert f"--{name} ..." in line and f"[--{name} ...]" not in line
        for name in info.optional:
            assert f"[--{name} ...]" in line
    assert "exit status" in done.stdout and "CONFLUENT_CLOUD_API_KEY" in done.stdout


def test_method_help() -> None:
    done = run_cli("signups", "signup", "--help")
    assert done.returncode == 0, done.stderr
    assert "POST /partner/v2/signup" in done.stdout
    assert re.search(r"--organization\s+required", done.stdout)
    assert re.search(r"--dry_run\s+optional\s+bool", done.stdout)


def test_no_arguments_is_a_usage_error() -> None:
    done = run_cli()
    assert done.returncode == 2
    assert "missing RESOURCE and METHOD" in done.stderr and "signup" in done.stderr


# --------------------------------------------------------------------------- invalid input: exit 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "signup"], "unknown resource 'nope'"),
        (["signups", "nope"], "unknown method 'nope' of signups"),
        (["signups", "signup", "--bogus", "1"], "unknown parameter --bogus"),
        (["signups", "signup", "--json", "{not json"], "--json is not valid JSON"),
        (["signups", "signup", "--json", "@missing.json"], "cannot read missing.json"),
        (["signups", "signup", "--json", "[1, 2]"], "must be a JSON object"),
        (["signups", "signup", "--json", '{"organisation": {}}'], "unknown field(s) in --json"),
        (["signups", "signup"], "needs --organization, --entitlement"),
        (["signups", "signup", "--dry_run"], "needs --organization"),
        (["signups", "activate_signup", "--organization_id"], "--organization_id needs a value"),
        (["signups", "activate_signup", "-x"], "unknown option '-x'"),
        (["signups", "activate_signup", "--max-retries", "many"], "--max-retries needs a whole number"),
    ],
)
def test_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    done = run_cli(*args, "--base-url", closed_url(), cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert done.stderr.startswith(f"{PROG}: error: ") or "usage:" in done.stderr


def test_validation_error_names_the_field_and_sends_nothing() -> None:
    # The base URL refuses connections: had anything been sent, the exit status would be 3.
    body = {"user": {"email": "not-an-email", "given_name": "Ada"}}
    done = run_cli("signups", "activate_signup", "--organization_id", "o", "--json", json.dumps(body), "--base-url", closed_url())
    assert done.returncode == 2, done.stderr
    assert "nothing was sent" in done.stderr
    assert "user.email" in done.stderr and "user.family_name: Field required" in done.stderr


def test_parameter_type_is_checked_before_sending() -> None:
    done = run_cli("signups", "signup", "--dry_run=maybe", "--json", json.dumps(SIGNUP_BODY), "--base-url", closed_url())
    assert done.returncode == 2
    assert "query.dry_run" in done.stderr


def test_missing_credentials() -> None:
    done = run_cli("signups", "signup", "--json", json.dumps(SIGNUP_BODY), credentials=False, CONFLUENT_CLOUD_BEARER_TOKEN="")
    assert done.returncode == 2
    assert "no credentials" in done.stderr and "CONFLUENT_CLOUD_API_KEY" in done.stderr


def test_secret_is_not_echoed_in_validation_errors() -> None:
    body = {**SIGNUP_BODY, "token": ["SECRET-TOKEN"]}
    done = run_cli("signups", "signup_partner_v2_link", "--json", json.dumps(body), "--base-url", closed_url())
    assert done.returncode == 2
    assert "token" in done.stderr and "SECRET-TOKEN" not in done.stderr


# --------------------------------------------------------------------------- connection errors: exit 3


def test_unreachable_api_exit_3() -> None:
    done = run_cli(
        "signups", "activate_signup", "--organization_id", "o", "--json", json.dumps({"user": USER}),
        "--base-url", closed_url(), "--max-retries", "0",
    )
    assert done.returncode == 3, done.stderr
    assert "Connection error" in done.stderr and "/partner/v2/signup/activate" in done.stderr


# --------------------------------------------------------------------------- local dry run


def test_dry_run_without_a_dry_run_parameter_prints_the_request() -> None:
    done = run_cli(
        "signups", "activate_signup", "--dry-run", "--organization_id", "o", "--json", json.dumps({"user": USER}),
        "--base-url", closed_url(),
    )
    assert done.returncode == 0, done.stderr
    request = json.loads(done.stdout)
    assert request["method"] == "POST" and request["url"].endswith("/partner/v2/signup/activate")
    assert request["json"] == {"user": USER, "organization_id": "o"}
    assert "nothing was sent" in done.stderr


# --------------------------------------------------------------------------- in process


class Client(PartnerClient):
    """The client with fixed credentials (the CLI passes base_url and http_client)."""

    def __init__(self, **options: Any) -> None:
        super().__init__(api_key="k", api_secret="s", **options)


def call(handler: Callable[[httpx.Request], httpx.Response], *args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with httpx.Client(transport=httpx.MockTransport(handler)) as http:
        code = main(
            list(args), client_class=Client, prog=PROG, base_url_env="CONFLUENT_PARTNER_V2_BASE_URL",
            stdin=io.StringIO(stdin), stdout=out, stderr=err, http_client=http,
        )
    return code, out.getvalue(), err.getvalue()


def test_what_is_sent() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        return httpx.Response(201, json=OK_BODY, headers={"X-Request-Id": "req-1"})

    code, out, err = call(
        handler, "signups", "signup", "--dry-run", "--json", json.dumps(SIGNUP_BODY),
        "--user", json.dumps(USER), "--header", "X-Trace: abc", "--base-url", "http://127.0.0.1:9",
    )
    assert (code, err) == (0, "")
    assert json.loads(out) == OK_BODY
    [request] = sent
    assert str(request.url) == "http://127.0.0.1:9/partner/v2/signup?dry_run=true"
    assert request.headers["X-Trace"] == "abc"
    assert request.headers["Authorization"].startswith("Basic ")
    assert json.loads(request.content) == {**SIGNUP_BODY, "user": USER}


def test_names_are_matched_loosely() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        return httpx.Response(201, json=OK_BODY)

    code, _, err = call(
        handler, "Signups", "activate-signup", "--organization-id=o", "--json", json.dumps({"user": USER}),
    )
    assert code == 0, err
    assert json.loads(sent[0].content)["organization_id"] == "o"


def test_string_parameters_stay_strings() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        request.read()
        sent.append(request)
        return httpx.Response(201, json=OK_BODY)

    code, _, err = call(handler, "signups", "activate_signup", "--organization_id", "123", "--json", json.dumps({"user": USER}))
    assert code == 0, err
    assert json.loads(sent[0].content)["organization_id"] == "123"


def test_given_twice_is_an_error() -> None:
    code, _, err = call(
        lambda r: httpx.Response(500), "signups", "activate_signup", "--organization_id", "o",
        "--json", json.dumps({"user": USER, "organization_id": "p"}),
    )
    assert code == 2
    assert "organization_id was given twice" in err


def test_error_without_error_envelope() -> None:
    code, out, err = call(
        lambda r: httpx.Response(404, json={"title": "Not Found", "detail": "no such route"}),
        "signups", "activate_signup", "--organization_id", "o", "--json", json.dumps({"user": USER}),
    )
    assert (code, out) == (1, "")
    assert "failed with 404 Not Found" in err and "Not Found: no such route" in err
