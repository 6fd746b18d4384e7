"""Issue 5 in headless Chromium: Bobby saves a chart tab and uploads a file on his phone;
a validation message lands beside its field; insurance is read-only with the practice's
note; staff review the change and revert it."""
import base64
import re

from playwright.sync_api import expect

from tests.e2e.practice import give_login, new_practice, staff_browser_cookies
from tests.e2e.test_chart_story_http import PASSWORD, settings
from tests.e2e.test_story_http import staff_session

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQ"
                       "DwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def test_bobby_saves_a_tab_and_uploads_in_the_browser(haven_stack, browser):
    practice = new_practice(haven_stack)
    base = haven_stack.base_url
    give_login(haven_stack, practice, {"id": practice.bobby_id, "email": practice.bobby_email,
                                       "first_name": "Bobby", "last_name": "Newman"}, PASSWORD)
    admin = staff_session(haven_stack, practice.admin_login, practice.staff_password)
    settings(haven_stack, admin, client_uploads_enabled=True,
             allow_clients_update_insurance=False)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    staff_context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{base}/p/{practice.code}")
        page.get_by_label("Email").fill(practice.bobby_email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="My chart").click()
        expect(page.get_by_role("heading", name="My chart: Basic")).to_be_visible()

        # a bad phone number: the API's sentence beside the field, focus on it
        phone = page.get_by_label("Mobile phone", exact=True)
        phone.fill("12")
        page.get_by_role("button", name="Save basic").click()
        expect(phone).to_have_attribute("aria-invalid", "true")
        expect(phone).to_be_focused()
        phone.fill("+1 555 010 2030")
        page.get_by_label("Pronouns").fill("he/him")
        page.get_by_label("City").fill("Portland")
        page.get_by_role("button", name="Save basic").click()
        expect(page.get_by_text(re.compile("Saved: .*Pronouns"))).to_be_visible()

        page.get_by_role("link", name="Communication preferences").click()
        expect(page.get_by_role("heading", name="My chart: Communication preferences")).to_be_visible()
        page.get_by_label("Text you?").select_option(label="No")
        page.get_by_role("button", name="Save communication preferences").click()
        expect(page.get_by_text(re.compile("Saved: Text you"))).to_be_visible()

        page.get_by_role("link", name="Insurance").click()
        expect(page.get_by_text("Insurance details can only be changed by the practice")).to_be_visible()
        expect(page.get_by_label("Insurance company").first).to_have_attribute("readonly", "")
        expect(page.get_by_role("button", name=re.compile("^Save"))).to_have_count(0)

        page.get_by_role("link", name="My uploads").click()
        expect(page.get_by_role("heading", name="My uploads")).to_be_visible()
        page.get_by_label("File", exact=True).set_input_files(
            {"name": "page.pdf", "mimeType": "application/pdf", "buffer": b"<html>no</html>"})
        page.get_by_role("button", name="Upload").click()
        expect(page.get_by_text(re.compile("cannot be uploaded"))).to_be_visible()
        page.get_by_label("File", exact=True).set_input_files(
            {"name": "card-front.jpg", "mimeType": "image/jpeg", "buffer": PNG})
        page.get_by_label("What is it?").fill("Insurance card, front")
        page.get_by_role("button", name="Upload").click()
        expect(page.get_by_text("Uploaded: Insurance card, front. The practice has been told.")).to_be_visible()
        expect(page.get_by_role("button", name="Download Insurance card, front")).to_be_visible()
        with page.expect_download() as info:
            page.get_by_role("button", name="Download Insurance card, front").click()
        assert info.value.suggested_filename == "card-front.jpg.png"

        # staff: the changes wait for review; revert the city
        # staff sign in with a second step the console cannot show yet: bring the cookies
        staff_context.add_cookies(staff_browser_cookies(base, practice.intake_login,
                                                        practice.staff_password))
        staff = staff_context.new_page()
        staff.goto(f"{base}/staff")
        staff.get_by_role("link", name="Changes to review").click()
        expect(staff.get_by_role("heading", name="Changes to review")).to_be_visible()
        row = staff.get_by_role("row", name=re.compile("City"))
        expect(row).to_contain_text("Portland")
        row.get_by_role("button", name=re.compile("^Revert")).click()
        expect(staff.get_by_text(re.compile("Reverted: City is now"))).to_be_visible()

        page.get_by_role("link", name="My chart").click()
        expect(page.get_by_label("City")).to_have_value("")
    finally:
        context.close()
        staff_context.close()
