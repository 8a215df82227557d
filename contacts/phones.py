"""Brazilian phone numbers as people type them: (11) 91234-5678, 11912345678, +55 11 …"""

from __future__ import annotations

import phonenumbers


def normalize_phone(value: str) -> str:
    """E.164 form of a Brazilian (or explicitly international) number; ValueError if it is
    not a valid number."""
    value = (value or "").strip()
    if not value:
        return ""
    # A leading 0 is the trunk prefix (0 11 …) or a carrier code (0 XX 11 …); drop it.
    digits = "".join(ch for ch in value if ch.isdigit())
    if not value.startswith("+") and digits.startswith("0") and len(digits) in (11, 12, 13, 14):
        value = digits[3:] if len(digits) in (13, 14) else digits[1:]
    try:
        number = phonenumbers.parse(value, "BR")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(str(exc)) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValueError("invalid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def format_phone(value: str) -> str:
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "BR")
    except phonenumbers.NumberParseException:
        return value
    if number.country_code == 55:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
