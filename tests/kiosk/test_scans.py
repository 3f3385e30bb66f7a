"""Which check-in a code scanned on the start screen goes to: the kiosk's copy of the server's
receipt rule (``kiosk.scans``) must say "pickup" for every receipt the server makes or
accepts, and "appointment" for the codes booking systems print."""

from __future__ import annotations

import secrets

import pytest

from central_server.pickups import receipts
from kiosk.scans import ScanKind, appointment_code, is_receipt, kind_of


def grouped(token: str, separator: str) -> str:
    return separator.join(token[i : i + 4] for i in range(0, len(token), 4))


def test_every_receipt_the_server_makes_goes_to_the_pickup_check_in() -> None:
    for _ in range(200):
        token = receipts.new_token()
        for typed in (token, token.lower(), grouped(token, " "), grouped(token, "-")):
            assert receipts.normalised(typed) is not None  # the server takes it as a receipt
            assert kind_of(typed) is ScanKind.PICKUP, typed  # and so does the kiosk


def test_a_receipt_from_before_base32_still_goes_to_the_pickup_check_in() -> None:
    for _ in range(200):
        token = secrets.token_urlsafe(24)  # how receipts were made before base32
        # One case only (about 1 in 10^9): it cannot be told from a booking code.
        if any(c.islower() for c in token) and any(c.isupper() for c in token):
            assert kind_of(token) is ScanKind.PICKUP, token


@pytest.mark.parametrize(
    "code",
    [
        "4711",  # a short number
        "123456789",  # a ZMS process number
        "B7K2-9QXM",  # letters and digits with a dash
        "b7k2 9qxm",
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ23456",  # 31 base32 characters: one short of a receipt
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ2345678",  # 33
        "ABCDEFGHIJKLMNOPQRSTUVWXYZ234561",  # a 1: not base32
        "12345678901234567890123456789012",  # 32 digits: a long booking number
    ],
)
def test_anything_else_goes_to_the_appointment_check_in(code: str) -> None:
    assert receipts.normalised(code) is None
    assert not is_receipt(code)
    assert kind_of(code) is ScanKind.APPOINTMENT


def test_an_appointment_code_is_sent_without_case_spaces_and_dashes() -> None:
    assert appointment_code(" b7k2-9qxm ") == "B7K29QXM"
    assert appointment_code("4711 0815") == "47110815"
