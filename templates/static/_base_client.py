"""The request machinery every generated client shares: build, send, check, parse.

Generated resource methods describe a call (method, path template, arguments, the body model,
the response type) and hand it to :meth:`SyncAPIClient.request` or
:meth:`AsyncAPIClient.request`. Building the request and reading the response are plain
functions shared by both; only sending differs.
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import os
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Self, TypeVar, cast

import httpx
from pydantic import BaseModel, TypeAdapter
from pydantic import ValidationError as PydanticValidationError

from . import _retries
from ._exceptions import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    status_error_class,
)
from ._lazy_resource import lazy_resources
from ._lenient import LENIENT_CONTEXT, construct_lenient
from ._logs import logger
from ._models import REQUEST_CONTEXT, Model, redact_validation_error, request_json
from ._oauth import ClientCredentialsAuth
from ._params import cookie_header, format_path, header_values, query_pairs, scalar
from ._response import APIResponse, wants_raw
from ._types import OMIT, Omit, TimeoutTypes

__all__ = [
    "DEFAULT_TIMEOUT",
    "AsyncAPIClient",
    "BearerAuth",
    "CredentialSources",
    "ResponseList",
    "SyncAPIClient",
    "build_body",
    "credentials_auth",
]

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)
"""60 s for the whole exchange, 10 s to connect."""
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=100)
"""Keep every connection the pool may open: with httpx's default of 20 idle ones, a burst of
concurrent calls closes and reopens connections (a TLS handshake each) instead of reusing them."""

T = TypeVar("T")
_HttpT = TypeVar("_HttpT", httpx.Client, httpx.AsyncClient)
_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}
_URLS: dict[str, httpx.URL] = {}
_MAX_URLS = 1024
_NO_STYLES: Mapping[str, Mapping[str, tuple[str, bool]]] = {}


def _adapter(tp: Any) -> TypeAdapter[Any]:
    adapter = _ADAPTERS.get(tp)
    if adapter is None:
        adapter = _ADAPTERS[tp] = TypeAdapter(tp)
    return adapter


def _static_url(text: str) -> httpx.URL:
    """``httpx.URL(text)``, parsed once per URL: paths without parameters repeat call after call."""
    url = _URLS.get(text)
    if url is None:
        if len(_URLS) >= _MAX_URLS:  # many base URLs (``with_options``): start again
            _URLS.clear()
        url = _URLS[text] = httpx.URL(text)
    return url


class BearerAuth(httpx.Auth):
    """``Authorization: Bearer <token>``; the token never appears in ``repr``."""

    def __init__(self, token: str) -> None:
        self._header = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self._header
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(token='**********')"


@dataclass(frozen=True, slots=True)
class CredentialSources:
    """What a spec says about credentials: where to find them, and where to get a token."""

    key_env: str | None = None
    secret_env: str | None = None
    token_env: str | None = None
    client_id_env: str | None = None
    client_secret_env: str | None = None
    token_url: str | None = None
    """The OAuth 2.0 client-credentials token endpoint (``None``: the spec declares no flow)."""
    scopes: tuple[str, ...] = ()


def credentials_auth(
    sources: CredentialSources,
    *,
    api_key: str | None = None,
    api_secret: str | None = None,
    bearer_token: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
    auth: httpx.Auth | None = None,
) -> httpx.Auth:
    """Pick the credentials: explicit arguments first, then the environment.

    Exactly one kind may be given explicitly (an API key pair, a bearer token, an OAuth client
    ID and secret, or any ``httpx.Auth``); with none given, the environment is read in that
    order: an API key pair, then an OAuth client, then a bearer token.
    """
    kinds = [
        kind
        for kind, given in (
            ("api_key/api_secret", api_key is not None or api_secret is not None),
            ("bearer_token", bearer_token is not None),
            ("client_id/client_secret", client_id is not None or client_secret is not None),
            ("auth", auth is not None),
        )
        if given
    ]
    if len(kinds) > 1:
        raise ValueError(f"pass either {' or '.join(kinds)}, not both")
    if auth is not None:
        return auth
    if bearer_token is not None:
        return BearerAuth(bearer_token)
    if not kinds:
        env = os.environ.get
        api_key = env(sources.key_env) if sources.key_env else None
        api_secret = env(sources.secret_env) if sources.secret_env else None
        if api_key is None and api_secret is None:
            client_id = env(sources.client_id_env) if sources.client_id_env else None
            client_secret = env(sources.client_secret_env) if sources.client_secret_env else None
            if not (client_id and client_secret):
                token = env(sources.token_env) if sources.token_env else None
                if token:
                    return BearerAuth(token)
    if client_id and client_secret and sources.token_url is not None:
        return ClientCredentialsAuth(
            client_id, client_secret, token_url=sources.token_url, scopes=sources.scopes
        )
    if api_key and api_secret and sources.key_env is not None:
        return httpx.BasicAuth(api_key, api_secret)
    raise ValueError(f"no credentials: {_credentials_hint(sources)}")


def _credentials_hint(sources: CredentialSources) -> str:
    """What the caller may pass or set instead."""
    ways: list[str] = []
    names: list[str] = []
    if sources.key_env:
        ways.append("api_key and api_secret")
        names += [sources.key_env, sources.secret_env or ""]
    if sources.token_url is not None:
        ways.append("client_id and client_secret")
        names += [sources.client_id_env or "", sources.client_secret_env or ""]
    if sources.token_env:
        ways.append("bearer_token")
        names.append(sources.token_env)
    ways.append("auth")
    names = [n for n in names if n]
    return "pass " + ", or ".join(ways) + (f"; or set {', '.join(names)}" if names else "")


def validate_params(
    title: str, location: str, values: Mapping[str, object], types: Mapping[str, Any]
) -> dict[str, object]:
    """Validate query, path or header arguments against their documented types.

    Omitted arguments stay omitted. Every problem is reported at once, as one
    :class:`pydantic.ValidationError` whose locations name the parameters.
    """
    checked: dict[str, object] = {}
    problems: list[Any] = []
    for name, value in values.items():
        if isinstance(value, Omit):
            checked[name] = value
            continue
        try:
            checked[name] = _adapter(types[name]).validate_python(value)
        except PydanticValidationError as exc:
            for error in exc.errors(include_url=False):
                detail = {
                    "type": error["type"],
                    "loc": (location, name, *error["loc"]),
                    "input": error["input"],
                }
                if "ctx" in error:
                    detail["ctx"] = error["ctx"]
                problems.append(detail)
    if problems:
        raise PydanticValidationError.from_exception_data(title, problems)
    return checked


def encode_body(encoding: str, body: Any) -> dict[str, Any]:
    """httpx arguments for a body: ``json``, urlencoded ``form``, ``multipart`` or ``raw``.

    Form fields are sent as text (booleans as ``true``/``false``, lists repeated, objects as
    JSON); in multipart bodies, ``bytes`` values are sent as file parts; a raw body (bytes or
    text) is sent as it is.
    """
    if encoding == "raw":
        return {"content": body}
    if isinstance(body, EncodedJSON):
        if encoding == "json":
            return {"content": bytes(body)}
        body = json.loads(body)
    if encoding == "json":
        return {"json": body}
    if not isinstance(body, Mapping):
        raise TypeError(f"a {encoding} body must be an object, not {type(body).__name__}")
    data: dict[str, Any] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for name, value in cast("Mapping[str, object]", body).items():
        if encoding == "multipart" and isinstance(value, (bytes, bytearray)):
            files[name] = (name, bytes(value))
        elif isinstance(value, (list, tuple)):
            data[name] = [_form_value(item) for item in cast("list[object]", value)]
        else:
            data[name] = _form_value(value)
    return {"data": data, "files": files} if files else {"data": data}


def _merge_extra_body(encoding: str, body: Any, extra_body: Mapping[str, object]) -> Any:
    """``body`` with the caller's ``extra_body`` properties added (theirs win), unvalidated."""
    if encoding == "raw":
        raise TypeError("extra_body needs a JSON or form body, not a raw one")
    if isinstance(body, EncodedJSON):
        body = json.loads(body)
    if body is None:
        body = {}
    if not isinstance(body, Mapping):
        raise TypeError(f"extra_body needs an object body, not {type(body).__name__}")
    return {**cast("Mapping[str, object]", body), **extra_body}


def _form_value(value: object) -> str:
    return scalar(value)


def build_body(model: type[BaseModel], fields: Mapping[str, object], *, mode: str = "json") -> Any:
    """Validate the given keyword arguments as ``model`` and return the JSON to send.

    Raises :class:`pydantic.ValidationError`, naming the offending field, before any I/O.
    """
    given = {name: value for name, value in fields.items() if not isinstance(value, Omit)}
    try:
        # What ``model.model_validate(given)`` does, less two Python calls; errors are masked here.
        # Keys are wire names only: a property may be spelled like another one's Python name
        # (``userName`` -> ``user_name`` beside a real ``user_name``), and must not fill it.
        instance = model.__pydantic_validator__.validate_python(given, by_alias=True, by_name=False)
    except PydanticValidationError as exc:
        raise redact_validation_error(exc) from None
    if mode == "json":  # encoded by pydantic in one step, not to a dict and then by json.dumps
        return EncodedJSON(request_json(instance))
    return instance.model_dump(
        mode=mode, by_alias=True, exclude_unset=True, context=REQUEST_CONTEXT
    )


_UNSET: Any = object()


class EncodedJSON(bytes):
    """A request body that :func:`build_body` has already encoded as JSON (UTF-8)."""


def build_value(tp: Any, value: object) -> Any:
    """Validate a whole (non-object) body against ``tp`` and return its JSON form."""
    adapter = _adapter(tp)
    return adapter.dump_python(
        adapter.validate_python(value),
        mode="json",
        by_alias=True,
        exclude_unset=True,
        context=REQUEST_CONTEXT,
    )


def parse_response(
    response: httpx.Response, cast_to: Any, error_model: Any, *, strict: bool = False
) -> Any:
    """Raise the matching :class:`APIStatusError` for an error status; else parse the body.

    Inside ``with_raw_response`` the :class:`APIResponse` is returned instead, parsing lazily.
    """
    if response.is_error:
        raise _status_error(response, error_model)
    if wants_raw():
        return APIResponse[Any](response, lambda: parse_body(response, cast_to, strict=strict))
    return parse_body(response, cast_to, strict=strict)


class ResponseList(list[T]):
    """A list a call returned; ``_request_id`` is the response's ``X-Request-Id``."""

    _request_id: str | None = None


def parse_body(response: httpx.Response, cast_to: Any, *, strict: bool = False) -> Any:
    """The body as ``cast_to``, with ``_request_id`` set on a model or list.

    Lenient unless ``strict``: see :mod:`._lenient`. A body that does not match even then is
    returned as far as it goes, and a warning (with the request id, without the values) is
    logged; with ``strict`` it raises :class:`APIResponseValidationError`.
    """
    if cast_to is httpx.Response:  # not JSON: the caller gets the response itself
        return response
    if cast_to is None:
        return None
    context = None if strict else LENIENT_CONTEXT
    try:
        if isinstance(cast_to, type) and issubclass(cast_to, BaseModel):
            # What ``cast_to.model_validate_json`` does, less two Python calls.
            try:
                result = cast_to.__pydantic_validator__.validate_json(
                    response.content, context=context, by_alias=True, by_name=False
                )
            except PydanticValidationError as exc:
                if issubclass(cast_to, Model):  # as Model.model_validate_json: secrets masked
                    raise redact_validation_error(exc) from None
                raise
        else:
            result = _adapter(cast_to).validate_json(
                response.content, context=context, by_alias=True, by_name=False
            )
    except PydanticValidationError as exc:
        if strict:
            raise APIResponseValidationError(
                f"{response.status_code} response does not match the documented schema: {exc.error_count()} error(s)",
                response=response,
            ) from exc
        result = _lenient_body(response, cast_to, exc)
    return _with_request_id(result, response)


def _lenient_body(response: httpx.Response, cast_to: Any, error: PydanticValidationError) -> Any:
    """What arrived, typed as far as it matches; the mismatch is logged as a warning."""
    data: Any
    try:
        data = json.loads(response.content)
    except ValueError:
        data = response.text
    if isinstance(cast_to, type) and issubclass(cast_to, BaseModel) and not isinstance(data, dict):
        data = {}  # not an object at all: a model with nothing set (the raw response has it)
    problems = "; ".join(
        f"{'.'.join(str(part) for part in item['loc']) or '(body)'}: {item['type']}"
        for item in error.errors(include_url=False)[:5]
    )
    logger.warning(
        "%s %s -> %d: the body does not match the documented schema (%d error(s): %s); "
        "returning what arrived (request id %s)",
        response.request.method,
        response.request.url,
        response.status_code,
        error.error_count(),
        problems,
        response.headers.get("x-request-id"),
    )
    return construct_lenient(cast_to, data)


def _with_request_id(result: Any, response: httpx.Response) -> Any:
    request_id = response.headers.get("x-request-id")
    if isinstance(result, BaseModel):
        if request_id is not None:  # beside the fields: not data, not compared, not dumped
            object.__setattr__(result, "_request_id", request_id)
    elif isinstance(result, list):
        result = ResponseList(cast("list[object]", result))
        result._request_id = request_id
    return result


def _status_error(response: httpx.Response, error_model: Any) -> APIStatusError:
    body: Any
    try:
        body = response.json()
    except ValueError:
        body = response.text
    if error_model is not None and isinstance(body, dict):
        with contextlib.suppress(PydanticValidationError):
            body = _adapter(error_model).validate_python(body)
    raw_errors: object = (
        getattr(body, "errors", None)
        if not isinstance(body, dict)
        else cast("dict[str, object]", body).get("errors")
    )
    errors: list[Any] = (
        list(cast("list[object]", raw_errors)) if isinstance(raw_errors, list) else []
    )
    reason = response.reason_phrase or "error"
    summary = _error_summary(errors)
    request_id = response.headers.get("x-request-id")
    message = f"{response.status_code} {reason}" + (f": {summary}" if summary else "")
    if request_id:
        message += f" (request id {request_id})"
    return status_error_class(response.status_code)(
        message, response=response, body=body, errors=errors
    )


def _error_summary(errors: list[Any]) -> str:
    parts: list[str] = []
    for error in errors[:3]:
        get: Callable[[str], object] = (
            cast("dict[str, object]", error).get
            if isinstance(error, dict)
            else lambda key, e=error: getattr(e, key, None)  # type: ignore[misc]  # mypy: default arg
        )
        text = get("detail") or get("title") or get("code")
        if isinstance(text, str) and text:
            parts.append(text)
    return "; ".join(parts)


def _connection_error(error: httpx.TransportError, request: httpx.Request) -> APIConnectionError:
    if isinstance(error, httpx.TimeoutException):
        return APITimeoutError(request=request)
    return APIConnectionError(f"Connection error: {type(error).__name__}", request=request)


class _BaseClient(Generic[_HttpT]):
    """Configuration and the retry loop's decisions, shared by the sync and async clients."""

    _client: _HttpT

    def __init__(
        self,
        *,
        base_url: str,
        auth: httpx.Auth | None,
        timeout: TimeoutTypes | Omit,
        max_retries: int | Omit,
        user_agent: str,
        default_headers: Mapping[str, str] | None = None,
        strict_response_validation: bool = False,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.default_headers: dict[str, str] = dict(default_headers or {})
        """Sent with every request (per-call ``extra_headers`` win)."""
        self.strict_response_validation = strict_response_validation
        """Raise :class:`APIResponseValidationError` on a 2XX body the spec does not describe."""
        self.timeout: TimeoutTypes = DEFAULT_TIMEOUT if isinstance(timeout, Omit) else timeout
        self.max_retries: int = (
            _retries.DEFAULT_MAX_RETRIES if isinstance(max_retries, Omit) else max_retries
        )
        if self.max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        self._auth = auth
        self._user_agent = user_agent
        self._owns_client = True
        self._timeout_extension: tuple[object, dict[str, float | None]] = (_UNSET, {})

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def _forget_resources(self) -> None:
        """Drop the resource objects made so far (a copy makes its own, bound to itself)."""
        for name in lazy_resources(type(self)):
            self.__dict__.pop(name, None)

    def with_options(
        self,
        *,
        base_url: str | Omit = OMIT,
        timeout: TimeoutTypes | Omit = OMIT,
        max_retries: int | Omit = OMIT,
        default_headers: Mapping[str, str] | Omit = OMIT,
        strict_response_validation: bool | Omit = OMIT,
    ) -> Self:
        """A copy with other defaults that shares this client's connection pool and credentials.

        Closing the copy leaves the pool open: the original owns it.
        """
        clone = copy.copy(self)
        clone._owns_client = False
        if not isinstance(default_headers, Omit):
            clone.default_headers = dict(default_headers)
        if not isinstance(strict_response_validation, Omit):
            clone.strict_response_validation = strict_response_validation
        if not isinstance(base_url, Omit):
            clone.base_url = base_url.rstrip("/")
        if not isinstance(timeout, Omit):
            clone.timeout = timeout
        if not isinstance(max_retries, Omit):
            if max_retries < 0:
                raise ValueError("max_retries must be 0 or more")
            clone.max_retries = max_retries
        clone._forget_resources()
        return clone

    def _build_request(
        self,
        method: str,
        path: str,
        *,
        path_params: Mapping[str, object] | None,
        query: Mapping[str, object] | None,
        headers: Mapping[str, object] | None,
        cookies: Mapping[str, object] | None,
        param_types: Mapping[str, Mapping[str, Any]] | None,
        param_styles: Mapping[str, Mapping[str, tuple[str, bool]]] | None,
        json_body: Any,
        has_body: bool,
        extra_headers: Mapping[str, str] | None,
        extra_query: Mapping[str, object] | None,
        timeout: TimeoutTypes | Omit,
        extra_body: Mapping[str, object] | None = None,
        body_encoding: str = "json",
        content_type: str | None = None,
        accept: str = "application/json",
    ) -> httpx.Request:
        if param_types:
            title = f"{method} {path} parameters"
            if path_params:
                path_params = validate_params(title, "path", path_params, param_types["path"])
            if query:
                query = validate_params(title, "query", query, param_types["query"])
            if headers:
                headers = validate_params(title, "header", headers, param_types["header"])
            if cookies:
                cookies = validate_params(title, "cookie", cookies, param_types["cookie"])
        styles = param_styles or _NO_STYLES
        url: httpx.URL | str
        if path_params:
            url = self.base_url + format_path(path, path_params, styles.get("path"))
        else:
            url = _static_url(self.base_url + path)
        pairs = (query_pairs(query, styles.get("query")) if query else []) + (
            query_pairs(extra_query) if extra_query else []
        )
        # No params at all rather than empty ones: httpx parses the URL again to merge any.
        params = httpx.QueryParams(tuple(pairs)) if pairs else None
        all_headers: dict[str, str] = {"Accept": accept, "User-Agent": self._user_agent}
        if self.default_headers:
            all_headers.update(self.default_headers)
        if extra_body:
            json_body, has_body = _merge_extra_body(body_encoding, json_body, extra_body), True
        if content_type and has_body:
            all_headers["Content-Type"] = content_type
        if headers:
            all_headers.update(header_values(headers, styles.get("header")))
        if cookies:
            cookie = cookie_header(cookies)
            if cookie:
                all_headers["Cookie"] = cookie
        body = encode_body(body_encoding, json_body) if has_body else {}
        if "content" in body:
            all_headers.setdefault("Content-Type", "application/json")
        if extra_headers:
            all_headers.update(extra_headers)
        # The extension httpx would make of ``timeout=``, without building an httpx.Timeout.
        extensions = {
            "timeout": self._timeout_dict(self.timeout if isinstance(timeout, Omit) else timeout)
        }
        return self._client.build_request(
            method, url, params=params, headers=all_headers, extensions=extensions, **body
        )

    def _timeout_dict(self, timeout: TimeoutTypes) -> dict[str, float | None]:
        """``httpx.Timeout(timeout).as_dict()``, kept for the last timeout seen."""
        seen, as_dict = self._timeout_extension
        if seen is not timeout:
            as_dict = httpx.Timeout(timeout).as_dict()
            self._timeout_extension = (timeout, as_dict)
        return dict(as_dict)

    @staticmethod
    def _delay_after_error(
        request: httpx.Request,
        error: httpx.TransportError,
        attempt: int,
        retries: int,
        started: float,
    ) -> float | None:
        """Log a failed attempt; the wait before the next one, or ``None`` to give up."""
        elapsed = time.monotonic() - started
        retry = attempt < retries and _retries.should_retry_error(request.method, error)
        delay = _retries.retry_delay(attempt) if retry else None
        if logger.isEnabledFor(logging.DEBUG):  # the arguments cost more than the call
            logger.debug(
                "%s %s -> %s (attempt %d/%d, %.3f s)%s",
                request.method,
                request.url,
                type(error).__name__,
                attempt + 1,
                retries + 1,
                elapsed,
                f"; retrying in {delay:.2f} s" if delay is not None else "",
            )
        return delay

    @staticmethod
    def _delay_after_response(
        request: httpx.Request, response: httpx.Response, attempt: int, retries: int, started: float
    ) -> float | None:
        elapsed = time.monotonic() - started
        retry = (
            attempt < retries
            and response.is_error
            and _retries.should_retry_status(request.method, response.status_code)
        )
        delay = _retries.retry_delay(attempt, response.headers) if retry else None
        if logger.isEnabledFor(logging.DEBUG):  # the arguments cost more than the call
            logger.debug(
                "%s %s -> %d (attempt %d/%d, %.3f s, request id %s)%s",
                request.method,
                request.url,
                response.status_code,
                attempt + 1,
                retries + 1,
                elapsed,
                response.headers.get("x-request-id"),
                f"; retrying in {delay:.2f} s" if delay is not None else "",
            )
        return delay


class SyncAPIClient(_BaseClient[httpx.Client]):
    """Sends requests through an :class:`httpx.Client` (one is created if none is given)."""

    _client: httpx.Client

    def __init__(
        self,
        *,
        base_url: str,
        auth: httpx.Auth | None,
        timeout: TimeoutTypes | Omit = OMIT,
        max_retries: int | Omit = OMIT,
        http_client: httpx.Client | None,
        user_agent: str,
        default_headers: Mapping[str, str] | None = None,
        strict_response_validation: bool = False,
    ) -> None:
        super().__init__(
            base_url=base_url,
            auth=auth,
            timeout=timeout,
            max_retries=max_retries,
            user_agent=user_agent,
            default_headers=default_headers,
            strict_response_validation=strict_response_validation,
        )
        self._owns_client = http_client is None
        self._client = (
            http_client if http_client is not None else httpx.Client(limits=DEFAULT_LIMITS)
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: Any,
        error_model: Any = None,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        cookies: Mapping[str, object] | None = None,
        param_types: Mapping[str, Mapping[str, Any]] | None = None,
        param_styles: Mapping[str, Mapping[str, tuple[str, bool]]] | None = None,
        json_body: Any = None,
        has_body: bool = False,
        body_encoding: str = "json",
        content_type: str | None = None,
        accept: str = "application/json",
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
        extra_body: Mapping[str, object] | None = None,
        timeout: TimeoutTypes | Omit = OMIT,
        max_retries: int | Omit = OMIT,
        strict_response_validation: bool | Omit = OMIT,
    ) -> Any:
        request = self._build_request(
            method,
            path,
            path_params=path_params,
            query=query,
            headers=headers,
            cookies=cookies,
            param_types=param_types,
            param_styles=param_styles,
            json_body=json_body,
            has_body=has_body,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
            body_encoding=body_encoding,
            content_type=content_type,
            accept=accept,
        )
        retries = self.max_retries if isinstance(max_retries, Omit) else max_retries
        strict = (
            self.strict_response_validation
            if isinstance(strict_response_validation, Omit)
            else strict_response_validation
        )
        attempt = 0
        while True:
            started = time.monotonic()
            try:
                response = self._client.send(request, auth=self._auth)
            except httpx.TransportError as exc:
                delay = self._delay_after_error(request, exc, attempt, retries, started)
                if delay is None:
                    raise _connection_error(exc, request) from exc
            else:
                # A success is never retried: only an error status or a debug record needs more.
                if response.is_error or logger.isEnabledFor(logging.DEBUG):
                    delay = self._delay_after_response(request, response, attempt, retries, started)
                else:
                    delay = None
                if delay is None:
                    return parse_response(response, cast_to, error_model, strict=strict)
                response.close()
            _retries.sleep(delay)
            attempt += 1

    def close(self) -> None:
        """Close the connection pool, if this client created it."""
        if self._owns_client:
            self._client.close()

    def __enter__(self: T) -> T:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class AsyncAPIClient(_BaseClient[httpx.AsyncClient]):
    """Sends requests through an :class:`httpx.AsyncClient` (one is created if none is given)."""

    _client: httpx.AsyncClient

    def __init__(
        self,
        *,
        base_url: str,
        auth: httpx.Auth | None,
        timeout: TimeoutTypes | Omit = OMIT,
        max_retries: int | Omit = OMIT,
        http_client: httpx.AsyncClient | None,
        user_agent: str,
        default_headers: Mapping[str, str] | None = None,
        strict_response_validation: bool = False,
    ) -> None:
        super().__init__(
            base_url=base_url,
            auth=auth,
            timeout=timeout,
            max_retries=max_retries,
            user_agent=user_agent,
            default_headers=default_headers,
            strict_response_validation=strict_response_validation,
        )
        self._owns_client = http_client is None
        self._client = (
            http_client if http_client is not None else httpx.AsyncClient(limits=DEFAULT_LIMITS)
        )

    async def request(
        self,
        method: str,
        path: str,
        *,
        cast_to: Any,
        error_model: Any = None,
        path_params: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        headers: Mapping[str, object] | None = None,
        cookies: Mapping[str, object] | None = None,
        param_types: Mapping[str, Mapping[str, Any]] | None = None,
        param_styles: Mapping[str, Mapping[str, tuple[str, bool]]] | None = None,
        json_body: Any = None,
        has_body: bool = False,
        body_encoding: str = "json",
        content_type: str | None = None,
        accept: str = "application/json",
        extra_headers: Mapping[str, str] | None = None,
        extra_query: Mapping[str, object] | None = None,
        extra_body: Mapping[str, object] | None = None,
        timeout: TimeoutTypes | Omit = OMIT,
        max_retries: int | Omit = OMIT,
        strict_response_validation: bool | Omit = OMIT,
    ) -> Any:
        request = self._build_request(
            method,
            path,
            path_params=path_params,
            query=query,
            headers=headers,
            cookies=cookies,
            param_types=param_types,
            param_styles=param_styles,
            json_body=json_body,
            has_body=has_body,
            extra_headers=extra_headers,
            extra_query=extra_query,
            extra_body=extra_body,
            timeout=timeout,
            body_encoding=body_encoding,
            content_type=content_type,
            accept=accept,
        )
        retries = self.max_retries if isinstance(max_retries, Omit) else max_retries
        strict = (
            self.strict_response_validation
            if isinstance(strict_response_validation, Omit)
            else strict_response_validation
        )
        attempt = 0
        while True:
            started = time.monotonic()
            try:
                response = await self._client.send(request, auth=self._auth)
            except httpx.TransportError as exc:
                delay = self._delay_after_error(request, exc, attempt, retries, started)
                if delay is None:
                    raise _connection_error(exc, request) from exc
            else:
                # A success is never retried: only an error status or a debug record needs more.
                if response.is_error or logger.isEnabledFor(logging.DEBUG):
                    delay = self._delay_after_response(request, response, attempt, retries, started)
                else:
                    delay = None
                if delay is None:
                    return parse_response(response, cast_to, error_model, strict=strict)
                await response.aclose()
            await _retries.async_sleep(delay)
            attempt += 1

    async def close(self) -> None:
        """Close the connection pool, if this client created it."""
        if self._owns_client:
            await self._client.aclose()

    async def __aenter__(self: T) -> T:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()
