"""String formats the spec names, checked on validation without changing the value.

``format: email``, ``uri``, ``uuid`` and friends stay ``str`` on the model (the wire value is
kept exactly, unlike URL types that normalise), but a value that is not of the format is
refused, as a schema-validating server would refuse it.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

__all__ = ["EmailStr", "HostnameStr", "IPv4Str", "IPv6Str", "UriStr", "UuidStr"]

_EMAIL = re.compile(
    r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
    re.IGNORECASE,
)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HOSTNAME = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")
_IPV4 = re.compile(r"^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$")


def _checker(name: str, pattern: re.Pattern[str]) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"value is not a valid {name}")
        return value

    return AfterValidator(check)


def _ipv6(value: str) -> str:
    import ipaddress

    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        raise ValueError("value is not a valid IPv6 address") from None
    return value


EmailStr = Annotated[str, _checker("email address", _EMAIL)]
UriStr = Annotated[str, _checker("URI (an absolute URI with a scheme)", _URI)]
UuidStr = Annotated[str, _checker("UUID", _UUID)]
HostnameStr = Annotated[str, _checker("hostname", _HOSTNAME)]
IPv4Str = Annotated[str, _checker("IPv4 address", _IPV4)]
IPv6Str = Annotated[str, AfterValidator(_ipv6)]
