"""Per-tab validation, flattening and diffs; file sniffing by content; safe names;
who may see a document. No nameko, no database."""
import io
import zipfile
from types import SimpleNamespace

import pytest

from services.charts.domain import documents, field_rules, files, tabs
from services.charts.schemas import tabs as tab_schemas
from services.common.actor import Actor
from services.common.errors import Forbidden, InvalidInput
from tests.unit.charts.ole2 import compound_file

SETTINGS = {"allow_clients_update_insurance": False, "client_uploads_enabled": True,
            "extra_fields": [{"key": "referral", "label": "Referral source", "type": "choice",
                              "choices": ["friend", "web"]},
                             {"key": "veteran", "label": "Veteran", "type": "boolean"}]}


def fields_of(tab, payload):
    with pytest.raises(InvalidInput) as exc:
        tab_schemas.load_save(tab, {"version": 1, **payload}, SETTINGS)
    return exc.value.fields


@pytest.mark.parametrize("tab", ["details", "contacts", "insurance", "communication"])
def test_every_tab_save_needs_the_version_read(tab):
    with pytest.raises(InvalidInput) as exc:
        tab_schemas.load_save(tab, {}, SETTINGS)
    assert list(exc.value.fields) == ["version"]
    assert "version of the page you read" in exc.value.fields["version"][0]


def test_details_choices_and_extra_fields_are_checked_per_field():
    problems = fields_of("details", {"marital_status": "complicated", "race": ["martian"],
                                     "interpreter_needed": "maybe"})
    assert set(problems) == {"marital_status", "race.0", "interpreter_needed"}
    assert "choose one of" in problems["marital_status"][0]
    assert fields_of("details", {"extra": {"shoe_size": "9"}}) == {
        "extra.shoe_size": ["This practice does not ask for that."]}
    assert "choose one of" in fields_of("details", {"extra": {"referral": "tv"}})[
        "extra.referral"][0]
    _, values = tab_schemas.load_save("details", {"version": 1, "extra": {"referral": "web",
                                                                    "veteran": True}}, SETTINGS)
    assert values == {"extra": {"referral": "web", "veteran": True}}


def test_contacts_need_a_name_and_valid_phone_email_postal_code():
    problems = fields_of("contacts", {"emergency_contact": {
        "phone_mobile": "12", "email": "nope",
        "address": {"country": "US", "postal_code": "ABCDE"}}})
    assert set(problems) == {"emergency_contact.name", "emergency_contact.phone_mobile",
                             "emergency_contact.email", "emergency_contact.address.postal_code"}


def test_insurance_subscriber_other_needs_name_and_birth_date_and_dates_in_order():
    problems = fields_of("insurance", {"primary": {
        "payer": "Aetna", "member_id": "W1", "subscriber": {"relationship": "parent"},
        "effective_from": "2026-05-01", "effective_to": "2026-01-01"}})
    assert set(problems) == {"primary.subscriber.name", "primary.subscriber.date_of_birth",
                             "primary.effective_to"}
    assert fields_of("insurance", {"secondary": {"payer": "X"}}) == {
        "secondary.member_id": ["Member id is required."]}
    _, values = tab_schemas.load_save("insurance", {"version": 1, "primary": {
        "payer": "Aetna", "member_id": "W1", "subscriber": {"relationship": "self"},
        "effective_from": "2026-01-01"}}, SETTINGS)
    assert values["primary"]["effective_from"] == "2026-01-01"


def test_communication_and_basic_time_zone():
    assert set(fields_of("communication", {"text_ok": "sometimes"})) == {"text_ok"}
    assert field_rules.time_zone_problem("America/Chicago") is None
    assert field_rules.time_zone_problem("Mars/Olympus")


def test_unknown_keys_and_tabs_are_refused():
    assert "nickname" in fields_of("communication", {"nickname": "x"})
    with pytest.raises(InvalidInput):
        tab_schemas.load_save("billing", {}, SETTINGS)


def test_flatten_diff_and_set_path():
    before = {"primary": {"payer": "Aetna", "subscriber": {"relationship": "self"}}}
    after = {"primary": {"payer": "Cigna", "subscriber": {"relationship": "self"}},
             "secondary": {"payer": "X", "member_id": "1"}}
    changes = tabs.diff(before, after)
    assert [c.field for c in changes] == ["primary.payer", "secondary.member_id",
                                          "secondary.payer"]
    assert tabs.set_path(after, "primary.payer", "Aetna")["primary"]["payer"] == "Aetna"
    assert "payer" not in tabs.set_path(after, "secondary.payer", None)["secondary"]


def test_insurance_is_read_only_for_clients_unless_the_practice_allows_it():
    client = Actor.from_wire({"practice_id": "p", "kind": "client", "id": "a",
                              "clients": {"c": ["*"]}})
    staff = Actor.from_wire({"practice_id": "p", "kind": "staff", "id": "s"})
    with pytest.raises(Forbidden) as exc:
        tabs.require_tab_editable(client, "insurance", SETTINGS)
    assert exc.value.code == "insurance_read_only" and "call the practice" in exc.value.message
    tabs.require_tab_editable(staff, "insurance", SETTINGS)
    tabs.require_tab_editable(client, "insurance", dict(SETTINGS,
                                                        allow_clients_update_insurance=True))


# -- files -------------------------------------------------------------------------------

def docx_head():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()[:files.SNIFF_BYTES]


@pytest.mark.parametrize("head,mime", [
    (b"%PDF-1.7\n%\xe2\xe3", "application/pdf"),
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, "image/png"),
    (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic", "image/heic"),
    (bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 64, "application/msword"),
])
def test_accepted_types_are_known_by_content(head, mime):
    assert files.sniff(head) == mime


def test_docx_by_content():
    assert files.sniff(docx_head()).endswith("wordprocessingml.document")


@pytest.mark.parametrize("head,code", [
    (b"<!DOCTYPE html><html><script>alert(1)</script>", "file_type_refused"),  # HTML as .pdf
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00", "file_type_refused"),            # Windows exe
    (b"\x7fELF\x02\x01\x01", "file_type_refused"),
    (b"PK\x03\x04" + b"\x00" * 26, "file_type_refused"),                       # plain zip
    (b"", "empty_file"),
])
def test_refused_contents_say_why(head, code):
    with pytest.raises(InvalidInput) as exc:
        files.sniff(head)
    assert exc.value.code == code and exc.value.message


def test_size_limits():
    files.check_size(25 * 1024 * 1024)
    for size, code in ((0, "empty_file"), (26 * 1024 * 1024, "file_too_large")):
        with pytest.raises(InvalidInput) as exc:
            files.check_size(size)
        assert exc.value.code == code


@pytest.mark.parametrize("given,mime,expected", [
    ("../../etc/passwd.pdf", "application/pdf", "passwd.pdf"),
    ("..\\..\\boot.ini.pdf", "application/pdf", "boot.ini.pdf"),
    ("bad\x00na\x1bme\n.pdf", "application/pdf", "badname.pdf"),
    ("right\u202eto-left.pdf", "application/pdf", "rightto-left.pdf"),
    ("card.PNG", "image/png", "card.PNG"),
    ("invoice.pdf", "image/png", "invoice.pdf.png"),
    ("...", "application/pdf", "document.pdf"),
    ('a:b*c?"d<e>f|g.pdf', "application/pdf", "a_b_c__d_e_f_g.pdf"),
])
def test_file_names_are_made_safe(given, mime, expected):
    assert files.safe_filename(given, mime) == expected


def test_long_names_are_bounded():
    assert len(files.safe_filename("x" * 500 + ".pdf", "application/pdf")) <= 120


def doc(**kw):
    base = dict(practice_id="p", client_id="c", contact_id=None, kind="upload",
                status="available", uploaded_by_kind="client", uploaded_by_id="acct", unshared_at=None,
                reviewed_at=None)
    return SimpleNamespace(**{**base, **kw})


def actor(kind, id_, clients=None, perms=()):
    return Actor.from_wire({"practice_id": "p", "kind": kind, "id": id_,
                            "clients": clients or {}, "permissions": list(perms)})


def test_two_parents_never_see_each_others_uploads():
    mum = actor("contact", "mum", {"c": ["manage_documentation"]})
    dad = actor("contact", "dad", {"c": ["manage_documentation"]})
    mums = doc(uploaded_by_kind="contact", uploaded_by_id="mum")
    assert documents.may_see(mum, mums, False)
    assert not documents.may_see(dad, mums, False)
    shared_with_dad = doc(kind="shared", contact_id="dad", uploaded_by_kind="staff")
    assert documents.may_see(dad, shared_with_dad, True)
    assert not documents.may_see(mum, shared_with_dad, True)
    assert not documents.may_see(dad, shared_with_dad, False)  # type not shown in portal
    no_docs = actor("contact", "mum", {"c": ["manage_information"]})
    assert not documents.may_see(no_docs, mums, False)


def test_a_client_account_holding_a_grant_sees_as_a_grant_allows():
    """Jane's own login: her chart ("*") as a client, her daughter's through a grant."""
    jane = actor("client", "jane", {"own": ["*"], "c": ["view_appointments"]})
    for hidden in (doc(), doc(kind="shared", contact_id=None, uploaded_by_kind="staff"),
                   doc(kind="shared", contact_id="jane", uploaded_by_kind="staff")):
        assert not documents.may_see(jane, hidden, True)
    docs_too = actor("client", "jane", {"own": ["*"], "c": ["manage_documentation"]})
    assert documents.may_see(docs_too, doc(kind="shared", contact_id="jane",
                                           uploaded_by_kind="staff"), True)
    assert not documents.may_see(docs_too, doc(kind="shared", uploaded_by_kind="staff"), True)
    assert documents.may_see(docs_too, doc(uploaded_by_id="jane"), False)
    assert not documents.may_see(docs_too, doc(uploaded_by_id="the-teen"), False)
    own = doc(client_id="own", kind="shared", uploaded_by_kind="staff")
    assert documents.may_see(jane, own, True)


def test_only_an_ole2_file_with_a_word_stream_is_a_word_document():
    assert files.is_word_document(io.BytesIO(compound_file("WordDocument", "1Table")))
    for names in (("Workbook",), ("PowerPoint Document",), ("__substg1.0_0037001F",)):
        assert not files.is_word_document(io.BytesIO(compound_file(*names)))
    assert not files.is_word_document(io.BytesIO(bytes.fromhex("D0CF11E0A1B11AE1")))


def test_client_staff_and_practice_documents():
    me = actor("client", "acct", {"c": ["*"]})
    assert documents.may_see(me, doc(), False)
    assert not documents.may_see(me, doc(uploaded_by_kind="contact", uploaded_by_id="mum"), False)
    practice_doc = doc(kind="practice", client_id=None, uploaded_by_kind="staff")
    assert documents.may_see(me, practice_doc, True)
    assert not documents.may_see(me, practice_doc, False)
    staff = actor("staff", "s", perms=["view_clients"])
    assert documents.may_see(staff, doc(uploaded_by_kind="contact", uploaded_by_id="mum"), False)
    other_practice = doc(practice_id="q")
    assert not documents.may_see(staff, other_practice, False)
    assert not documents.may_see(me, doc(status="integrity_failed"), False)
