"""Portal branding: readable theme colours, the own subdomain, and the logo."""
import io
import os
import time

import pytest

from services.common.blobstore import LocalBlobStore
from services.common.errors import Conflict, Forbidden, InvalidInput
from services.identity.domain import branding
from tests.unit.identity.conftest import SYSTEM, staff_actor

LOGO = {"blob_key": "logos/" + "a" * 32, "sha256": "b" * 64, "size": 2048,
        "content_type": "image/png"}


@pytest.mark.parametrize("colour, text", [
    ("#ffcc00", "#000000"), ("#2a6f97", "#ffffff"), ("#595959", "#ffffff"),
    ("#777777", "#000000"), ("#000000", "#ffffff"), ("#ffffff", "#000000")])
def test_text_on_a_colour_is_black_or_white_by_contrast(colour, text):
    assert branding.text_on(colour) == text
    assert branding.contrast(colour, text) >= branding.AA_NORMAL_TEXT


def test_contrast_ratio_follows_wcag():
    assert round(branding.contrast("#000000", "#ffffff"), 2) == 21.0
    assert round(branding.contrast("#767676", "#ffffff"), 2) == 4.54


def test_every_colour_reaches_aa_but_a_stricter_minimum_refuses_the_middle_grey():
    branding.check_readable("accent_color", "#777777")        # 4.6:1 with black
    with pytest.raises(InvalidInput) as exc:
        branding.check_readable("accent_color", "#777777", minimum=7)
    assert exc.value.code == "colour_unreadable" and "accent_color" in exc.value.fields


@pytest.mark.parametrize("label, code", [
    ("-oak", "invalid_subdomain"), ("oak-", "invalid_subdomain"), ("o" * 64, "invalid_subdomain"),
    ("oak.tree", "invalid_subdomain"), ("oak_tree", "invalid_subdomain"), ("www", "subdomain_reserved")])
def test_a_subdomain_is_one_dns_label_not_kept_for_haven(label, code):
    with pytest.raises(InvalidInput) as exc:
        branding.check_subdomain(label)
    assert exc.value.code == code and "subdomain" in exc.value.fields


def test_settings_carry_text_colours_and_refuse_bad_subdomains(service, practice):
    admin = staff_actor(practice, permissions=("manage_practice_settings",), staff_id="admin")
    out = service.update_practice_settings(admin, {"accent_color": "#ffcc00",
                                                   "theme_color": "#2a6f97",
                                                   "subdomain": " Oak "})
    assert out["accent_text_color"] == "#000000" and out["theme_text_color"] == "#ffffff"
    assert out["subdomain"] == "oak"
    with pytest.raises(InvalidInput) as exc:
        service.update_practice_settings(admin, {"subdomain": "www"})
    assert exc.value.code == "subdomain_reserved"
    assert service.update_practice_settings(admin, {"subdomain": ""})["subdomain"] is None


def test_a_taken_subdomain_is_a_clear_conflict(service, practice):
    admin = staff_actor(practice, permissions=("manage_practice_settings",), staff_id="admin")
    service.update_practice_settings(admin, {"subdomain": "oak"})
    other = service.create_practice(SYSTEM, {"code": "elm", "name": "Elm"})
    elm_admin = staff_actor(other, permissions=("manage_practice_settings",), staff_id="a2")
    with pytest.raises(Conflict) as exc:
        service.update_practice_settings(elm_admin, {"subdomain": "oak"})
    assert exc.value.code == "subdomain_taken" and "subdomain" in exc.value.fields


def test_a_logo_is_set_replaced_and_removed_announcing_the_old_blob(service, practice, db):
    admin = staff_actor(practice, permissions=("manage_practice_settings",), staff_id="admin")
    first = service.set_practice_logo(admin, LOGO)
    assert first["logo_ref"] == LOGO["blob_key"] and first["logo_content_type"] == "image/png"
    assert "previous_logo_ref" not in first
    assert db.events("practice.updated")[-1]["data"]["logo_sha256"] == LOGO["sha256"]
    second = service.set_practice_logo(admin, dict(LOGO, blob_key="logos/" + "c" * 32,
                                                   content_type="image/jpeg"))
    assert second["previous_logo_ref"] == LOGO["blob_key"]
    removed = service.update_practice_settings(admin, {"logo_ref": None})
    assert removed["logo_ref"] is None and removed["logo_sha256"] is None
    assert removed["previous_logo_ref"] == "logos/" + "c" * 32
    with pytest.raises(InvalidInput) as exc:    # a blob cannot be named through settings
        service.update_practice_settings(admin, {"logo_ref": "charts/" + "d" * 32})
    assert "logo_ref" in exc.value.fields


@pytest.mark.parametrize("change, code", [
    ({"content_type": "image/svg+xml"}, "logo_type_refused"),
    ({"size": 2 * 1024 * 1024}, "logo_too_large"),
    ({"blob_key": "charts/" + "a" * 32}, "invalid_input")])
def test_a_logo_must_be_a_small_raster_from_the_logos_namespace(service, practice, change, code):
    admin = staff_actor(practice, permissions=("manage_practice_settings",), staff_id="admin")
    with pytest.raises(InvalidInput) as exc:
        service.set_practice_logo(admin, dict(LOGO, **change))
    assert exc.value.code == code


def test_logo_blobs_no_practice_names_are_swept_after_the_grace_period(service, practice,
                                                                      tmp_path):
    """A crash between the gateway's blob write and identity's commit leaves a blob under
    `logos/` that nothing names: the kernel's sweep (services.common.sweep) removes it."""
    store = service.blobs = LocalBlobStore(tmp_path)
    named, stray, fresh = (store.put(io.BytesIO(b"png"), namespace="logos") for _ in range(3))
    admin = staff_actor(practice, permissions=("manage_practice_settings",), staff_id="admin")
    service.set_practice_logo(admin, dict(LOGO, blob_key=named.key, sha256=named.sha256))
    past = time.time() - 7200
    for info in (named, stray):
        os.utime(store._path(info.key), (past, past))
    with pytest.raises(Forbidden):
        service.sweep_orphan_blobs(admin, {})          # operations only
    assert service.sweep_orphan_blobs(SYSTEM, {"older_than_minutes": 60}) == {"removed": 1}
    left = store.list_older_than("logos", -1)
    assert named.key in left and fresh.key in left and stray.key not in left
