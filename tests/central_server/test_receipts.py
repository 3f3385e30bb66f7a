"""Receipt tokens without a server: their shape, and how what people type is normalised."""

from __future__ import annotations

import base64
import re
import secrets

import pytest

from central_server.auth import tokens
from central_server.pickups import receipts


def test_a_new_token_is_160_bits_of_base32_in_32_characters() -> None:
    made = {receipts.new_token() for _ in range(200)}
    assert len(made) == 200
    for token in made:
        assert re.fullmatch(r"[A-Z2-7]{32}", token), token
        assert len(base64.b32decode(token)) == 20


@pytest.mark.parametrize(
    "entered",
    [
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
        "abcdefghijklmnopqrstuvwxyz234567",
        "  abcd efgh ijkl mnop qrst uvwx yz23 4567 \n",
        "ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567",
        "abcd\tEFGH - ijkl\tmnop-qrst uvwx yz234567",
    ],
)
def test_what_people_type_is_normalised(entered: str) -> None:
    token = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    assert receipts.normalised(entered) == token
    assert receipts.digests(entered)[0] == tokens.digest(token)


@pytest.mark.parametrize(
    "entered",
    [
        "",
        "x",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ23456",  # 31 characters
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ2345678",  # 33
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ234560",  # 0 is not base32
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ23456_",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ23456\u0131",  # dotless i, upper-cased "I"
        "ABCD.EFGH.IJKL.MNOP.QRST.UVWX.YZ23.4567",
    ],
)
def test_other_text_is_hashed_as_given(entered: str) -> None:
    assert receipts.normalised(entered) is None
    assert receipts.digests(entered) == (tokens.digest(entered.strip()),)


def test_an_old_token_is_found_as_given() -> None:
    """``secrets.token_urlsafe(24)`` from before base32: whatever its shape, one of the digests
    is the one stored for it."""
    for old in [secrets.token_urlsafe(24) for _ in range(200)] + [
        "abcdEFGH2345ijklMNOP6723qrstUVWX"
    ]:
        assert tokens.digest(old) in receipts.digests(old)
        assert tokens.digest(old) in receipts.digests(f" {old}\n")
    # Base32-shaped in mixed case: the normal form first, the old one second.
    assert receipts.digests("abcdEFGH2345ijklMNOP6723qrstUVWX") == (
        tokens.digest("ABCDEFGH2345IJKLMNOP6723QRSTUVWX"),
        tokens.digest("abcdEFGH2345ijklMNOP6723qrstUVWX"),
    )
