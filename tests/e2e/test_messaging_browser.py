"""Secure messages in Chromium on the `make run` stack: Bobby opens Messages (the
practice's not-for-emergencies notice where he writes) and writes to Maya Rivera; Maya
sees the unread count in the console, reads and replies; Bobby sees her reply. What was
typed is shown as text, never as HTML."""
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from scripts.stack import DEMO_STAFF
from tests.e2e.practice import SECRETS, staff_ui_sign_in
from tests.e2e.test_accessibility import violations
from tests.e2e.test_messaging_http import staff_by_email
from tests.e2e.test_scheduling_browser import sign_in_bobby

AXE = Axe()
POST = """async ([path, body]) => {
  const csrf = decodeURIComponent((document.cookie.split("; ").find((c) => c.startsWith("haven_csrf=")) || "=").split("=")[1]);
  const r = await fetch(path, {method: "POST", credentials: "same-origin",
    headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf}, body: JSON.stringify(body)});
  return [r.status, await r.json()];
}"""

TYPED = "Can we move Tuesday? <b>not bold</b> <img src=x onerror=alert(1)>"


def test_bobby_writes_maya_reads_and_replies(haven_stack, browser):
    bobby_ctx, staff_ctx = browser.new_context(), browser.new_context()
    try:
        bobby = bobby_ctx.new_page()
        sign_in_bobby(bobby, haven_stack)
        nav = bobby.locator("#nav-messages")
        expect(nav).to_be_visible()
        nav.click()
        expect(bobby.get_by_role("heading", name="Messages")).to_be_visible()
        expect(bobby.get_by_role("link", name="Welcome to secure messaging")).to_be_visible()
        bobby.get_by_role("link", name="New message").click()
        expect(bobby.get_by_text("not for emergencies")).to_be_visible()
        assert not violations(AXE, bobby, "new message"), "new message: axe violations"
        # the page offers only his clinicians; asked anyway, Sam Ortiz is refused
        sam = staff_by_email(haven_stack, DEMO_STAFF[2]["email"])
        status, body = bobby.evaluate(POST, ["/api/v1/conversations",
                                             {"clinician_id": sam["id"], "body": "Hello"}])
        assert status == 403 and body["error"] == "clinician_not_assigned"
        assert body["message"].startswith("You can start a conversation only with")
        bobby.get_by_label("To").select_option(label="Maya Rivera")
        bobby.get_by_label("Subject").fill("Moving Tuesday")
        bobby.get_by_label("Your message").fill(TYPED)
        bobby.get_by_role("button", name="Send").click()
        expect(bobby.get_by_role("heading", name="Moving Tuesday")).to_be_visible()
        expect(bobby.locator(".message__body").last).to_have_text(TYPED)
        assert bobby.locator(".messages b, .messages img").count() == 0
        assert not violations(AXE, bobby, "conversation"), "conversation: axe violations"

        maya = DEMO_STAFF[1]
        SECRETS.setdefault(maya["email"], haven_stack.demo["mfa_secret"])
        staff = staff_ctx.new_page()
        staff_ui_sign_in(staff, haven_stack.base_url, maya["email"], maya["password"])
        badge = staff.locator("#nav-messages .badge")
        expect(badge).to_be_visible(timeout=10000)
        staff.locator("#nav-messages").click()
        staff.get_by_role("link", name="Moving Tuesday").click()
        expect(staff.locator(".message__body").first).to_have_text(TYPED)
        staff.get_by_label("Your reply").fill("Yes, Thursday at 10 works.")
        staff.get_by_role("button", name="Send").click()
        expect(staff.locator(".message__body").last).to_have_text("Yes, Thursday at 10 works.")

        bobby.reload()
        expect(bobby.locator(".message__body").last).to_have_text("Yes, Thursday at 10 works.")
    finally:
        bobby_ctx.close()
        staff_ctx.close()
