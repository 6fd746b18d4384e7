"""Issue 5: two divorced parents, each a contact with "manage documentation" for the same
child, see only the documents they submitted or that were shared with them — the other
parent's uploads are invisible by every route — while staff see both."""
import pytest

from tests.e2e.practice import add_client, mail_count, new_practice
from tests.e2e.test_people_http import choose_password_from_mail, portal
from tests.e2e.test_story_http import staff_session

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PASSWORDS = {"mum": "amber lantern over the river", "dad": "quiet copper kettle at noon"}


@pytest.fixture
def family(haven_stack):
    practice = new_practice(haven_stack)
    api = haven_stack.base_url + "/api/v1"
    child = add_client(haven_stack, practice, "Noah", "Park", "2018-05-04")  # under 12: full
    admin = staff_session(haven_stack, practice.admin_login, practice.staff_password)
    r = admin.patch(f"{api}/practice/chart-settings", json={"client_uploads_enabled": True},
                    timeout=10)
    assert r.status_code == 200, r.text
    parents = {}
    for who in ("mum", "dad"):
        email = f"{who}-{practice.code}@example.org"
        before = mail_count(haven_stack)
        r = admin.post(f"{api}/contacts", json={"email": email, "name": f"{who.title()} Park"},
                       timeout=10)
        assert r.status_code == 201, r.text
        contact_id = r.json()["contact_id"]
        choose_password_from_mail(haven_stack, email, PASSWORDS[who], before)
        r = admin.put(f"{api}/contacts/{contact_id}/grants/{child['id']}", timeout=10,
                      json={"permissions": ["manage_documentation", "manage_information"]})
        assert r.status_code == 200, r.text
        session, r = portal(haven_stack.base_url, practice, email, PASSWORDS[who])
        assert r.status_code == 200, r.text
        parents[who] = (session, contact_id)
    return practice, child, admin, parents


def test_each_parent_sees_only_their_own_paperwork(haven_stack, family):
    practice, child, admin, parents = family
    api = haven_stack.base_url + "/api/v1"
    noah = child["id"]
    uploads = {}
    for who, (session, _) in parents.items():
        r = session.call("POST", f"/api/v1/me/uploads?client_id={noah}", data={"title": who},
                         files={"file": (f"{who}.pdf", PDF, "application/pdf")})
        assert r.status_code == 201, r.text
        uploads[who] = r.json()["id"]
    r = admin.post(f"{api}/document-types", json={"name": "Court papers", "show_in_portal": True},
                   timeout=10)
    assert r.status_code == 201, r.text
    mum_id = parents["mum"][1]
    r = admin.post(f"{api}/documents", timeout=10, data={
        "client_id": noah, "contact_id": mum_id, "type_id": r.json()["id"], "title": "For mum"},
        files={"file": ("order.pdf", PDF, "application/pdf")})
    assert r.status_code == 201, r.text
    for_mum = r.json()["id"]

    for who, other in (("mum", "dad"), ("dad", "mum")):
        session = parents[who][0]
        listed = session.call("GET", f"/api/v1/me/documents?client_id={noah}")
        assert listed.status_code == 200, listed.text
        ids = {d["id"] for d in listed.json()}
        assert uploads[who] in ids and uploads[other] not in ids
        assert (for_mum in ids) == (who == "mum")
        assert session.call("GET", f"/api/v1/documents/{uploads[who]}/download").status_code == 200
        for path in (f"/api/v1/documents/{uploads[other]}/download",
                     f"/api/v1/clients/{noah}/documents", "/api/v1/documents"):
            r = session.call("GET", path)
            assert r.status_code in (403, 404), (who, path, r.status_code)
            assert uploads[other] not in r.text
    dad = parents["dad"][0]
    assert dad.call("GET", f"/api/v1/documents/{for_mum}/download").status_code in (403, 404)

    staff_view = admin.get(f"{api}/clients/{noah}/documents", timeout=10).json()
    staff_ids = {d["id"] for d in (staff_view["items"] if isinstance(staff_view, dict)
                                   else staff_view)}
    assert {uploads["mum"], uploads["dad"], for_mum} <= staff_ids

    # each parent may take back their own upload until the practice opens it; never the other's
    mum = parents["mum"][0]
    assert dad.call("DELETE", f"/api/v1/documents/{uploads['mum']}").status_code in (403, 404)
    r = mum.call("DELETE", f"/api/v1/documents/{uploads['mum']}")
    assert r.status_code == 200 and r.json() == {"document_id": uploads["mum"], "deleted": True}
    assert mum.call("DELETE", f"/api/v1/documents/{uploads['mum']}").status_code == 404
    assert admin.get(f"{api}/documents/{uploads['dad']}/download", timeout=10).status_code == 200
    r = dad.call("DELETE", f"/api/v1/documents/{uploads['dad']}")
    assert r.status_code == 409 and r.json()["error"] == "document_reviewed", r.text
    r = admin.post(f"{api}/documents/{uploads['dad']}/unshare", timeout=10)
    assert r.status_code == 409 and r.json()["error"] == "not_shared"

    # staff stop sharing mum's letter: she no longer lists or downloads it; staff delete it
    r = admin.post(f"{api}/documents/{for_mum}/unshare", timeout=10)
    assert r.status_code == 200 and r.json()["unshared_at"], r.text
    ids = {d["id"] for d in mum.call("GET", f"/api/v1/me/documents?client_id={noah}").json()}
    assert for_mum not in ids
    assert mum.call("GET", f"/api/v1/documents/{for_mum}/download").status_code in (403, 404)
    assert admin.delete(f"{api}/documents/{for_mum}", timeout=10).status_code == 200
    assert admin.delete(f"{api}/documents/{for_mum}", timeout=10).status_code == 404
