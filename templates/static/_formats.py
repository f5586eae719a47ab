"""String formats the spec names, checked on validation without changing the value.

``format: email``, ``uri``, ``uuid`` and friends stay ``str`` on the model (the wire value is
kept exactly, unlike URL types that normalise), but a value that is not of the format is
refused, as a schema-validating server would refuse it.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

__all__ = ["Base64Str", "EmailStr", "HostnameStr", "IPv4Str", "IPv6Str", "UriStr", "UuidStr"]

_EMAIL = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
    re.IGNORECASE,
)
# RFC 3986 ``URI``, built from its grammar. The hier-part must not be empty (``x:`` alone is
# refused, as JSON Schema validators refuse it); bracketed hosts are checked as IPv6 below.
_PCT = r"%[0-9A-Fa-f]{2}"
_PCHAR = rf"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|{_PCT})"
_URI = re.compile(
    r"^[A-Za-z][A-Za-z0-9+.\-]*:"
    rf"(?://(?:(?:[A-Za-z0-9\-._~!$&'()*+,;=:]|{_PCT})*@)?"
    rf"(?P<host>\[[^\]/?#]*\]|(?:[A-Za-z0-9\-._~!$&'()*+,;=]|{_PCT})*)"
    r"(?::[0-9]*)?"
    rf"(?:/{_PCHAR}*)*"
    rf"|/(?:{_PCHAR}+(?:/{_PCHAR}*)*)?"
    rf"|{_PCHAR}+(?:/{_PCHAR}*)*)"
    rf"(?:\?(?:{_PCHAR}|[/?])*)?"
    rf"(?:#(?:{_PCHAR}|[/?])*)?$"
)
_IP_FUTURE = re.compile(r"^v[0-9A-Fa-f]+\.[A-Za-z0-9\-._~!$&'()*+,;=:]+$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HOSTNAME = re.compile(
    r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)
_IPV4 = re.compile(r"^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$")


def _checker(name: str, pattern: re.Pattern[str]) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.fullmatch(value):  # fullmatch: ``$`` alone would allow a final newline
            raise ValueError(f"value is not a valid {name}")
        return value

    return AfterValidator(check)


def _uri(value: str) -> str:
    import ipaddress

    match = _URI.fullmatch(value)
    host = match.group("host") if match else None
    if host and host.startswith("["):
        literal = host[1:-1]
        try:
            ipaddress.IPv6Address(literal)
        except ValueError:
            if not _IP_FUTURE.match(literal):
                match = None
    if match is None:
        raise ValueError("value is not a valid URI (an absolute URI with a scheme)")
    return value


_BASE64 = re.compile(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$")


def _ipv6(value: str) -> str:
    import ipaddress

    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        raise ValueError("value is not a valid IPv6 address") from None
    return value


EmailStr = Annotated[str, _checker("email address", _EMAIL)]
UriStr = Annotated[str, AfterValidator(_uri)]
UuidStr = Annotated[str, _checker("UUID", _UUID)]
HostnameStr = Annotated[str, _checker("hostname", _HOSTNAME)]
IPv4Str = Annotated[str, _checker("IPv4 address", _IPV4)]
IPv6Str = Annotated[str, AfterValidator(_ipv6)]
Base64Str = Annotated[str, _checker("base64 string (format: byte)", _BASE64)]
"""``format: byte``: base64 text, kept as text (decode it with :func:`base64.b64decode`)."""
