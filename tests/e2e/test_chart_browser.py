"""Issue 5's done-when story in headless Chromium, one flow on the shared stack.

The administrator adds a Details field of the practice's own. Bobby, on his phone, saves
each tab of his chart in turn — Basic (after a validation message lands beside its
field), Details (primary language, part of Details: one save, one alert, and the
practice's field), Contacts, Insurance with a photo of his card's front, Communication — and sends a
PDF through My uploads. The intake staff member sees one alert per saved tab and one per
upload, reviews the changes (who made them, by name; the card photo as a picture),
reverts one from "Changes to review" and one from the client's history; Bobby sees the
reverted value. Sue, a contact acting for Bobby, is named on her change, and staff share a
letter with her alone. Bobby's legal name and date of birth are shown read-only, saying
the practice corrects them; with insurance updates turned off the Insurance tab is not
there at all (a link to it says the practice keeps insurance). The front desk then edits
Bobby's insurance in the console (the portal's form): saved, listed in the history under
the staff member's name; a 422 lands beside its field; an edit made stale through the API
meanwhile gets the conflict message and the latest values. Sharing a letter with no type
says first that its reader will never see it in the portal; a document type never used is
deleted, one in use is refused with the advice to archive it, and archived.
"""
import base64
import re
import time

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.practice import give_login, mail_count, new_practice, staff_browser_cookies
from tests.e2e.test_accessibility import violations
from tests.e2e.test_chart_story_http import PASSWORD, PDF, settings
from tests.e2e.test_people_http import choose_password_from_mail, portal
from tests.e2e.test_story_http import staff_session

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQ"
                       "DwAEhQGAhKmMIQAAAABJRU5ErkJggg==")
SUE_PASSWORD = "silver heron by the old mill"
ALERTS_DEADLINE = 20.0   # events reach notify in well under a second; a busy machine is slower


def saved(page, tab_button, notice):
    page.get_by_role("button", name=tab_button).click()
    expect(page.get_by_text(re.compile(notice))).to_be_visible()


def open_tab(page, name):
    page.get_by_role("navigation", name="Chart sections").get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=f"My chart: {name}")).to_be_visible()


def alerts_by_kind(staff, base, tab_saves, uploads):
    """The Alerts page once notify has caught up (it lags the saves by the event relay)."""
    deadline = time.monotonic() + ALERTS_DEADLINE
    while True:
        staff.goto(f"{base}/staff/alerts")
        items = staff.get_by_role("list", name="Alerts").get_by_role("listitem")
        expect(staff.get_by_role("heading", name="Alerts")).to_be_visible()
        updated = items.filter(has_text=" updated ").count()
        uploaded = items.filter(has_text="portal upload").count()
        if (updated, uploaded) == (tab_saves, uploads) or time.monotonic() > deadline:
            return updated, uploaded
        time.sleep(0.5)


def test_bobby_keeps_each_tab_current_and_staff_review_it_in_the_browser(haven_stack, browser):
    practice = new_practice(haven_stack)
    base = haven_stack.base_url
    give_login(haven_stack, practice, {"id": practice.bobby_id, "email": practice.bobby_email,
                                       "first_name": "Bobby", "last_name": "Newman"}, PASSWORD)
    admin = staff_session(haven_stack, practice.admin_login, practice.staff_password)
    settings(haven_stack, admin, client_uploads_enabled=True, allow_clients_update_insurance=True)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    staff_context = browser.new_context()
    try:
        # the administrator asks a question of the practice's own on Details
        staff_context.add_cookies(staff_browser_cookies(base, practice.admin_login,
                                                        practice.staff_password))
        staff = staff_context.new_page()
        staff.goto(f"{base}/staff/chart-settings")
        staff.get_by_role("button", name="Add a field").click()
        expect(staff.get_by_label("Label")).to_be_focused()
        staff.get_by_label("Label").fill("How did you hear about us?")
        staff.get_by_label("Type").select_option(label="Choice (one of a list)")
        staff.get_by_label("Choices").fill("A friend\nThe web")
        staff.get_by_role("button", name="Save Details fields").click()
        expect(staff.get_by_text("Details fields saved: “How did you hear about us?”.")).to_be_visible()
        expect(staff.get_by_text("Answers are kept as extra.how_did_you_hear_about_us.")).to_be_visible()

        page = context.new_page()
        page.goto(f"{base}/p/{practice.code}")
        page.get_by_label("Email").fill(practice.bobby_email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="My chart").click()
        expect(page.get_by_role("heading", name="My chart: Basic")).to_be_visible()

        # Basic: a bad phone number gets the API's sentence beside the field, focus on it
        phone = page.get_by_label("Mobile phone", exact=True)
        phone.fill("12")
        page.get_by_role("button", name="Save basic").click()
        expect(phone).to_have_attribute("aria-invalid", "true")
        expect(phone).to_be_focused()
        error_id = page.locator("[data-field='phone_mobile'] .field__error").get_attribute("id")
        assert error_id in phone.get_attribute("aria-describedby").split()
        phone.fill("+1 555 010 2030")
        page.get_by_label("Pronouns").fill("he/him")
        page.get_by_label("City").fill("Portland")
        saved(page, "Save basic", "Saved: .*Pronouns")

        # Details: language (part of the tab: one save with the rest) and the practice's question
        open_tab(page, "Details")
        page.get_by_label("Primary language").select_option("Spanish")
        page.get_by_label("Do you need an interpreter?").select_option(label="Yes")
        page.get_by_label("Marital status").select_option(label="Married")
        page.get_by_label("How did you hear about us?").select_option("The web")
        saved(page, "Save details", "Saved: Primary language.*Do you need an interpreter.*How did you hear about us")
        page.reload()
        expect(page.get_by_label("Primary language")).to_have_value("Spanish")

        open_tab(page, "Contacts")
        emergency = page.get_by_role("group", name="Emergency contact")
        emergency.get_by_label("Name").fill("Sue Newman")
        emergency.get_by_label("Relationship to you").fill("Sister")
        emergency.get_by_label("Mobile phone").fill("+1 555 010 4455")
        saved(page, "Save contacts", "Saved: Emergency contact: Name")

        # Insurance with a photo of the card's front, previewed once it is sent
        open_tab(page, "Insurance")
        primary = page.get_by_role("group", name="Primary insurance")
        primary.get_by_label("Insurance company").fill("Aetna")
        primary.get_by_label("Member id").fill("W123456789")
        primary.get_by_label("The subscriber is").select_option(label="Me")
        primary.get_by_label("Choose a photo of the front").set_input_files(
            {"name": "card-front.png", "mimeType": "image/png", "buffer": PNG})
        expect(primary.get_by_text(re.compile("Photo of the front ready"))).to_be_visible()
        expect(primary.get_by_role("img", name="Primary insurance card, front")).to_be_visible()
        saved(page, "Save insurance", "Saved: Primary insurance: Insurance company.*Card photo, front")

        open_tab(page, "Communication preferences")
        page.get_by_label("Text you?").select_option(label="No")
        saved(page, "Save communication preferences", "Saved: Text you")

        page.get_by_role("link", name="My uploads").click()
        expect(page.get_by_role("heading", name="My uploads")).to_be_visible()
        page.get_by_label("File", exact=True).set_input_files(
            {"name": "page.pdf", "mimeType": "application/pdf", "buffer": b"<html>no</html>"})
        page.get_by_role("button", name="Upload").click()
        expect(page.get_by_text(re.compile("cannot be uploaded"))).to_be_visible()
        page.get_by_label("File", exact=True).set_input_files(
            {"name": "referral.pdf", "mimeType": "application/pdf", "buffer": PDF})
        page.get_by_label("What is it?").fill("Referral letter")
        page.get_by_role("button", name="Upload").click()
        expect(page.get_by_text("Uploaded: Referral letter. The practice has been told.")).to_be_visible()
        with page.expect_download() as info:
            page.get_by_role("button", name="Download Referral letter").click()
        assert info.value.suggested_filename == "referral.pdf"

        # the intake staff member: one alert per saved tab (five: Details' language and
        # marital status in one), one per upload (the card photo and the PDF)
        staff_context.clear_cookies()
        staff_context.add_cookies(staff_browser_cookies(base, practice.intake_login,
                                                        practice.staff_password))
        assert alerts_by_kind(staff, base, tab_saves=5, uploads=2) == (5, 2)
        items = staff.get_by_role("list", name="Alerts").get_by_role("listitem")
        expect(items.filter(has_text=re.compile("updated primary language, .*marital status"))).to_have_count(1)
        # fields as people say them, not as the API spells them ("phone mobile")
        expect(items.filter(has_text="Bobby Newman updated mobile phone, city, pronouns")).to_have_count(1)
        expect(items.filter(has_text=re.compile(
            r"updated emergency contact \(name, mobile phone, relationship to you\)"))).to_have_count(1)
        expect(items.filter(has_text=re.compile("phone mobile|_"))).to_have_count(0)

        # Sue, Bobby's sister, acts for him in the portal: staff see her name on her change
        sue_email = f"sue-{practice.code}@example.org"
        before = mail_count(haven_stack)
        sue = admin.post(f"{base}/api/v1/contacts", timeout=10,
                         json={"email": sue_email, "name": "Sue Newman"})
        assert sue.status_code == 201, sue.text
        r = admin.put(f"{base}/api/v1/contacts/{sue.json()['contact_id']}/grants/"
                      f"{practice.bobby_id}", timeout=10,
                      json={"permissions": ["manage_information", "manage_documentation"]})
        assert r.status_code == 200, r.text
        choose_password_from_mail(haven_stack, sue_email, SUE_PASSWORD, before)
        sue_portal, r = portal(base, practice, sue_email, SUE_PASSWORD)
        assert r.status_code == 200, r.text
        query = f"?client_id={practice.bobby_id}"
        tab = sue_portal.call("GET", f"/api/v1/me/chart/communication{query}").json()
        r = sue_portal.call("PATCH", f"/api/v1/me/chart/communication{query}",
                            json={"voicemail_ok": True, "version": tab["version"]})
        assert r.status_code == 200, r.text

        staff.get_by_role("link", name="Changes to review").click()
        expect(staff.get_by_role("heading", name="Changes to review")).to_be_visible()
        expect(staff.get_by_text("Changed by Bobby Newman (client, portal)").first).to_be_visible()
        expect(staff.get_by_text("Changed by Sue Newman (contact, portal)")).to_be_visible()
        expect(staff.get_by_role("img", name="Primary insurance: Card photo, front")).to_be_visible()
        row = staff.get_by_role("row", name=re.compile("^City"))
        expect(row).to_contain_text("Portland")
        row.get_by_role("button", name=re.compile("^Revert")).click()
        expect(staff.get_by_text("Reverted: City is now empty.")).to_be_visible()

        # the client's history: the section, who by name, and Revert for a portal change
        staff.goto(f"{base}/staff/clients/{practice.bobby_id}")
        history = staff.locator("#revisions")
        text_row = history.get_by_role("row", name=re.compile("Text you"))
        expect(text_row).to_contain_text("Communication preferences")
        expect(text_row).to_contain_text("Bobby Newman (client, portal)")
        text_row.get_by_role("button", name=re.compile("^Revert")).click()
        expect(staff.get_by_text("Reverted: Text you? is now empty.")).to_be_visible()
        expect(history.get_by_role("row", name=re.compile("^.*City")).first).to_contain_text("You")

        # the chart: the card photo as a picture; a letter shared with one contact only
        staff.goto(f"{base}/staff/clients/{practice.bobby_id}/chart")
        expect(staff.get_by_role("img", name="Primary insurance card, front")).to_be_visible()
        expect(staff.get_by_text("Spanish")).to_be_visible()
        staff.get_by_label("File", exact=True).set_input_files(
            {"name": "letter.pdf", "mimeType": "application/pdf", "buffer": PDF})
        staff.get_by_label("Title").fill("Letter for Sue")
        staff.get_by_label("Share with").select_option(label="Only Sue Newman (contact)")
        # no type: the form says, before sharing, that Sue will never see it in the portal
        expect(staff.get_by_label("Document type")).to_have_accessible_description(
            re.compile("^Sue Newman will not see this document in the portal: it has no type"))
        staff.get_by_role("button", name="Share", exact=True).click()
        expect(staff.get_by_text("Shared with Sue Newman only: Letter for Sue. Sue Newman will "
                                 "not see this document in the portal.")).to_be_visible()
        expect(staff.get_by_text(re.compile("shared with Sue Newman only · not shown in the portal"))).to_be_visible()

        page.get_by_role("link", name="My chart").click()
        expect(page.get_by_role("heading", name="My chart: Basic")).to_be_visible()
        expect(page.get_by_label("City")).to_have_value("")

        # Bobby's legal name and date of birth: shown, never his to change
        for label in ("Legal first name", "Legal last name", "Date of birth"):
            expect(page.get_by_label(label)).to_have_attribute("readonly", "")
        expect(page.get_by_label("Legal first name")).to_have_value("Bobby")
        expect(page.get_by_label("Date of birth")).to_have_accessible_description(
            "Only the practice can change this. To correct it, please contact the practice.")

        # insurance updates turned off: the practice keeps insurance, the tab is not there
        settings(haven_stack, admin, allow_clients_update_insurance=False)
        page.reload()
        expect(page.get_by_role("heading", name="My chart: Basic")).to_be_visible()
        nav = page.get_by_role("navigation", name="Chart sections")
        expect(nav.get_by_role("link", name="Details")).to_be_visible()
        expect(nav.get_by_role("link", name="Insurance")).to_have_count(0)
        page.goto(f"{base}/p/{practice.code}/chart/insurance")
        expect(page.get_by_text("This practice keeps insurance details itself")).to_be_visible()
        expect(page.get_by_label("Insurance company")).to_have_count(0)

        # the front desk changes the payer over the phone, in the console
        staff.goto(f"{base}/staff/clients/{practice.bobby_id}/chart")
        card = staff.get_by_role("region", name="Insurance", exact=True)
        card.get_by_role("button", name="Edit insurance").click()
        payer = card.get_by_role("group", name="Primary insurance").get_by_label("Insurance company")
        expect(payer).to_be_focused()
        payer.fill("Cigna")
        card.get_by_role("button", name="Save insurance").click()
        expect(staff.get_by_text(re.compile("^Saved Insurance: Primary insurance: Insurance company\\."))).to_be_visible()
        expect(card.get_by_role("button", name="Edit insurance")).to_be_focused()
        expect(card).to_contain_text("Cigna")
        expect(card.get_by_role("img", name="Primary insurance card, front")).to_be_visible()

        # a required field left empty: the API's sentence beside it
        card.get_by_role("button", name="Edit insurance").click()
        member = card.get_by_role("group", name="Primary insurance").get_by_label("Member id")
        member.fill("")
        card.get_by_role("button", name="Save insurance").click()
        expect(member).to_have_attribute("aria-invalid", "true")
        expect(member).to_be_focused()

        # stale: the plan changes through the API while the form is open
        member.fill("W123456789")
        card.get_by_role("group", name="Primary insurance").get_by_label("Insurance company").fill("Humana")
        tab = admin.get(f"{base}/api/v1/clients/{practice.bobby_id}/chart",
                        timeout=10).json()["tabs"]["insurance"]
        r = admin.patch(f"{base}/api/v1/clients/{practice.bobby_id}/chart/insurance", timeout=10,
                        json={"primary": {**tab["values"]["primary"], "plan": "Gold"},
                              "version": tab["version"]})
        assert r.status_code == 200, r.text
        card.get_by_role("button", name="Save insurance").click()
        expect(card.get_by_text(re.compile("changed by someone else"))).to_be_visible()
        expect(card.get_by_text("Changed elsewhere: Primary insurance: Plan.")).to_be_visible()
        expect(card.get_by_text("You had changed: Primary insurance: Insurance company.")).to_be_visible()
        expect(card.get_by_role("group", name="Primary insurance").get_by_label("Plan")).to_have_value("Gold")
        expect(card.get_by_role("group", name="Primary insurance").get_by_label("Insurance company")).to_have_value("Cigna")
        assert violations(Axe(), staff, "console chart, editing with a conflict") == []

        staff.goto(f"{base}/staff/clients/{practice.bobby_id}")
        payer_row = staff.locator("#revisions").get_by_role("row", name=re.compile("Insurance company")).filter(has_text="Cigna").first
        expect(payer_row).to_contain_text(re.compile(r"You \(.+, staff\)"))

        # document types out of use: one never used is deleted; one in use is archived
        staff.goto(f"{base}/staff/documents")
        types = staff.get_by_role("region", name="Document types")
        for name in ("Old forms", "Court letters"):
            staff.get_by_label("Name").fill(name)
            staff.get_by_role("button", name="Add type").click()
            expect(types.get_by_role("listitem").filter(has_text=name)).to_have_count(1)
        letters = next(t for t in admin.get(f"{base}/api/v1/document-types", timeout=10).json()
                       if t["name"] == "Court letters")
        r = admin.post(f"{base}/api/v1/documents", timeout=30,
                       files={"file": ("court.pdf", PDF, "application/pdf")},
                       data={"title": "Court letter", "type_id": letters["id"],
                             "client_id": practice.bobby_id})
        assert r.status_code == 201 and r.json()["shown_in_portal"] is False, r.text
        types.get_by_role("button", name="Delete Old forms").click()
        types.get_by_role("button", name="Yes, delete Old forms").click()
        expect(staff.get_by_text("Old forms is deleted.")).to_be_visible()
        expect(types.get_by_role("listitem").filter(has_text="Old forms")).to_have_count(0)
        types.get_by_role("button", name="Delete Court letters").click()
        types.get_by_role("button", name="Yes, delete Court letters").click()
        expect(staff.get_by_text(re.compile("^1 document is filed under this type.*Archive it instead"))).to_be_visible()
        types.get_by_role("button", name="Archive Court letters").click()
        expect(types.get_by_text(re.compile("archived: not offered for new documents"))).to_be_visible()
        expect(staff.get_by_label("Document type").get_by_role("option", name=re.compile("Court letters"))).to_have_count(0)
    finally:
        context.close()
        staff_context.close()
