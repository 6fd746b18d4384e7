"""Issue 4's people in headless Chromium: an administrator signs in through the code step,
adds Tom — the girls' father, who is not a client of the practice — as a contact of his
daughter with "View appointments" only; Tom switches between his daughters and sees
exactly what each grant allows. Ava, 14, is granted documents only, which the age rules
withhold today: staff see why, and Tom's People page says some access is paused. (A guardian who is also a client keeps her own sign-in:
test_portal_access_browser.py.)"""
import datetime
import re

from playwright.sync_api import expect

from tests.e2e.practice import (add_client, mail_count, new_practice, staff_ui_sign_in,
                                wait_for_mail)
from tests.e2e.test_story_http import Browserless, staff_session

GUARDIAN_PASSWORD = "harbour lights over the quiet bay"


def test_staff_code_step_and_a_guardian_switching_profiles(haven_stack, browser):
    practice = new_practice(haven_stack)
    base = haven_stack.base_url
    mia = add_client(haven_stack, practice, "Mia", "Doe", "2017-09-14")
    lily = add_client(haven_stack, practice, "Lily", "Doe", "2019-01-30")
    fourteen = datetime.date.today() - datetime.timedelta(days=round(14.5 * 365.25))
    ava = add_client(haven_stack, practice, "Ava", "Doe", fourteen.isoformat())
    email = f"tom-{practice.code}@example.org"
    staff_context, tom_context = browser.new_context(), browser.new_context()
    try:
        staff = staff_context.new_page()
        staff_ui_sign_in(staff, base, practice.admin_login, practice.staff_password)
        expect(staff.get_by_role("heading", name="Clients")).to_be_visible()
        expect(staff.get_by_role("link", name="Staff", exact=True)).to_be_visible()
        expect(staff.get_by_role("link", name="Security")).to_be_visible()

        # the contact is added from Mia's page, allowed to view appointments only
        staff.goto(f"{base}/staff/clients/{mia['id']}")
        panel = staff.locator("#contacts")
        expect(panel.get_by_text("No contacts act for this client.")).to_be_visible()
        before = mail_count(haven_stack)
        add = panel.get_by_role("form", name="Add a contact for Mia Doe")
        add.get_by_label("Name").fill("Tom Doe")
        add.get_by_label("Email").fill(email)
        # nothing chosen: the refusal is said of the group, not of its first checkbox
        add.get_by_role("button", name="Add contact").click()
        expect(add.get_by_role("group", name="May")).to_have_accessible_description(
            re.compile("Choose at least one thing they may do"))
        expect(add.get_by_label("View appointments")).not_to_have_attribute("aria-invalid", "true")
        expect(add.get_by_label("View appointments")).to_have_accessible_description("")
        add.get_by_label("View appointments").check()
        add.get_by_role("button", name="Add contact").click()
        expect(panel.get_by_role("heading", name=re.compile("Tom Doe"))).to_be_visible()
        expect(panel.get_by_text("Invited")).to_be_visible()
        expect(panel.get_by_role("definition").filter(has_text="View appointments")).to_be_visible()
        access = panel.get_by_role("form", name="Access of Tom Doe to Mia Doe")
        expect(access.get_by_label("View appointments")).to_be_checked()
        expect(access.get_by_label("Message the clinician")).not_to_be_checked()

        # Tom chooses his password from the emailed link; Lily's grant is given over HTTP
        path, _ = wait_for_mail(haven_stack, email, "reset", after=before)
        r = Browserless(base).call("POST", "/api/v1/password-resets/complete", json={
            "token": path.rsplit("/", 1)[1], "new_password": GUARDIAN_PASSWORD})
        assert r.status_code == 200, r.text
        admin = staff_session(haven_stack, practice.admin_login, practice.staff_password)
        contact = admin.get(f"{base}/api/v1/clients/{mia['id']}/contacts", timeout=10).json()[
            "items"][0]
        r = admin.put(f"{base}/api/v1/contacts/{contact['contact_id']}/grants/{lily['id']}",
                      json={"permissions": ["manage_information"]}, timeout=10)
        assert r.status_code == 200, r.text
        r = admin.put(f"{base}/api/v1/contacts/{contact['contact_id']}/grants/{ava['id']}",
                      json={"permissions": ["manage_documentation"]}, timeout=10)
        assert r.status_code == 200, r.text
        assert r.json()["client_age"] == 14 and r.json()["effective_permissions"] == []
        # staff see why Tom's grant for Ava allows nothing today
        staff.goto(f"{base}/staff/clients/{ava['id']}")
        expect(staff.locator("#contacts").get_by_text(
            "Nothing today: Ava is 14, and the practice keeps documents confidential from "
            "guardians from 12 to 18.")).to_be_visible()
        # the audit log names who changed what: "Tom Doe (contact)", not "contact 3b348bea"
        staff.goto(f"{base}/staff/audit?action=grant_changed")
        about = staff.get_by_role("table", name="Audit log").get_by_role("cell", name="Tom Doe (contact)")
        expect(about).to_have_count(3)

        tom = tom_context.new_page()
        tom.goto(f"{base}/p/{practice.code}")
        tom.get_by_label("Email").fill(email)
        tom.get_by_label("Password", exact=True).fill(GUARDIAN_PASSWORD)
        tom.get_by_role("button", name="Sign in").click()
        nav = tom.get_by_role("navigation", name=re.compile("Account"))
        expect(nav.get_by_role("link", name="People")).to_be_visible()
        nav.get_by_role("link", name="People").click()
        expect(tom.get_by_role("heading", name="People")).to_be_visible()
        expect(tom.get_by_role("list", name="What you can do for Mia Doe")).to_have_text(
            "View appointments")
        expect(tom.get_by_role("list", name="What you can do for Lily Doe")).to_have_text(
            re.compile("Keep their details"))
        expect(tom.get_by_role("list", name="What you can do for Ava Doe")).to_have_count(0)
        expect(tom.get_by_text("Some of your access is paused by the practice's age rules")
               ).to_be_visible()

        switch_mia = tom.get_by_role("button", name="Switch to Mia Doe")
        if switch_mia.count():
            switch_mia.click()
        else:
            nav.get_by_role("link", name=re.compile("Home|My details")).click()
        expect(tom.get_by_role("heading", name="Mia Doe", exact=True)).to_be_visible()
        expect(tom.get_by_text("View appointments")).to_be_visible()
        expect(tom.get_by_label("Mobile phone")).to_have_count(0)
        for hidden in ("My chart", "Documents", "My uploads", "My details"):
            expect(nav.get_by_role("link", name=hidden, exact=True)).to_have_count(0)

        nav.get_by_role("link", name="People").click()
        tom.get_by_role("button", name="Switch to Lily Doe").click()
        expect(tom.get_by_role("heading", name="Details: Lily Doe")).to_be_visible()
        expect(tom.get_by_label("Mobile phone")).to_be_visible()
        expect(nav.get_by_role("link", name="My chart")).to_be_visible()
        expect(nav.get_by_role("link", name="Documents", exact=True)).to_have_count(0)

        # his own Security page: two-step sign-in is optional for him
        nav.get_by_role("link", name="Security").click()
        expect(tom.get_by_role("button", name="Turn on two-step sign-in")).to_be_visible()
    finally:
        staff_context.close()
        tom_context.close()
