"""A practice's billing settings with their defaults (billing off until turned on)."""
DEFAULTS = {"enabled": False, "view_invoices": False, "online_payments": False,
            "allow_credit": True, "late_cancel_fee_cents": None, "no_show_fee_cents": None}
CLIENT_SWITCHES = ("view_invoices", "online_payments")


def practice_settings(row):
    if row is None:
        return dict(DEFAULTS, version=0)
    values = {name: getattr(row, name) for name in DEFAULTS}
    values["version"] = row.version
    return values


def client_switches(row):
    return {name: (getattr(row, name) if row else None) for name in CLIENT_SWITCHES}
