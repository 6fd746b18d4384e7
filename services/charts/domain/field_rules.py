"""Single-field rules of a chart: each returns a sentence for people, or None.

Messages say what is expected, never what was given: a value must not reach a log
through an exception text. Plain functions: no nameko, no SQL.
"""
import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import available_timezones

EARLIEST_BIRTH_DATE = date(1900, 1, 1)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")
_EMAIL_MAX = 254
_PHONE_CHARS = re.compile(r"^\+?[0-9 ()\-]+$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_POSTAL_BY_COUNTRY = {
    "US": (re.compile(r"^\d{5}(-\d{4})?$"), "a US ZIP code such as 12345 or 12345-6789"),
    "CA": (re.compile(r"^[A-Z]\d[A-Z] ?\d[A-Z]\d$"), "a Canadian postal code such as K1A 0B1"),
    "GB": (re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$"), "a UK postcode such as SW1A 1AA"),
}
_POSTAL_ANY = re.compile(r"^[A-Z0-9][A-Z0-9 \-]{1,9}$")
_TIME_ZONES = None


def latest_today(now=None):
    """The latest calendar date anywhere on Earth (UTC+14): a birth date after it is in
    the future for everyone, whatever the practice's or client's time zone."""
    return ((now or datetime.now(timezone.utc)) + timedelta(hours=14)).date()


def date_of_birth_problem(value, today=None):
    if value > (today or latest_today()):
        return "Date of birth cannot be in the future."
    if value < EARLIEST_BIRTH_DATE:
        return "Date of birth must be on or after 1900-01-01."
    return None


def email_problem(value):
    if len(value) > _EMAIL_MAX or not _EMAIL.match(value):
        return "Enter an email address such as name@example.com."
    return None


def phone_problem(value):
    digits = sum(ch.isdigit() for ch in value)
    if not _PHONE_CHARS.match(value) or not 7 <= digits <= 15:
        return ("Enter a phone number of 7 to 15 digits; only digits, spaces, "
                "a leading +, brackets and dashes are allowed.")
    return None


def country_problem(value):
    if not _COUNTRY.match(value):
        return "Use the two-letter country code, such as US or CA."
    return None


def postal_code_problem(value, country=None):
    rule = _POSTAL_BY_COUNTRY.get((country or "").upper())
    if rule is not None:
        pattern, example = rule
        if not pattern.match(value.upper()):
            return f"Enter {example}."
        return None
    if not _POSTAL_ANY.match(value.upper()):
        return "Enter a postal code of 2 to 10 letters, digits, spaces or dashes."
    return None


def time_zone_problem(value):
    global _TIME_ZONES
    if _TIME_ZONES is None:
        _TIME_ZONES = available_timezones()
    if value not in _TIME_ZONES:
        return "Choose a time zone from the list, such as America/New_York."
    return None


def normalize(field, value):
    """Trimmed text, blanks as None, codes upper-cased; other values unchanged."""
    if isinstance(value, str):
        value = " ".join(value.split())  # trim and collapse inner whitespace
        if value == "":
            return None
        if field in ("country", "postal_code"):
            value = value.upper()
    return value
