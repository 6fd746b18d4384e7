"""Issue 11 in headless Chromium over the whole stack: a practice administrator opens the
invitation email in the console's Emails page, a broken template is refused with its line
beside the field, she previews her text with sample data, sends herself a sample (it
arrives in the mail catcher), saves it — and the next invitation a client gets is her
text, and Operations' delivery log lists it as sent; "Reset to default" brings Haven's
back."""
import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.practice import add_client, mail_count, new_practice, staff_ui_sign_in, wait_for_mail
from tests.e2e.test_accessibility import violations
from tests.e2e.test_story_http import staff_session

SUBJECT = "Your {{ practice_name }} account is waiting"
TEXT = ("Hello!\n\n{{ practice_name }} would love to see you in its portal.\n"
        "Create your account: {{ link_url }}\n(until {{ expires_on }})\n\n"
        "The portal: {{ portal_url }}\n")
HTML = ("<p>Hello!</p><p>{{ practice_name }} would love to see you in its portal.</p>"
        "<p><a href=\"{{ link_url }}\">Create your account</a> — {{ portal_url }}</p>")


def messages_to(stack, to, after):
    return [m for m in stack.mail_messages()[after:] if to in m["to"]]


def test_an_administrator_edits_previews_samples_and_the_next_invitation_uses_it(
        haven_stack, page):
    practice = new_practice(haven_stack)
    base = haven_stack.base_url
    name = f"Test Practice {practice.code[1:]}"
    staff_ui_sign_in(page, base, practice.admin_login, practice.staff_password)
    expect(page.get_by_role("heading", name="Clients")).to_be_visible()
    page.get_by_role("link", name="Emails").click()
    expect(page.get_by_role("heading", name="Emails")).to_be_visible()
    axe = Axe()
    found = violations(axe, page, "emails list")
    page.get_by_role("link", name="Portal invitation").click()
    expect(page.get_by_role("heading", name="Email: Portal invitation")).to_be_visible()
    expect(page.locator("#template-variables")).to_contain_text("{{ link_url }}")

    editor = page.get_by_role("form", name="Edit the Portal invitation email")
    body = editor.get_by_label("Plain-text body")
    # a broken template: refused, the line and the reason beside the field, nothing saved
    editor.get_by_label("Subject").fill(SUBJECT)
    body.fill(TEXT.replace("{{ link_url }}", "{{ link_url }"))
    editor.get_by_label("HTML body").fill(HTML)
    editor.get_by_role("button", name="Save").click()
    expect(body).to_have_accessible_description(re.compile(r"Line 4: Unexpected '}'"))
    found += violations(axe, page, "email editor with a refusal")
    # a variable that would carry health information: refused with a sentence
    body.fill(TEXT + "Dear {{ client_name }}\n")
    editor.get_by_role("button", name="Preview").click()
    expect(body).to_have_accessible_description(re.compile("health information"))

    body.fill(TEXT)
    editor.get_by_role("button", name="Preview").click()
    expect(page.locator("#preview-subject")).to_have_text(f"Your {name} account is waiting")
    expect(page.locator("#preview-text")).to_contain_text(f"{name} would love to see you")
    expect(page.locator("#preview-text")).to_contain_text(f"/p/{practice.code}")
    expect(page.frame_locator("iframe.email-preview__frame").get_by_text("Create your account")).to_be_visible()
    found += violations(axe, page, "email preview")
    assert found == []

    before = mail_count(haven_stack)
    editor.get_by_role("button", name="Send me a sample").click()
    expect(page.locator("#sample-result")).to_contain_text(f"A sample was sent to {practice.admin_login}")
    [sample] = messages_to(haven_stack, practice.admin_login, before)
    assert sample["subject"] == f"[Sample] Your {name} account is waiting"
    assert f"{name} would love to see you" in sample["body"]

    editor.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved. The next portal invitation email uses your text.")).to_be_visible()
    expect(page.locator("#template-status")).to_contain_text("Your text")

    # the next invitation a client gets is her text, with its own single-use link
    email = f"lena-{practice.code}@example.org"
    lena = add_client(haven_stack, practice, "Lena", "Park", "1991-02-03", email)
    intake = staff_session(haven_stack, practice.intake_login, practice.staff_password)
    before = mail_count(haven_stack)
    r = intake.post(f"{base}/api/v1/clients/{lena['id']}/invitation", json={}, timeout=10)
    assert r.status_code in (200, 201), r.text
    _, message = wait_for_mail(haven_stack, email, "invite", after=before)
    assert message["subject"] == f"Your {name} account is waiting"
    assert f"{name} would love to see you in its portal." in message["body"]
    assert "Lena" not in message["body"] and "1991" not in message["body"]

    # the delivery log (Operations): to whom and how it went, never what it said
    page.goto(f"{base}/staff/operations")
    log = page.locator("#email-deliveries")
    row = log.get_by_role("row", name=re.compile(re.escape(email)))
    expect(row).to_contain_text("Portal invitation")
    for _ in range(20):      # the catcher has it; notify marks it sent a moment later
        if "Being sent" not in row.inner_text():
            break
        page.wait_for_timeout(250)
        page.reload()
    expect(row).to_contain_text("Sent")
    expect(log).not_to_contain_text("would love to see you")
    page.go_back()
    expect(page.get_by_role("heading", name="Email: Portal invitation")).to_be_visible()

    # reset: Haven's default text is sent again
    page.get_by_role("button", name="Reset to default").click()
    page.get_by_role("button", name="Yes, reset to default").click()
    expect(page.get_by_text("The default text is back.")).to_be_visible()
    expect(page.locator("#template-status")).to_contain_text("Default")
    expect(page.get_by_label("Subject")).to_have_value("{{ practice_name }} invites you to its client portal\n".strip())
