"""Scheduling in Chromium on the `make run` stack: Bobby opens Request an appointment,
sees Maya Rivera's times in the practice's zone, requests one, sees it waiting and
withdraws another; staff approve his request from the console's Requests page; he then
cancels it from Appointments."""
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from scripts.stack import DEMO_STAFF
from tests.e2e.practice import SECRETS, staff_ui_sign_in
from tests.e2e.test_accessibility import violations

AXE = Axe()


def sign_in_bobby(page, stack):
    demo = stack.demo
    page.goto(f"{stack.base_url}/p/{demo['practice']['code']}")
    page.get_by_label("Email").fill(demo["client"]["login"])
    page.get_by_label("Password", exact=True).fill(demo["client"]["password"])
    page.get_by_role("button", name="Sign in").click()


def request_first_time(page, later_weeks=1):
    page.get_by_role("link", name="Request an appointment").click()
    expect(page.get_by_role("heading", name="Request an appointment")).to_be_visible()
    page.get_by_label("Service").select_option(label="Therapy session (50 minutes)")
    page.get_by_label("Clinician").select_option(label="Maya Rivera")
    for _ in range(later_weeks):
        page.get_by_role("button", name="Later week").click()
    times = page.locator(".booking__times button")
    expect(times.first).to_be_visible()
    label = times.first.get_attribute("aria-label")
    assert "Maya Rivera" in label
    times.first.click()
    expect(page.get_by_role("heading", name="Your request")).to_be_focused()
    assert not violations(AXE, page, "request page"), "request page: axe violations"
    page.get_by_role("button", name="Send request").click()
    expect(page.get_by_role("heading", name="Requests")).to_be_visible()
    return label


def test_bobby_requests_staff_approve_and_he_cancels(haven_stack, browser):
    bobby_ctx, staff_ctx = browser.new_context(), browser.new_context()
    try:
        bobby = bobby_ctx.new_page()
        sign_in_bobby(bobby, haven_stack)
        bobby.get_by_role("link", name="Appointments").click()
        # this week and the next: the demo vacation starts 15 days out at the earliest
        request_first_time(bobby, later_weeks=0)
        request_first_time(bobby, later_weeks=1)
        withdraw = bobby.get_by_role("button", name="Withdraw").last
        withdraw.click()
        expect(bobby.get_by_role("button", name="Withdraw")).to_have_count(1)
        assert not violations(AXE, bobby, "appointments with requests")

        staff = staff_ctx.new_page()
        admin = DEMO_STAFF[0]
        SECRETS.setdefault(admin["email"], haven_stack.demo["mfa_secret"])
        staff_ui_sign_in(staff, haven_stack.base_url, admin["email"], admin["password"])
        staff.get_by_role("link", name="Requests").click()
        expect(staff.get_by_role("heading", name="Appointment requests")).to_be_visible()
        staff.get_by_role("button", name="Approve").first.click()
        expect(staff.get_by_text("Approved: it is on the calendar.")).to_be_visible()

        bobby.reload()
        expect(bobby.get_by_role("button", name="Withdraw")).to_have_count(0)
        cancel = bobby.get_by_role("button", name="Cancel").first
        expect(cancel).to_be_visible()
        count = bobby.get_by_role("button", name="Cancel").count()
        cancel.click()
        bobby.get_by_role("button", name="Yes, cancel it").click()
        expect(bobby.get_by_text("The appointment was cancelled.")).to_be_visible()
        expect(bobby.get_by_role("button", name="Cancel")).to_have_count(count - 1)
    finally:
        bobby_ctx.close()
        staff_ctx.close()


def test_the_administrator_sets_up_scheduling_in_the_console(haven_stack, browser):
    """Dana sees the demo setup, saves the settings, and blocks a day of Maya's 50 days
    out (beyond what the other tests look at): it is listed and no longer offered."""
    from datetime import date, timedelta

    context = browser.new_context()
    try:
        page = context.new_page()
        admin = DEMO_STAFF[0]
        SECRETS.setdefault(admin["email"], haven_stack.demo["mfa_secret"])
        staff_ui_sign_in(page, haven_stack.base_url, admin["email"], admin["password"])
        page.get_by_role("link", name="Scheduling").click()
        expect(page.get_by_role("heading", name="Scheduling setup")).to_be_visible()
        expect(page.get_by_text("Therapy intake — 1 hour")).to_be_visible()
        expect(page.get_by_role("heading", name="Maya Rivera: weekly hours")).to_be_visible()
        assert not violations(AXE, page, "scheduling setup")
        page.get_by_label("Buffer between appointments (minutes)").fill("15")
        page.get_by_role("button", name="Save settings").click()
        expect(page.get_by_text("Scheduling settings saved.")).to_be_visible()

        day = date.today() + timedelta(days=50)
        while day.weekday() > 3:
            day += timedelta(days=1)
        page.get_by_label("Whose").select_option(label="Maya Rivera")
        page.get_by_label("From").last.fill(f"{day.isoformat()}T00:00")
        page.get_by_label("Until").fill(f"{(day + timedelta(days=1)).isoformat()}T00:00")
        page.get_by_label("Label (staff only)").fill("Conference")
        page.get_by_role("button", name="Block time").click()
        expect(page.get_by_text("Maya Rivera: Conference")).to_be_visible()

        from services.common.actor import Actor
        system = Actor.system(practice_id=haven_stack.demo["practice"]["id"]).to_wire()
        with haven_stack.rpc() as rpc:
            session = next(s for s in rpc.scheduling.list_services(system, {})["items"]
                           if s["name"] == "Therapy session")
            found = rpc.scheduling.find_availability(system, {
                "service_id": session["id"], "from": day.isoformat(), "to": day.isoformat()})
        assert found["items"] == []
    finally:
        context.close()
