"""WCAG 2.1 A and AA, checked by axe-core in headless Chromium over the pages people use
most: the portal's sign-in, its home, a chart tab and Appointments once signed in, the
console's sign-in (both steps) and a client's page (with its appointments and booking form). axe-core comes with the pinned
axe-playwright-python package (nothing is fetched). A violation names the rule, the
element and what to fix."""
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.practice import give_login, new_practice, staff_ui_sign_in

WCAG_21_AA = {"runOnly": {"type": "tag",
                          "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
              "resultTypes": ["violations"]}
PASSWORD = "quiet meadow lantern 58"


def violations(axe, page, label):
    """axe's violations on the page as it is now, one readable line per element."""
    found = axe.run(page, options=WCAG_21_AA).response["violations"]
    return [f"{label}: {v['id']} ({v['impact']}) {v['help']} -> {n['target']}: "
            f"{n.get('failureSummary', '').splitlines()[-1].strip()}"
            for v in found for n in v["nodes"]]


def book_appointment(stack, practice):
    """One upcoming appointment of Bobby's, booked at scheduling as the practice's system
    actor (the page under test is what matters here)."""
    import datetime
    from services.common.actor import Actor
    system = Actor.system(practice_id=practice.id).to_wire()
    starts = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2)
    with stack.rpc() as rpc:
        clinician = rpc.identity.list_staff(system)[0]
        rpc.scheduling.book_appointment(system, practice.bobby_id, {
            "clinician_id": clinician["id"], "starts_at": starts.replace(microsecond=0).isoformat(),
            "title": "Individual therapy", "location": "telehealth"})


def test_main_pages_meet_wcag_21_aa(haven_stack, browser):
    practice = new_practice(haven_stack)
    base = haven_stack.base_url
    give_login(haven_stack, practice, {"id": practice.bobby_id, "email": practice.bobby_email,
                                       "first_name": "Bobby", "last_name": "Newman"}, PASSWORD)
    axe = Axe()
    found = []
    portal, staff = browser.new_context(), browser.new_context()
    try:
        page = portal.new_page()
        # the harness itself: an image without a text alternative is a violation
        page.set_content('<html lang="en"><title>t</title><main><img src="x.png"></main></html>')
        assert any("image-alt" in line for line in violations(axe, page, "probe"))

        page.goto(f"{base}/p/{practice.code}")
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        found += violations(axe, page, "portal sign-in")

        page.get_by_label("Email").fill(practice.bobby_email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="My details")).to_be_visible()
        found += violations(axe, page, "portal home")

        page.goto(f"{base}/p/{practice.code}/chart/details")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        expect(page.locator("form")).to_be_visible()
        found += violations(axe, page, "portal chart tab")

        book_appointment(haven_stack, practice)
        page.goto(f"{base}/p/{practice.code}/appointments")
        expect(page.get_by_role("list", name="Upcoming").get_by_role("listitem")).to_have_count(1)
        found += violations(axe, page, "portal appointments")

        console = staff.new_page()
        console.goto(f"{base}/staff/sign-in")
        expect(console.get_by_role("button", name="Sign in")).to_be_visible()
        found += violations(axe, console, "staff sign-in")

        staff_ui_sign_in(console, base, practice.intake_login, practice.staff_password)
        expect(console.get_by_role("heading", name="Clients")).to_be_visible()
        console.goto(f"{base}/staff/clients/{practice.bobby_id}")
        expect(console.get_by_role("heading", name="Bobby Newman")).to_be_visible()
        expect(console.get_by_role("button", name="Suspend access")).to_be_visible()
        expect(console.get_by_role("button", name="Book appointment")).to_be_visible()
        expect(console.get_by_role("list", name="Upcoming")).to_be_visible()
        found += violations(axe, console, "staff client page")
    finally:
        portal.close()
        staff.close()
    assert not found, "WCAG 2.1 AA violations:\n" + "\n".join(found)
