"""Field formats the schemas of several areas share: dates, identifiers, people's names,
email addresses and the statuses of an account."""
from marshmallow import validate

DATE = validate.Regexp(r"^\d{4}-\d{2}-\d{2}$", error="Use the form YYYY-MM-DD.")
ID = validate.Length(min=1, max=64)
NAME = validate.Length(min=1, max=200)
EMAIL = validate.Email(error="Enter an email address like name@example.org.")
# A sign-in's status, as staff set it (a contact's, a staff member's).
STATUSES = ("active", "suspended", "inactive")
