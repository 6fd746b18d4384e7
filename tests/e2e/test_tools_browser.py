"""The smaller tools in headless Chromium: Bobby deletes an upload the practice has not
opened; staff show his safe word only when asked, change it, reset his two-step sign-in,
cancel a pending invitation, and stop sharing then delete a document on his chart."""
import re

from playwright.sync_api import expect

from tests.e2e.practice import add_client, give_login, new_practice, staff_browser_cookies
from tests.e2e.test_chart_browser import PNG
from tests.e2e.test_chart_story_http import PASSWORD, settings
from tests.e2e.test_story_http import staff_session

PDF = b"%PDF-1.4\n" + b"x" * 500 + b"\n%%EOF\n"


def test_portal_delete_and_staff_tools_in_the_browser(haven_stack, browser):
    practice = new_practice(haven_stack)
    base, api = haven_stack.base_url, haven_stack.base_url + "/api/v1"
    bobby = {"id": practice.bobby_id, "email": practice.bobby_email, "first_name": "Bobby",
             "last_name": "Newman"}
    give_login(haven_stack, practice, bobby, PASSWORD)
    admin = staff_session(haven_stack, practice.admin_login, practice.staff_password)
    settings(haven_stack, admin, client_uploads_enabled=True)
    r = admin.put(f"{api}/clients/{bobby['id']}/safe-word", json={"safe_word": "blue heron"},
                  timeout=10)
    assert r.status_code == 200, r.text
    r = admin.post(f"{api}/documents", timeout=10, data={"client_id": bobby["id"],
                                                         "title": "Care plan"},
                   files={"file": ("plan.pdf", PDF, "application/pdf")})
    assert r.status_code == 201, r.text
    carla = add_client(haven_stack, practice, "Carla", "Pending", "1990-02-03",
                       f"carla-{practice.code}@example.org")
    assert admin.post(f"{api}/clients/{carla['id']}/invitation", timeout=10).status_code == 201

    context = browser.new_context(viewport={"width": 390, "height": 844})
    staff_context = browser.new_context()
    try:
        # Bobby uploads, then takes it back
        page = context.new_page()
        page.goto(f"{base}/p/{practice.code}")
        page.get_by_label("Email").fill(practice.bobby_email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="My uploads").click()
        page.get_by_label("File", exact=True).set_input_files(
            {"name": "oops.png", "mimeType": "image/png", "buffer": PNG})
        page.get_by_label("What is it?").fill("Wrong photo")
        page.get_by_role("button", name="Upload").click()
        expect(page.get_by_text("Uploaded: Wrong photo. The practice has been told.")).to_be_visible()
        page.get_by_role("button", name="Delete Wrong photo").click()
        page.get_by_role("button", name="Yes, delete Wrong photo").click()
        expect(page.get_by_text("Deleted: Wrong photo.")).to_be_visible()
        expect(page.get_by_text("You haven't uploaded anything yet.")).to_be_visible()

        staff_context.add_cookies(staff_browser_cookies(base, practice.admin_login,
                                                        practice.staff_password))
        staff = staff_context.new_page()
        staff.goto(f"{base}/staff/clients/{bobby['id']}")
        expect(staff.get_by_role("heading", name="Safe word")).to_be_visible()
        expect(staff.get_by_text("blue heron")).to_have_count(0)      # only on demand
        staff.get_by_role("button", name="Show safe word").click()
        expect(staff.get_by_text("blue heron")).to_be_visible()
        staff.get_by_role("button", name="Hide safe word").click()
        expect(staff.get_by_text("blue heron")).to_have_count(0)
        staff.get_by_label("New safe word").fill("green kettle")
        staff.get_by_role("button", name="Save safe word").click()
        expect(staff.get_by_text("The safe word is saved.")).to_be_visible()
        staff.get_by_role("button", name="Show safe word").click()
        expect(staff.get_by_text("green kettle")).to_be_visible()
        staff.get_by_role("button", name="Reset two-step sign-in").click()
        staff.get_by_role("button", name=re.compile("^Yes, remove")).click()
        expect(staff.get_by_text(re.compile("two-step sign-in is removed"))).to_be_visible()

        staff.goto(f"{base}/staff/clients/{carla['id']}")
        staff.get_by_role("button", name="Cancel invitation").click()
        expect(staff.get_by_text("Invitation cancelled").first).to_be_visible()
        expect(staff.get_by_role("button", name="Send a new invitation")).to_be_visible()

        staff.goto(f"{base}/staff/clients/{bobby['id']}/chart")
        staff.get_by_role("button", name="Stop sharing Care plan").click()
        staff.get_by_role("button", name="Yes, stop sharing Care plan").click()
        expect(staff.get_by_text(re.compile("Care plan is no longer shared"))).to_be_visible()
        expect(staff.get_by_role("button", name="Stop sharing Care plan")).to_have_count(0)
        staff.get_by_role("button", name="Delete Care plan").click()
        staff.get_by_role("button", name="Yes, delete Care plan").click()
        expect(staff.get_by_text("Care plan is deleted.")).to_be_visible()
        expect(staff.get_by_text("Nothing shared yet.")).to_be_visible()
    finally:
        context.close()
        staff_context.close()


def test_logo_accent_and_own_subdomain_on_the_portal(haven_stack, browser):
    """An administrator uploads a logo and picks a light accent: the portal's sign-in page
    shows the logo (its title as text) and black text on the accent; the practice's own
    subdomain of localhost opens the same portal, where Bobby signs in."""
    practice = new_practice(haven_stack)
    base, api = haven_stack.base_url, haven_stack.base_url + "/api/v1"
    give_login(haven_stack, practice, {"id": practice.bobby_id, "email": practice.bobby_email,
                                       "first_name": "Bobby", "last_name": "Newman"}, PASSWORD)
    admin = staff_session(haven_stack, practice.admin_login, practice.staff_password)
    r = admin.post(f"{api}/practice/logo", timeout=10,
                   files={"file": ("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>",
                                   "image/svg+xml")})
    assert r.status_code == 422 and r.json()["error"] == "logo_type_refused"
    r = admin.post(f"{api}/practice/logo", timeout=10, files={"file": ("logo.png", PNG, "image/png")})
    assert r.status_code == 200, r.text
    subdomain = f"own-{practice.code}"
    r = admin.patch(f"{api}/practice/settings", timeout=10,
                    json={"accent_color": "#ffcc00", "subdomain": subdomain})
    assert r.status_code == 200 and r.json()["accent_text_color"] == "#000000", r.text
    logo_url = r.json()["logo_url"]
    logo = admin.get(base + logo_url, timeout=10)
    assert logo.content == PNG and logo.headers["Content-Type"] == "image/png"
    assert logo.headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in logo.headers["Cache-Control"]
    port = base.rsplit(":", 1)[1]
    own = f"http://{subdomain}.localhost:{port}"

    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{base}/p/{practice.code}")
        image = page.get_by_role("img", name="Welcome to our portal")
        expect(image).to_be_visible()
        # visible is laid out, not yet decoded: wait for the file itself (flaked under load)
        page.wait_for_function("document.getElementById('brand-logo').complete")
        assert page.evaluate("document.getElementById('brand-logo').naturalWidth") == 1
        sign_in = page.get_by_role("button", name="Sign in")
        colours = sign_in.evaluate("b => [getComputedStyle(b).backgroundColor, getComputedStyle(b).color]")
        assert colours == ["rgb(255, 204, 0)", "rgb(0, 0, 0)"]

        page.goto(own + "/")
        expect(page.get_by_role("img", name="Welcome to our portal")).to_be_visible()
        page.get_by_label("Email").fill(practice.bobby_email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("link", name="My details")).to_be_visible()
        assert page.url.rstrip("/") == own
    finally:
        context.close()
