"""Names from a spec become safe, readable, unique identifiers."""

from __future__ import annotations

import keyword

import pytest

from generator import naming


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("signupPartnerV2Link", "signup_partner_v2_link"),
        ("activateSignup", "activate_signup"),
        ("signup", "signup"),
        ("HTTPServerError", "http_server_error"),
        ("dry_run", "dry_run"),
        ("Signup (partner/v2)", "signup_partner_v2"),
        ("getV2APIKeys", "get_v2_api_keys"),
        ("café-crème", "cafe_creme"),
    ],
)
def test_snake(text: str, expected: str) -> None:
    assert naming.snake(text) == expected


def test_legacy_snake_glues_digit_to_next_word() -> None:
    assert naming.legacy_snake("signupPartnerV2Link") == "signup_partner_v2link"
    assert naming.legacy_snake("activateSignup") == "activate_signup"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("partner.v2.Organization", "PartnerV2Organization"), ("ObjectMeta", "ObjectMeta"), ("sso_config", "SsoConfig")],
)
def test_pascal(text: str, expected: str) -> None:
    assert naming.pascal(text) == expected


@pytest.mark.parametrize("word", keyword.kwlist)
def test_keywords_get_a_suffix(word: str) -> None:
    name = naming.identifier(word, fallback="field")
    assert name == f"{word}_" and not keyword.iskeyword(name)


@pytest.mark.parametrize("word", ["match", "case", "type"])
def test_soft_keywords_stay_as_they_are(word: str) -> None:
    assert naming.identifier(word, fallback="field") == word


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2fa", "field_2fa"), ("_private", "private"), ("a-b c", "a_b_c"), ("???", "field"), ("ünïcode", "unicode"), ("", "field")],
)
def test_identifier_is_always_valid(raw: str, expected: str) -> None:
    assert naming.identifier(raw, fallback="field") == expected


def test_reserved_names_are_avoided() -> None:
    assert naming.identifier("json", fallback="f", reserved=naming.PYDANTIC_RESERVED) == "json_"
    assert naming.identifier("schema", fallback="f", reserved=naming.PYDANTIC_RESERVED) == "schema_"


def test_allocator_suffixes_collisions_in_order() -> None:
    names = naming.NameAllocator({"taken"})
    assert [names.allocate(n) for n in ["a", "a", "taken", "a"]] == ["a", "a_2", "taken_2", "a_3"]
    assert "a_3" in names
