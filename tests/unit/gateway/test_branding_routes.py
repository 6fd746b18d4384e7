"""The practice's logo, theme colours and own address through the pipeline, with a fake
identity and a real local blob store; and the complete never-invited list."""
import hashlib
import io

import pytest

from gateway import hosts
from services.common import blobstore
from services.common.errors import InvalidInput, NotFound, Unavailable
from tests.unit.gateway.fakes import CLIENT_ID, PRACTICE, token

ADMIN = {"Authorization": "Bearer " + token(kind="staff", perms=["manage_practice_settings",
                                                                  "view_clients"])}
CLINICIAN = {"Authorization": "Bearer " + token(kind="staff", perms=["view_clients"])}
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.fixture
def store(app, tmp_path):
    app.blobs = blobstore.LocalBlobStore(tmp_path / "blobs")
    return app.blobs


def blobs_left(store):
    return sorted(str(p.relative_to(store.root)).split("/")[-1]
                  for p in store.root.rglob("*") if p.is_file())


class FakeIdentity:
    """set_practice_logo as identity answers it: the practice, and the blob it replaced."""

    def __init__(self, rpc):
        self.practice = dict(PRACTICE, logo_ref=None, logo_sha256=None, logo_content_type=None,
                             accent_color="#ffcc00", accent_text_color="#000000",
                             theme_text_color="#ffffff")
        self.payloads = []
        rpc.answers["identity.set_practice_logo"] = self.set_logo
        rpc.answers["identity.get_practice"] = lambda code: dict(self.practice)

    def set_logo(self, actor, payload):
        self.payloads.append(payload)
        previous = self.practice["logo_ref"]
        self.practice.update(logo_ref=payload["blob_key"], logo_sha256=payload.get("sha256"),
                             logo_content_type=payload.get("content_type"))
        return dict(self.practice, **({"previous_logo_ref": previous} if previous else {}))


@pytest.fixture
def identity(rpc):
    return FakeIdentity(rpc)


def upload(client, content, filename="logo.png", headers=ADMIN):
    return client.post("/api/v1/practice/logo", headers=headers, content_type="multipart/form-data",
                      data={"file": (io.BytesIO(content), filename)})


def test_a_png_logo_is_stored_named_by_content_and_served_publicly(client, store, identity):
    r = upload(client, PNG, filename="logo.svg")          # the name does not decide
    assert r.status_code == 200, r.json
    sent = identity.payloads[-1]
    assert sent["content_type"] == "image/png" and sent["blob_key"].startswith("logos/")
    assert sent["sha256"] == hashlib.sha256(PNG).hexdigest() and sent["size"] == len(PNG)
    assert r.json["portal_base_domain"] == "localhost"
    branding = client.get("/api/v1/practices/demo").json   # the writer's own read model
    assert branding["logo_url"] == f"/api/v1/practices/demo/logo?v={sent['sha256'][:16]}"
    assert "logo_ref" not in branding and branding["accent_text_color"] == "#000000"
    logo = client.get(branding["logo_url"])
    assert logo.status_code == 200 and logo.data == PNG
    assert logo.headers["Content-Type"] == "image/png"
    assert logo.headers["X-Content-Type-Options"] == "nosniff"
    assert logo.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    unversioned = client.get("/api/v1/practices/demo/logo")
    assert unversioned.headers["Cache-Control"] == "public, no-cache"
    again = client.get("/api/v1/practices/demo/logo",
                       headers={"If-None-Match": unversioned.headers["ETag"]})
    assert again.status_code == 304 and not again.data


def test_a_new_logo_replaces_the_old_blob_and_removing_deletes_it(client, store, identity):
    upload(client, PNG)
    first = identity.practice["logo_ref"].split("/")[1]
    upload(client, PNG + b"2")
    second = identity.practice["logo_ref"].split("/")[1]
    assert blobs_left(store) == [second] and first != second
    r = client.delete("/api/v1/practice/logo", headers=ADMIN)
    assert r.status_code == 200 and r.json["logo_url"] is None
    assert blobs_left(store) == []
    assert client.get("/api/v1/practices/demo/logo").status_code == 404


def test_anything_but_png_or_jpeg_is_refused_and_nothing_is_kept(client, store, identity):
    for content in (SVG, b"GIF89a" + b"\x00" * 40, b"%PDF-1.4 not a logo"):
        r = upload(client, content, filename="logo.png")
        assert r.status_code == 422 and r.json["error"] == "logo_type_refused"
        assert "file" in r.json["fields"] and not identity.payloads and blobs_left(store) == []


def test_a_logo_over_1_mb_is_413_with_its_own_sentence(client, store, identity):
    r = upload(client, PNG + b"\x00" * (1024 * 1024))
    assert r.status_code == 413 and r.json["error"] == "file_too_large"
    assert "1 MB" in r.json["message"] and blobs_left(store) == []


def test_identity_refusing_the_logo_removes_the_blob(client, rpc, store, identity):
    rpc.answers["identity.set_practice_logo"] = InvalidInput("logo_too_large", "Too large.")
    assert upload(client, PNG).status_code == 422 and blobs_left(store) == []


def test_only_administrators_upload_and_clinicians_ask_nothing(client, rpc, store, identity):
    assert upload(client, PNG, headers=CLINICIAN).status_code == 403
    assert not identity.payloads


def test_settings_accept_only_null_for_the_logo_and_dns_labels_for_the_subdomain(client, rpc):
    for body in ({"logo_ref": "charts/" + "a" * 32}, {"subdomain": "-oak"},
                 {"subdomain": "o" * 64}, {"subdomain": "Oak"}):
        r = client.patch("/api/v1/practice/settings", json=body, headers=ADMIN)
        assert r.status_code == 422 and set(r.json["fields"]) == set(body)
    assert not rpc.count("identity.update_practice_settings")


# -- the practice's own address ------------------------------------------------------------
@pytest.mark.parametrize("host, label", [
    ("oak.localhost", "oak"), ("OAK.localhost:8000", "oak"), ("oak.localhost.", "oak"),
    ("localhost", None), ("a.b.localhost", None), ("oak.otherhost", None),
    ("-oak.localhost", None), ("[::1]:8000", None), ("", None)])
def test_the_subdomain_is_the_one_label_before_the_base(host, label):
    assert hosts.subdomain_of(host, "localhost") == label


def test_the_base_domain_comes_from_config_or_the_environment(monkeypatch):
    monkeypatch.delenv("HAVEN_PORTAL_BASE_DOMAIN", raising=False)
    assert hosts.base_domain({}) == "localhost"
    monkeypatch.setenv("HAVEN_PORTAL_BASE_DOMAIN", "Portal.Example.")
    assert hosts.base_domain({}) == "portal.example"
    assert hosts.base_domain({"PORTAL_BASE_DOMAIN": "clinic.test"}) == "clinic.test"


def _own_subdomain(rpc, known=("oak",)):
    def by_subdomain(sub):
        if sub not in known:
            raise NotFound("practice_not_found", "No such practice.")
        return dict(PRACTICE, code="demo", subdomain=sub)
    rpc.answers["identity.get_practice_by_subdomain"] = by_subdomain


def test_an_own_subdomain_opens_the_portal_and_names_its_practice(client, rpc):
    _own_subdomain(rpc)
    for path in ("/", "/sign-in", "/invite/abc"):
        page = client.get(path, headers={"Host": "oak.localhost:8000"})
        assert page.status_code == 200 and b"portal/main.js" in page.data, path
    r = client.get("/api/v1/practice", headers={"Host": "oak.localhost"})
    assert r.status_code == 200 and r.json["code"] == "demo"
    assert rpc.count("identity.get_practice_by_subdomain") == 1   # then from the read model
    client.get("/api/v1/practice", headers={"Host": "oak.localhost"})
    assert rpc.count("identity.get_practice_by_subdomain") == 1


def test_other_hosts_and_paths_stay_404(client, rpc):
    _own_subdomain(rpc)
    for host, path, method in [
            ("elm.localhost", "/", "GET"), ("localhost", "/", "GET"), ("127.0.0.1:8000", "/", "GET"),
            ("oak.localhost", "/api/v1/nothing-here", "GET"), ("oak.localhost", "/", "POST")]:
        r = client.open(path, method=method, headers={"Host": host})
        assert r.status_code in (404, 405), (host, path, method)
        assert r.json["error"] in ("not_found", "method_not_allowed")


def test_a_settings_change_forgets_the_subdomains_it_knew(client, rpc, app):
    _own_subdomain(rpc)
    assert client.get("/api/v1/practice", headers={"Host": "oak.localhost"}).status_code == 200
    app.readmodels.on_practice_updated({"data": dict(PRACTICE, subdomain="maple")})
    _own_subdomain(rpc, known=("maple",))
    assert client.get("/api/v1/practice", headers={"Host": "oak.localhost"}).status_code == 404


# -- the practice-wide list: complete, in pages ---------------------------------------------------
def _charts_with(rpc, count):
    clients = [{"id": f"c{n:04d}", "first_name": "F", "last_name": f"L{n:04d}"}
               for n in range(count)]

    def list_clients(actor, payload):
        assert payload["limit"] <= 200
        chosen = clients if payload.get("ids") is None else \
            [c for c in clients if c["id"] in payload["ids"]]
        start = payload.get("offset", 0)
        return chosen[start:start + payload["limit"]]
    rpc.answers["charts.list_clients"] = list_clients
    return clients


def test_never_invited_covers_every_client_in_pages(client, rpc):
    clients = _charts_with(rpc, 450)
    reached = [{"client_id": c["id"], "status": "sent"} for c in clients[::3]]   # 150
    rpc.answers["identity.list_portal_access"] = lambda a, p: {"items": reached,
                                                              "total": len(reached)}
    r = client.get("/api/v1/portal-access?status=never_invited&limit=100&offset=250",
                   headers=CLINICIAN)
    assert r.status_code == 200 and r.json["total"] == 300
    ids = [i["client_id"] for i in r.json["items"]]
    assert len(ids) == 50 and ids[-1] == "c0449" and r.json["items"][0]["last_name"]
    assert rpc.count("charts.list_clients") == 3


def test_names_are_fetched_for_the_page_only(client, rpc):
    clients = _charts_with(rpc, 300)
    reached = [{"client_id": c["id"], "status": "sent"} for c in clients[:250]]
    rpc.answers["identity.list_portal_access"] = lambda a, p: {"items": reached,
                                                              "total": len(reached)}
    r = client.get("/api/v1/portal-access?status=sent&limit=20&offset=230", headers=CLINICIAN)
    assert r.json["total"] == 250 and len(r.json["items"]) == 20
    assert r.json["items"][-1] == dict(r.json["items"][-1], client_id="c0249",
                                       last_name="L0249")
    asked = [c[2][1] for c in rpc.calls if c[1] == "list_clients"]
    assert asked == [{"ids": sorted(f"c{n:04d}" for n in range(230, 250)), "limit": 200}]


def test_an_unanswered_identity_is_asked_again_and_the_blob_kept(client, rpc, store, identity):
    answers = [Unavailable(), None]

    def flaky(actor, payload):
        answer = answers.pop(0)
        if answer is not None:
            raise answer
        return identity.set_logo(actor, payload)
    rpc.answers["identity.set_practice_logo"] = flaky
    assert upload(client, PNG).status_code == 200 and len(blobs_left(store)) == 1
    rpc.answers["identity.set_practice_logo"] = Unavailable()   # silent: it may still commit
    assert upload(client, PNG + b"x").status_code == 503 and len(blobs_left(store)) == 2
