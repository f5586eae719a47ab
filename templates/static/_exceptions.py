"""Exceptions raised by the client. Errors are raised, never returned.

::

    APIError
     +-- APIConnectionError          the request did not get a response
     |    +-- APITimeoutError         ... because a timeout expired
     +-- APIResponseValidationError  a 2XX response whose body does not match the spec
     +-- APIStatusError              the server answered with a 4XX or 5XX status
          +-- BadRequestError            400
          +-- AuthenticationError        401
          +-- PermissionDeniedError      403
          +-- NotFoundError              404
          +-- ConflictError              409
          +-- UnprocessableEntityError   422
          +-- RateLimitError             429
          +-- InternalServerError        >= 500

Arguments that do not match the spec raise :class:`pydantic.ValidationError` before anything
is sent.
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConflictError",
    "InternalServerError",
    "NotFoundError",
    "PermissionDeniedError",
    "RateLimitError",
    "UnprocessableEntityError",
]


class APIError(Exception):
    """Base class of every error the client raises about a request."""

    message: str
    request: httpx.Request

    def __init__(self, message: str, *, request: httpx.Request) -> None:
        super().__init__(message)
        self.message = message
        self.request = request


class APIConnectionError(APIError):
    """The request could not be sent or no response arrived."""

    def __init__(self, message: str = "Connection error.", *, request: httpx.Request) -> None:
        super().__init__(message, request=request)


class APITimeoutError(APIConnectionError):
    """A connect, read, write or pool timeout expired."""

    def __init__(self, *, request: httpx.Request) -> None:
        super().__init__("Request timed out.", request=request)


class APIResponseValidationError(APIError):
    """The server answered with success, but the body does not match the documented schema."""

    response: httpx.Response
    status_code: int

    def __init__(self, message: str, *, response: httpx.Response) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.status_code = response.status_code


class APIStatusError(APIError):
    """The server answered with an error status.

    ``body`` is the parsed error document (the spec's error model when it matched, else the
    raw JSON or text); ``errors`` is its ``errors`` list when it has one.
    """

    response: httpx.Response
    status_code: int
    request_id: str | None
    body: Any
    errors: list[Any]

    def __init__(
        self, message: str, *, response: httpx.Response, body: Any, errors: list[Any]
    ) -> None:
        super().__init__(message, request=response.request)
        self.response = response
        self.status_code = response.status_code
        self.request_id = response.headers.get("x-request-id")
        self.body = body
        self.errors = errors


class BadRequestError(APIStatusError):
    """400: the request is malformed or breaks a rule of the API."""


class AuthenticationError(APIStatusError):
    """401: missing or invalid credentials."""


class PermissionDeniedError(APIStatusError):
    """403: the credentials may not perform this operation."""


class NotFoundError(APIStatusError):
    """404: no such resource."""


class ConflictError(APIStatusError):
    """409: the request conflicts with the current state (e.g. the signup is already complete)."""


class UnprocessableEntityError(APIStatusError):
    """422: the request is well-formed but cannot be processed."""


class RateLimitError(APIStatusError):
    """429: too many requests."""


class InternalServerError(APIStatusError):
    """5XX: the server failed."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error_class(status_code: int) -> type[APIStatusError]:
    """The most specific exception class for an error status."""
    if status_code >= 500:
        return InternalServerError
    return _BY_STATUS.get(status_code, APIStatusError)
