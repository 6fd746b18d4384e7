"""Issue 3's story in a real headless Chromium, through the web client Haven serves."""
import re

from playwright.sync_api import expect

from tests.e2e.practice import new_practice, staff_ui_sign_in

TEMPORARY = "violet kettle gravel 2931"
PRIVATE = "my own quiet harbour at dusk"


def test_bobby_story_in_the_browser(haven_stack, browser):
    practice = new_practice(haven_stack)
    base = haven_stack.base_url
    staff_context, bobby_context = browser.new_context(), browser.new_context(
        viewport={"width": 390, "height": 844})  # Bobby is on his phone
    try:
        # staff sign in through both steps: password, then the authenticator's code
        staff = staff_context.new_page()
        staff_ui_sign_in(staff, base, practice.intake_login, practice.staff_password)
        expect(staff.get_by_role("heading", name="Clients")).to_be_visible()

        staff.get_by_label("Search clients").fill("Newman")
        staff.get_by_role("button", name="Search").click()
        staff.get_by_role("link", name="Bobby Newman").click()
        staff.get_by_label("Login", exact=True).fill(practice.bobby_email)
        staff.get_by_label("Temporary password").fill(TEMPORARY)
        expect(staff.get_by_label("Change password at next login")).to_be_checked()
        staff.get_by_role("button", name="Set up portal access").click()
        expect(staff.get_by_role("button", name="Suspend access")).to_be_visible()

        bobby = bobby_context.new_page()
        bobby.goto(f"{base}/p/{practice.code}")
        expect(bobby.get_by_text("Welcome to our portal")).to_be_visible()  # practice title
        bobby.get_by_label("Email").fill(practice.bobby_email)
        bobby.get_by_label("Password", exact=True).fill(TEMPORARY)
        bobby.get_by_role("button", name="Sign in").click()
        expect(bobby.get_by_role("heading", name="Choose a private password")).to_be_visible()
        bobby.get_by_label("Temporary password").fill(TEMPORARY)
        bobby.get_by_label("New password", exact=True).fill(PRIVATE)
        bobby.get_by_label("Confirm new password").fill(PRIVATE)
        bobby.get_by_role("button", name="Save password and continue").click()
        expect(bobby.get_by_role("heading", name="My details")).to_be_visible()

        bobby.get_by_label("Mobile phone").fill("+1 555 010 2030")
        bobby.get_by_label("Address line 1").fill("12 Harbour Street")
        bobby.get_by_label("City").fill("Portland")
        bobby.get_by_label("Primary language").select_option(label="Spanish")
        bobby.get_by_role("button", name="Save changes").click()
        expect(bobby.get_by_text(re.compile("Your changes have been saved"))).to_be_visible()

        staff.get_by_role("link", name=re.compile("^Alerts")).click()
        staff.reload()
        expect(staff.get_by_text(re.compile("Bobby Newman updated .*primary language"))).to_be_visible(
            timeout=10_000)
        staff.get_by_role("link", name="Bobby Newman").first.click()
        history = staff.get_by_role("table")
        expect(history.get_by_text("Spanish")).to_be_visible()

        staff.get_by_role("button", name="Suspend access").click()
        expect(staff.get_by_role("button", name="Reactivate access")).to_be_visible()
        # his open session ends: the next thing he does sends him back to sign in
        bobby.wait_for_timeout(1000)
        bobby.reload()
        expect(bobby.get_by_role("button", name="Sign in")).to_be_visible()
        bobby.get_by_label("Email").fill(practice.bobby_email)
        bobby.get_by_label("Password", exact=True).fill(PRIVATE)
        bobby.get_by_role("button", name="Sign in").click()
        expect(bobby.get_by_text(re.compile("cannot sign in", re.I))).to_be_visible()
    finally:
        staff_context.close()
        bobby_context.close()
