"""messaging's rules, without nameko or SQL."""
import pytest

from services.common.actor import Actor
from services.common.errors import Forbidden, InvalidInput, NotFound
from services.messaging.domain import access, conversations, texts
from services.messaging.domain.access import Party

CHILD, TEEN, OTHER = "client-child", "client-teen", "client-other"


def actor(kind="client", clients=None, id_="acct-1", permissions=()):
    return Actor(practice_id="p1", kind=kind, id=id_, clients=clients or {},
                 permissions=permissions)


# -- parties -----------------------------------------------------------------------------
def test_own_account_is_the_client_party():
    assert access.party_for(actor(clients={CHILD: ("*",)}), CHILD) == Party("client", CHILD)


def test_a_contact_with_message_clinician_is_its_own_party():
    contact = actor("contact", {CHILD: ("view_appointments", "message_clinician")}, "c-9")
    assert access.party_for(contact, CHILD) == Party("contact", "c-9")


def test_a_parent_account_holding_a_grant_is_an_account_party():
    parent = actor("client", {"own": ("*",), CHILD: ("message_clinician",)}, "acct-mom")
    assert access.party_for(parent, CHILD) == Party("account", "acct-mom")
    assert access.party_for(parent, "own") == Party("client", "own")


def test_a_client_not_held_is_not_found_and_one_held_without_the_permission_is_forbidden():
    guardian = actor("contact", {TEEN: ("view_appointments",)}, "c-1")
    with pytest.raises(NotFound):
        access.party_for(guardian, OTHER)
    with pytest.raises(Forbidden) as exc:
        access.party_for(guardian, TEEN)   # the confidential band took message_clinician
    assert exc.value.code == "not_permitted" and "secure messages" in exc.value.message


def test_staff_need_view_clients_and_a_practice():
    assert access.party_for(actor("staff", id_="s-1", permissions=("view_clients",)),
                            CHILD) == Party("staff", "s-1")
    with pytest.raises(Forbidden):
        access.party_for(actor("staff", id_="s-1"), CHILD)
    with pytest.raises(Forbidden):
        access.party_for(Actor.system(practice_id="p1"), CHILD)


def test_client_parties_leave_out_clients_held_without_messaging():
    parent = actor("contact", {CHILD: ("message_clinician",), TEEN: ("billing",)}, "c-2")
    assert access.client_parties(parent) == {CHILD: Party("contact", "c-2")}


def test_only_members_reach_a_conversation():
    members = [Party("client", CHILD), Party("staff", "maya")]
    access.require_member(Party("staff", "maya"), members)
    with pytest.raises(NotFound):
        access.require_member(Party("staff", "sam"), members)


def test_only_assigned_clinicians_may_be_addressed_by_clients():
    access.require_assigned("maya", ["maya"])
    with pytest.raises(Forbidden) as exc:
        access.require_assigned("sam", ["maya"])
    assert exc.value.code == "clinician_not_assigned"
    assert exc.value.message.startswith("You can start a conversation only with a clinician")


@pytest.mark.parametrize("practice_on, client_on, code", [
    (False, True, "messaging_off"), (False, False, "messaging_off"),
    (True, False, "messaging_off_for_client")])
def test_switches(practice_on, client_on, code):
    with pytest.raises(Forbidden) as exc:
        access.require_enabled(practice_on, client_on)
    assert exc.value.code == code
    access.require_enabled(True, True)


def test_notes_are_for_staff_parties():
    assert access.sees_notes(Party("staff", "s"))
    assert not access.sees_notes(Party("client", "c"))
    assert not access.sees_notes(Party("contact", "c"))


# -- texts -------------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["", "   \n\t ", None, 5, "\x00\x07"])
def test_empty_or_non_text_bodies_are_refused(value):
    assert texts.body_problem(value)


def test_the_limit_is_ten_thousand_characters_after_cleaning():
    assert texts.body_problem("x" * 10_000) is None
    assert "10,000" in texts.body_problem("x" * 10_001)
    assert texts.body_problem("  " + "x" * 10_000 + "\r\n") is None


def test_text_is_kept_as_written_but_normalised():
    raw = "  <b>Hi</b> & bye\r\nline two\x00\x1b\t!  "
    assert texts.clean(raw) == "<b>Hi</b> & bye\nline two\t!"


def test_subjects_are_one_line():
    assert texts.subject_problem("a\nb")
    assert texts.subject_problem("x" * 121)
    assert texts.subject_problem(None) is None
    assert texts.one_line("  a   b ") == "a b"


# -- conversations -----------------------------------------------------------------------
def test_read_position_never_goes_back_nor_past_the_end():
    assert conversations.read_position(0, None, 5) == 5
    assert conversations.read_position(4, 2, 5) == 4
    assert conversations.read_position(1, 9, 5) == 5


def test_unread_counts_others_messages_above_the_receipt():
    me, maya = Party("client", CHILD), Party("staff", "maya")
    messages = [(1, me), (2, maya), (3, maya), (4, me)]
    assert conversations.unread_count(messages, me, 0) == 2
    assert conversations.unread_count(messages, me, 2) == 1
    assert conversations.unread_count(messages, maya, 0) == 2


def test_nobody_starts_a_conversation_with_themselves():
    with pytest.raises(InvalidInput):
        conversations.new_members(Party("staff", "s"), Party("staff", "s"))


def test_only_staff_add_colleagues_and_a_member_is_not_added_twice():
    members = [Party("client", CHILD), Party("staff", "maya")]
    with pytest.raises(Forbidden):
        conversations.check_colleague(Party("client", CHILD), "sam", members)
    assert conversations.check_colleague(Party("staff", "maya"), "sam", members)
    assert not conversations.check_colleague(Party("staff", "maya"), "maya", members)
