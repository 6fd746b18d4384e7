"""The web client's idle warning and sign-out, in headless Chromium with the page's clock
fast-forwarded (the server's own limit is tested in tests/unit/identity): a warning two
minutes before the practice's limit, "Stay signed in" keeps the session, and silence
signs the person out with a sentence that says why."""
import re

from playwright.sync_api import expect

from tests.e2e.practice import give_login, new_practice

PASSWORD = "quiet harbour lantern morning"


def test_an_idle_portal_page_warns_then_signs_out(haven_stack, browser):
    practice = new_practice(haven_stack)
    give_login(haven_stack, practice, {"id": practice.bobby_id, "email": practice.bobby_email,
                                       "first_name": "Bobby", "last_name": "Newman"}, PASSWORD)
    context = browser.new_context()
    try:
        context.clock.install()
        page = context.new_page()
        page.goto(f"{haven_stack.base_url}/p/{practice.code}")
        page.get_by_label("Email").fill(practice.bobby_email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="My details")).to_be_visible()
        warning = page.get_by_role("dialog", name="Are you still there?")
        page.clock.fast_forward("13:05")                 # the practice's 15 minutes, less 2
        expect(warning).to_be_visible()
        expect(warning.get_by_text(re.compile("Time left: 1 minute"))).to_be_visible()
        warning.get_by_role("button", name="Stay signed in").click()
        expect(warning).to_be_hidden()
        page.clock.fast_forward("14:00")                 # counted again from "stay"
        expect(page.get_by_role("heading", name="My details")).to_be_visible()
        page.clock.fast_forward("01:30")
        expect(page.get_by_text(re.compile("signed out after 15 minutes without activity"))
               ).to_be_visible()
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        assert "haven_access" not in {c["name"] for c in context.cookies()}
    finally:
        context.close()
