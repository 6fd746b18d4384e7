"""Request and response schemas of the chart, review and chart settings routes (issue 5;
the service contract is docs/charts.md; documents are gateway/api/documents/).

The router validates with these and openapi.py describes the
API from them. They check shape and type and refuse unknown keys; the rules that need
words for people (date ranges, phone formats, postal codes by country, required names)
are charts' own, so its sentences reach the person unchanged. Values are JSON: dates are
`YYYY-MM-DD` strings, `null` clears a key.
"""
from marshmallow import Schema, fields, validate

from gateway.api.formats import ID
from services.common.schemas import StrictSchema

S = fields.String
Bool = fields.Boolean
TABS = ("basic", "details", "contacts", "insurance", "communication")


def text(max_length=200, description=None):
    return S(allow_none=True, validate=validate.Length(max=max_length),
             metadata={"description": description} if description else {})


def flag(description=None):
    return Bool(allow_none=True, metadata={"description": description} if description else {})


def day(description="YYYY-MM-DD"):
    return S(allow_none=True, validate=validate.Length(max=10), metadata={
        "description": description, "format": "date"})


VERSION = fields.Integer(strict=True, required=True, validate=validate.Range(min=1), error_messages={
    "required": "Send the version of the page you read, so that a change made since is not "
                "overwritten."}, metadata={
    "description": "required: the tab's version you read; a stale one is refused with 409 "
                   "`stale_version` whose `fields.changed` names what changed since, so a "
                   "save never silently overwrites another one."})


# -- tab saves (partial at the top level) ------------------------------------------------
class BasicTabSave(StrictSchema):
    version = VERSION
    first_name = S(validate=validate.Length(min=1, max=100),
                   metadata={"description": "legal name; never blank"})
    last_name = S(validate=validate.Length(min=1, max=100),
                  metadata={"description": "legal name; never blank"})
    preferred_name = text(100)
    pronouns = text(50)
    date_of_birth = day()
    sex = text(20, "female, male, intersex, unknown or declined")
    gender_identity = text(100)
    email = text(254)
    phone_mobile = text(40)
    phone_home = text(40)
    phone_work = text(40)
    phone_mobile_texts = flag("the mobile phone may receive texts")
    phone_home_texts = flag("the home phone may receive texts")
    phone_work_texts = flag("the work phone may receive texts")
    address_line1 = text()
    address_line2 = text()
    city = text(100)
    state = text(100)
    postal_code = text(20, "checked by country (US, CA, GB), else 2–10 characters")
    country = text(100, "ISO 3166 alpha-2, e.g. US")
    time_zone = text(64, "IANA name, e.g. America/Chicago")


class DetailsTabSave(StrictSchema):
    version = VERSION
    primary_language = text(100, "the language the client is most comfortable using with "
                                 "the practice (saved with this tab, one change batch)")
    interpreter_needed = flag("whether an interpreter is needed")
    race = fields.List(S(validate=validate.Length(max=60)), allow_none=True, metadata={
        "description": "any of american_indian_or_alaska_native, asian, "
                       "black_or_african_american, native_hawaiian_or_other_pacific_islander, "
                       "white, other, declined"})
    ethnicity = text(40, "hispanic_or_latino, not_hispanic_or_latino or declined")
    marital_status = text(40, "single, married, domestic_partner, separated, divorced, "
                              "widowed, other or declined")
    employment = text(40, "employed_full_time, employed_part_time, self_employed, unemployed, "
                          "student, retired, unable_to_work, other or declined")
    education = text(40, "less_than_high_school, high_school, some_college, associate, "
                         "bachelor, master, doctorate, other or declined")
    smoking_status = text(40, "never, former, current_some_days, current_every_day, unknown "
                              "or declined")
    extra = fields.Dict(keys=S(validate=validate.Length(min=1, max=40)), allow_none=True,
                        metadata={"description": "{key: value} of the practice's "
                                                 "`extra_fields`"})


class Address(StrictSchema):
    line1 = text()
    line2 = text()
    city = text(100)
    state = text(100)
    postal_code = text(20)
    country = text(2, "ISO 3166 alpha-2")


class Person(StrictSchema):
    name = text(200, "required")
    relationship = text(100)
    phone_mobile = text(40)
    phone_home = text(40)
    phone_work = text(40)
    email = text(254)
    address = fields.Nested(Address, allow_none=True)


class ContactsTabSave(StrictSchema):
    version = VERSION
    emergency_contact = fields.Nested(Person, allow_none=True)
    responsible_party = fields.Nested(Person, allow_none=True)
    legal_guardian = fields.Nested(Person, allow_none=True)


class Subscriber(StrictSchema):
    relationship = text(20, "required: self, spouse, parent, child or other")
    name = text(200, "required unless self")
    date_of_birth = day("YYYY-MM-DD; required unless self")


class Coverage(StrictSchema):
    payer = text(200, "required: the insurance company")
    member_id = text(64, "required")
    group_number = text(64)
    plan = text(200)
    subscriber = fields.Nested(Subscriber, allow_none=True)
    effective_from = day()
    effective_to = day("YYYY-MM-DD, on or after effective_from")
    card_front_document_id = text(64, "a document of this client (upload the photo first)")
    card_back_document_id = text(64, "a document of this client (upload the photo first)")


class InsuranceTabSave(StrictSchema):
    version = VERSION
    primary = fields.Nested(Coverage, allow_none=True)
    secondary = fields.Nested(Coverage, allow_none=True)


class CommunicationTabSave(StrictSchema):
    version = VERSION
    email_ok = flag("may we email")
    text_ok = flag("may we text")
    voicemail_ok = flag("may we leave a voicemail")
    appointment_reminders = flag("appointment reminders on")


TAB_SAVES = {"basic": BasicTabSave, "details": DetailsTabSave, "contacts": ContactsTabSave,
             "insurance": InsuranceTabSave, "communication": CommunicationTabSave}


# -- what comes back -----------------------------------------------------------------------
class ChartTab(Schema):
    tab = S()
    version = fields.Integer()
    values = fields.Dict(metadata={"description": "the tab's keys (as in the save)"})
    updated_at = S(allow_none=True)
    editable = Bool()
    read_only_reason = S(allow_none=True, metadata={
        "description": "not_permitted (the access held does not include managing this "
                       "person's information), or null"})
    read_only_fields = fields.List(S(), metadata={
        "description": "fields of an editable tab that this reader sees but cannot change: "
                       "on Basic, first_name, last_name and date_of_birth for clients and "
                       "contacts (the practice corrects them); [] otherwise"})


class ChartTabs(Schema):
    """The tabs offered to the reader: no `insurance` for a client or contact while the
    practice keeps insurance itself (allow_clients_update_insurance off)."""
    basic = fields.Nested(ChartTab)
    details = fields.Nested(ChartTab)
    contacts = fields.Nested(ChartTab)
    insurance = fields.Nested(ChartTab)
    communication = fields.Nested(ChartTab)


class ExtraField(Schema):
    key = S()
    label = S()
    type = S(metadata={"description": "text, choice, boolean or date"})
    choices = fields.List(S(), allow_none=True)
    max_length = fields.Integer(allow_none=True)


class ChartSettingsView(Schema):
    allow_clients_update_insurance = Bool()
    client_uploads_enabled = Bool()
    extra_fields = fields.List(fields.Nested(ExtraField))


class Chart(Schema):
    client_id = S()
    client_name = S()
    tabs = fields.Nested(ChartTabs)
    settings = fields.Nested(ChartSettingsView)


class ChartSettings(ChartSettingsView):
    version = fields.Integer()


class ExtraFieldIn(StrictSchema):
    key = S(required=True, validate=validate.Length(min=1, max=40),
            metadata={"description": "[a-z][a-z0-9_]{0,39}"})
    label = S(required=True, validate=validate.Length(min=1, max=100))
    type = S(validate=validate.OneOf(["text", "choice", "boolean", "date"]))
    choices = fields.List(S(validate=validate.Length(min=1, max=100)), allow_none=True)
    max_length = fields.Integer(allow_none=True, validate=validate.Range(min=1, max=2000))


class ChartSettingsUpdate(StrictSchema):
    allow_clients_update_insurance = Bool(metadata={
        "description": "Allow clients to update insurance information"})
    client_uploads_enabled = Bool(metadata={"description": "accept uploads through the portal"})
    extra_fields = fields.List(fields.Nested(ExtraFieldIn), validate=validate.Length(max=50))
    version = fields.Integer(strict=True, validate=validate.Range(min=1), metadata={
        "description": "the version you read; stale → 409 stale_version"})


# -- review ----------------------------------------------------------------------------------
class ChartRevision(Schema):
    id = S()
    client_id = S()
    batch_id = S()
    version = fields.Integer()
    tab = S()
    field = S(metadata={"description": "Basic's column name or a dotted path in the tab"})
    old_value = S(allow_none=True)
    new_value = S(allow_none=True)
    actor_kind = S()
    actor_id = S(allow_none=True)
    source = S(metadata={"description": "portal or staff"})
    changed_at = S()


class ChangeBatch(Schema):
    batch_id = S()
    client_id = S()
    client_name = S()
    tab = S()
    fields_ = fields.List(S(), data_key="fields", attribute="fields")
    source = S()
    actor_kind = S()
    actor_id = S(allow_none=True)
    created_at = S()
    revisions = fields.List(fields.Nested(ChartRevision))


class ChangesQuery(StrictSchema):
    client_id = S(validate=ID)
    limit = fields.Integer(validate=validate.Range(min=1, max=500))


class MarkReviewed(StrictSchema):
    batch_ids = fields.List(S(validate=validate.Length(min=1, max=36)), required=True,
                            validate=validate.Length(min=1, max=500))


class Reviewed(Schema):
    reviewed = fields.Integer()
