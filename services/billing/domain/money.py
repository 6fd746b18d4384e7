"""Money is integer cents: never a float. An amount from outside is an int of cents, or a
decimal string with at most two places ("150.00"); anything else is refused."""
from decimal import Decimal, InvalidOperation

MAX_CENTS = 100_000_000   # $1,000,000.00: larger is a typing mistake, not a therapy bill


def cents_problem(value, allow_zero=False):
    """A sentence saying what is wrong with `value` as an amount in cents, or None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return "Give the amount in whole cents, e.g. 15000 for $150."
    if value < 0 or (value == 0 and not allow_zero):
        return "The amount must be more than zero."
    if value > MAX_CENTS:
        return "The amount is larger than Haven accepts ($1,000,000)."
    return None


def to_cents(text):
    """"150.5" → 15050; more than two decimal places, a float or junk → ValueError."""
    if isinstance(text, float):
        raise ValueError("floats are never money")
    try:
        amount = Decimal(str(text))
    except InvalidOperation:
        raise ValueError("not an amount") from None
    if not amount.is_finite() or amount.as_tuple().exponent < -2:
        raise ValueError("more precise than a cent")
    return int(amount * 100)


def display(cents):
    """12345 → "$123.45"; -500 → "-$5.00"."""
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}${cents // 100:,}.{cents % 100:02d}"
