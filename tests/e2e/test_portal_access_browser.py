"""Issue 4's story in headless Chromium: staff invite Jane from her page (signing in through
the console's code step), Jane opens the link from the mail catcher, a wrong date of birth
is refused with the attempts left, the right one and a password sign her in; staff link her
son from her page and give her own sign-in her daughter's appointments from the daughter's
page; staff book (and cancel) her daughter's appointments from the daughter's page; Jane
switches between the profiles and sees what each allows — her daughter's Appointments, and
no Appointments entry for a profile without view_appointments; staff remove her access to
her son and he is out of her reach."""
import datetime
import re

import requests
from playwright.sync_api import expect

from tests.e2e.practice import add_client, mail_count, new_practice, staff_ui_sign_in, wait_for_mail
from tests.e2e.test_story_http import staff_session

PASSWORD = "lantern meadow copper sparrow"


def test_invitation_linked_son_and_guardian_grant_in_the_browser(haven_stack, browser):
    practice = new_practice(haven_stack)
    base, api = haven_stack.base_url, haven_stack.base_url + "/api/v1"
    email = f"jane-{practice.code}@example.org"
    jane = add_client(haven_stack, practice, "Jane", "Doe", "1984-07-21", email)
    sam = add_client(haven_stack, practice, "Sam", "Doe", "2015-03-02", email)
    mia = add_client(haven_stack, practice, "Mia", "Doe", "2017-09-14")
    lee = add_client(haven_stack, practice, "Lee", "Doe", "2019-01-30")

    staff_context = browser.new_context()
    jane_context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        staff = staff_context.new_page()
        staff_ui_sign_in(staff, base, practice.intake_login, practice.staff_password)
        expect(staff.get_by_role("heading", name="Clients")).to_be_visible()
        staff.goto(f"{base}/staff/clients/{jane['id']}")
        expect(staff.get_by_text("Never invited")).to_be_visible()
        before = mail_count(haven_stack)
        staff.get_by_role("button", name="Send portal invitation").click()
        expect(staff.get_by_text("Invitation sent").first).to_be_visible()
        expect(staff.get_by_text(re.compile("You can resend it at"))).to_be_visible()

        path, _ = wait_for_mail(haven_stack, email, "invite", after=before)
        page = jane_context.new_page()
        page.goto(base + path)
        expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
        expect(page.get_by_text("Welcome to our portal")).to_be_visible()  # the practice's title
        page.get_by_label("Date of birth").fill("1984-07-22")
        # a short password is refused in the page, and the summary says why (not just "below")
        page.get_by_label("New password", exact=True).fill("short")
        page.get_by_role("button", name="Create account").click()
        expect(page.locator(".error-summary")).to_contain_text("at least 15 characters")
        page.get_by_label("New password", exact=True).fill(PASSWORD)
        page.get_by_label("Confirm new password").fill(PASSWORD)
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_text("doesn't match the practice's records").first).to_be_visible()
        expect(page.get_by_text("4 attempts left").first).to_be_visible()
        # said once (in the summary), not again under the field
        expect(page.locator("text=4 attempts left >> visible=true")).to_have_count(1)

        page.get_by_label("Date of birth").fill("1984-07-21")
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_role("heading", name="My details")).to_be_visible()
        expect(page.get_by_label("First name")).to_have_value("Jane")
        assert "haven_access" in {c["name"] for c in jane_context.cookies()}

        # staff link her son from her page ...
        staff.reload()
        expect(staff.get_by_role("heading", name="People this account can act for")).to_be_visible()
        staff.get_by_label("Link another client with the same email").select_option(label="Sam Doe")
        staff.get_by_role("button", name="Link client").click()
        expect(staff.get_by_role("button", name="Remove access to Sam Doe")).to_be_visible()

        # ... and, from her daughter's page, give Jane's own sign-in Mia's appointments only
        staff.goto(f"{base}/staff/clients/{mia['id']}")
        panel = staff.locator("#contacts")
        expect(panel.get_by_text("No contacts act for this client.")).to_be_visible()
        add = panel.get_by_role("form", name="Add a contact for Mia Doe")
        add.get_by_label("Who").select_option(label=f"Jane Doe (client sign-in {email})")
        add.get_by_label("View appointments").check()
        add.get_by_role("button", name="Add contact").click()
        expect(panel.get_by_role("heading", name=re.compile("Jane Doe"))).to_be_visible()
        access = panel.get_by_role("form", name="Access of Jane Doe to Mia Doe")
        expect(access.get_by_label("View appointments")).to_be_checked()
        expect(access.get_by_label("Manage information (details and chart)")).not_to_be_checked()
        # ... and, over the API, Lee's documents only (a profile without view_appointments)
        intake = staff_session(haven_stack, practice.intake_login, practice.staff_password)
        account_id = intake.get(f"{api}/clients/{jane['id']}/portal-status",
                                timeout=10).json()["account_id"]
        assert intake.put(f"{api}/portal-accounts/{account_id}/grants/{lee['id']}", timeout=10,
                          json={"permissions": ["manage_documentation"]}).status_code == 200

        # staff book Mia's appointments on her page: one through the form, one cancelled
        day = (datetime.date.today() + datetime.timedelta(days=7)).isoformat()
        booking = staff.get_by_role("form", name="Book an appointment for Mia Doe")
        booking.get_by_label("Date", exact=True).fill(day)
        booking.get_by_label("Start time").fill("10:00")
        booking.get_by_label("Telehealth (video)").check()
        booking.get_by_label("Service shown to the client").fill("Play therapy")
        booking.get_by_role("button", name="Book appointment").click()
        expect(staff.get_by_text(re.compile("Booked: "))).to_be_visible()
        upcoming = staff.get_by_role("list", name="Upcoming")
        expect(upcoming.get_by_role("listitem")).to_have_count(1)
        # the same time again: the clinician is busy, said in a sentence beside Start time
        booking.get_by_label("Date", exact=True).fill(day)
        booking.get_by_label("Start time").fill("10:00")
        booking.get_by_role("button", name="Book appointment").click()
        expect(booking.get_by_label("Start time")).to_have_accessible_description(
            re.compile("has another appointment at that time"))
        booking.get_by_label("Date", exact=True).fill(day)
        booking.get_by_label("Start time").fill("13:30")
        booking.get_by_label("Service shown to the client").fill("Check-in")
        booking.get_by_role("button", name="Book appointment").click()
        expect(upcoming.get_by_role("listitem")).to_have_count(2)
        expect(booking.locator(".error-summary")).to_have_count(0)   # the refusal is not left behind
        upcoming.get_by_role("button", name=re.compile("Cancel the appointment on .*1:30")).click()
        staff.get_by_label("Reason (for the practice only)").fill("Family asked to move it")
        staff.get_by_role("button", name="Yes, cancel it").click()
        expect(staff.get_by_text("Reason (practice only): Family asked to move it")).to_be_visible()

        # Jane: one sign-in, three profiles, each with what it allows
        page.reload()
        nav = page.get_by_role("navigation", name=re.compile("Account"))
        nav.get_by_role("link", name="People").click()
        expect(page.get_by_role("heading", name="People")).to_be_visible()
        for name in ("Jane Doe", "Sam Doe"):
            expect(page.get_by_role("list", name=f"What you can do for {name}")).to_have_text(
                re.compile("Everything"))
        expect(page.get_by_role("list", name="What you can do for Mia Doe")).to_have_text(
            "View appointments")
        page.get_by_role("button", name="Switch to Mia Doe").click()
        expect(page.get_by_role("heading", name="Mia Doe", exact=True)).to_be_visible()
        expect(page.get_by_text("doesn't include their details or documents")).to_be_visible()
        expect(page.get_by_label("First name")).to_have_count(0)
        for hidden in ("My chart", "Documents", "My uploads", "My details"):
            expect(nav.get_by_role("link", name=hidden, exact=True)).to_have_count(0)
        # her daughter's Appointments, in the practice's time zone; the cancelled one is
        # there, marked, without the practice's reason (the email sent her to see it)
        nav.get_by_role("link", name="Appointments").click()
        expect(page.get_by_role("heading", name="Appointments: Mia Doe")).to_be_visible()
        upcoming = page.get_by_role("list", name="Upcoming")
        expect(upcoming.get_by_role("listitem")).to_have_count(2)
        booked = upcoming.get_by_role("listitem").filter(has_text="Play therapy")
        expect(booked).to_contain_text("Play therapy with Intake")
        expect(booked).to_contain_text("10:00")
        expect(booked).to_contain_text("Telehealth (video)")
        expect(booked).not_to_contain_text("Cancelled")
        # "Add to calendar" downloads the .ics with the cookie session; named by its time
        with page.expect_download() as download:
            booked.get_by_role("link", name=re.compile(r"^Add to calendar: .*10:00")).click()
        assert download.value.suggested_filename == "appointment.ics"
        cancelled = upcoming.get_by_role("listitem").filter(has_text="Check-in")
        expect(cancelled).to_contain_text("Cancelled")
        expect(cancelled.get_by_role("link", name=re.compile("Add to calendar"))).to_have_count(0)
        expect(page.get_by_text("Family asked to move it")).to_have_count(0)
        expect(page.get_by_text("No past appointments.")).to_be_visible()
        # Lee's profile allows documents only: no Appointments entry, and a clear message
        nav.get_by_role("link", name="People").click()
        page.get_by_role("button", name="Switch to Lee Doe").click()
        expect(nav.get_by_role("link", name="Documents")).to_be_visible()
        expect(nav.get_by_role("link", name="Appointments")).to_have_count(0)
        page.goto(f"{base}/p/{practice.code}/appointments")
        expect(page.get_by_text("Your access to Lee Doe doesn't include appointments.")
               ).to_be_visible()
        assert page.request.get(f"{api}/me/appointments?client_id={lee['id']}").status == 403
        # whatever the page offers, the API refuses Mia's details and documents to her
        for path_ in (f"/me/details?client_id={mia['id']}", f"/me/documents?client_id={mia['id']}"):
            assert page.request.get(api + path_).status in (403, 404), path_

        nav.get_by_role("link", name="People").click()
        page.get_by_role("button", name="Switch to Sam Doe").click()
        expect(page.get_by_role("heading", name="Details: Sam Doe")).to_be_visible()
        expect(page.get_by_label("First name")).to_have_value("Sam")
        expect(nav.get_by_role("link", name="My chart")).to_be_visible()
        nav.get_by_role("link", name="People").click()
        page.get_by_role("button", name="Switch to Jane Doe").click()
        expect(page.get_by_label("First name")).to_have_value("Jane")
        # "Whose details" offers only the people whose details she keeps
        expect(page.get_by_label("Whose details").locator("option")).to_have_text(
            ["Jane Doe", "Sam Doe"])

        # staff remove her access to her son: her session ends, and he is out of her reach
        staff.goto(f"{base}/staff/clients/{jane['id']}")
        expect(staff.get_by_role("listitem").filter(has=staff.get_by_role("link", name="Mia Doe"))
               ).to_have_text(re.compile(r"through a grant: View appointments"))
        staff.get_by_role("button", name="Remove access to Sam Doe").click()
        expect(staff.get_by_role("button", name="Remove access to Sam Doe")).to_have_count(0)
        page.goto(f"{base}/p/{practice.code}/people")
        expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="People")).to_be_visible()
        expect(page.get_by_role("list", name="What you can do for Mia Doe")).to_be_visible()
        expect(page.get_by_role("list", name="What you can do for Sam Doe")).to_have_count(0)
        assert page.request.get(f"{api}/me/details?client_id={sam['id']}").status in (403, 404)
    finally:
        staff_context.close()
        jane_context.close()


def test_forgot_password_page_shows_the_practice_help(haven_stack, browser):
    practice = new_practice(haven_stack)
    admin = staff_session(haven_stack, practice.admin_login, practice.staff_password)
    r = admin.patch(f"{haven_stack.base_url}/api/v1/practice/settings", timeout=10,
                    json={"password_help": "Call Rosa at 555-0100."})
    assert r.status_code == 200
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{haven_stack.base_url}/p/{practice.code}")
        page.get_by_role("link", name="Forgot password?").click()
        expect(page.get_by_role("heading", name="Forgot your password?")).to_be_visible()
        expect(page.get_by_text("Call Rosa at 555-0100.")).to_be_visible()
        page.get_by_role("button", name="Send reset link").click()
        expect(page.locator(".error-summary")).to_contain_text("Enter your email address.")
        page.get_by_label("Email").fill(f"nobody-{practice.code}@example.org")
        page.get_by_role("button", name="Send reset link").click()
        expect(page.get_by_text(re.compile("email|link", re.I)).first).to_be_visible()
        expect(page.locator(".error-summary")).to_have_count(0)   # not left from the empty try
        static = requests.get(f"{haven_stack.base_url}/static/js/portal/main.js", timeout=10)
        assert static.headers["Cache-Control"] == "no-cache" and static.headers["ETag"]
    finally:
        context.close()
