"""Small pieces the identity entrypoint mixins share (no nameko, no SQL)."""
from services.common.errors import InvalidInput
from services.identity.domain import passwords as password_rules


def check_password(field, password, login, name, second_factor=False):
    """InvalidInput naming `field` with the sentence of the rule the password breaks."""
    try:
        password_rules.check(password, login=login, name=name, second_factor=second_factor)
    except password_rules.PasswordRefused as exc:
        raise InvalidInput(exc.code, exc.sentence, {field: [exc.sentence]}) from None


def email_data(practice, login):
    return {"login": login, "practice_name": practice.name,
            "portal_path": f"/p/{practice.code}"}


def chart_name(chart):
    return " ".join(p for p in (chart.get("first_name"), chart.get("last_name")) if p)
