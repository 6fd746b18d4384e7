"""The kinds of email notify sends, each with the variables its template may use.

A practice may edit every kind (subject, plain-text body, HTML body); the defaults are
the files under services/notify/templates/. A template may use only its kind's
variables — the practice's name and portal address, a link, a date, a yes/no — never a
value that could carry health information: an email is read in shared mailboxes, on
lock screens and by whoever else has the phone. Plain data: no nameko, no SQL.
"""
from dataclasses import dataclass

PRACTICE_NAME = ("practice_name", "The practice's name.", "ABC Therapy Group")
PORTAL_URL = ("portal_url", "The address of the practice's portal (sign in there).",
              "https://portal.example.org/p/abc")
LINK_URL = ("link_url", "The single-use link of this email (it works once).",
            "https://portal.example.org/p/abc/invite/sample-link")
EXPIRES_ON = ("expires_on", "The date the link stops working, e.g. March 9, 2026.",
              "March 9, 2026")
REQUESTED_BY_STAFF = ("requested_by_staff",
                      "Yes when the practice sent the link, no when the person asked for it.",
                      False)
PAUSED = ("paused", "Yes when access was paused rather than ended.", False)
ONE_PERSON = ("one_person", "Yes when only access to one person's information ended.",
              False)

# Every email shows these two, whatever a practice writes (ARCHITECTURE.md: every email
# names the practice and links to its portal).
REQUIRED = ("practice_name", "portal_url")


@dataclass(frozen=True)
class Variable:
    name: str
    description: str
    sample: object


@dataclass(frozen=True)
class TemplateKind:
    kind: str
    label: str
    description: str
    variables: tuple
    security: bool = False   # always sent, whatever the person's preferences

    @property
    def names(self):
        return tuple(v.name for v in self.variables)

    def sample_context(self, practice_name=None, portal_url=None):
        """Sample values for a preview, with the practice's real name and address when
        they are known (the administrator sees her own practice)."""
        context = {v.name: v.sample for v in self.variables}
        if practice_name:
            context["practice_name"] = practice_name
        if portal_url:
            context["portal_url"] = portal_url
            if "link_url" in context:
                context["link_url"] = portal_url.rstrip("/") + "/sample-link"
        return context


def _kind(kind, label, description, *extra, security=False):
    variables = tuple(Variable(*v) for v in (PRACTICE_NAME, PORTAL_URL) + extra)
    return TemplateKind(kind, label, description, variables, security)


KINDS = {k.kind: k for k in (
    _kind("invitation", "Portal invitation",
          "Invites a client to create a portal account, with a single-use link.",
          LINK_URL, EXPIRES_ON),
    _kind("welcome", "Welcome",
          "Tells a client that staff set up their portal account."),
    _kind("contact_invitation", "Contact invitation",
          "Invites a guardian or other contact to choose a password.", LINK_URL, EXPIRES_ON),
    _kind("staff_invitation", "Staff invitation",
          "Invites a new staff member to choose a password.", LINK_URL, EXPIRES_ON),
    _kind("password_reset", "Password reset",
          "The link to choose a new password (single use, 24 hours).", LINK_URL,
          REQUESTED_BY_STAFF, security=True),
    _kind("password_changed", "Password changed",
          "Tells a person their password was changed and every device signed out.",
          security=True),
    _kind("access_removed", "Access removed",
          "Tells a person their portal access ended or was paused, or that access to one "
          "person's information ended.", PAUSED, ONE_PERSON, security=True),
    _kind("sign_in_throttled", "Sign-in attempts",
          "Tells a person that someone tried to sign in to their account.", security=True),
    _kind("document_shared", "Document shared",
          "Tells a client or contact there is something new to review in the portal."),
    _kind("appointment_scheduled", "Appointment added",
          "Tells a client (and those who see their appointments) that one was added."),
    _kind("appointment_cancelled", "Appointment cancelled",
          "Tells a client (and those who see their appointments) that one was cancelled."),
)}

# Names a template might reach for that would put health information in an email. Haven
# never gives them to a template; naming one is refused with this reason, so the editor
# learns why rather than only that it is unknown.
_WHO = "it would say who is in care"
_CARE = "it would reveal something about a person's care"
FORBIDDEN = {
    **dict.fromkeys(("client_name", "client", "first_name", "last_name", "full_name",
                     "preferred_name", "name", "client_id", "email", "phone",
                     "address"), _WHO),
    **dict.fromkeys(("date_of_birth", "dob", "birth_date", "birthday", "age", "gender",
                     "sex", "pronouns"), _WHO),
    **dict.fromkeys(("diagnosis", "diagnoses", "condition", "medication", "notes", "note",
                     "reason", "assessment", "score", "answers", "insurance", "member_id",
                     "clinician", "clinician_name", "therapist", "provider", "appointment",
                     "appointment_time", "starts_at", "ends_at", "time", "date", "location",
                     "service", "document", "document_name", "title", "message",
                     "balance", "amount", "invoice"), _CARE),
}


def kind_of(kind):
    """The TemplateKind, or None for a kind Haven does not send."""
    return KINDS.get(kind)
