"""An appointment as an iCalendar file (RFC 5545), for the portal's "Add to calendar".

Built with the `icalendar` library, never by hand. What goes in is what the client already
sees on the Appointments page — the time, the title, the clinician's name, office or
telehealth — and a link to the practice's portal; never the cancel reason or anything
staff-only. The UID is stable (`<appointment id>@haven`) and SEQUENCE follows the
appointment's version, so downloading it again after a cancellation replaces the event a
calendar already holds with one marked STATUS:CANCELLED, which calendars remove or strike.
"""
from datetime import datetime, timezone
import icalendar

from services.common import config as settings
from services.common import links

PRODID = "-//Haven//Client portal//EN"
LOCATION_WORDS = {"office": "At the office", "telehealth": "Telehealth (video)"}
MEDIA_TYPE = "text/calendar; charset=utf-8"
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8000"
FILENAME = "appointment.ics"    # no name or date: the file may land in a shared folder


def _utc(value):
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:           # scheduling always answers UTC with its offset
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def portal_address(config, practice):
    """The practice's portal, by the rule emailed links follow (services.common.links):
    its own https://<subdomain>.<base>/ when the deployment declared a base domain, else
    PUBLIC_URL/p/<code>."""
    config = config or {}
    public = config.get("PUBLIC_URL") or settings.env("HAVEN_PUBLIC_URL", DEFAULT_PUBLIC_URL)
    base = config.get("PORTAL_BASE_DOMAIN") or settings.env("HAVEN_PORTAL_BASE_DOMAIN")
    practice = practice or {}
    return links.portal_url(public, f"/p/{practice.get('code', '')}",
                            practice.get("subdomain"), base)


def appointment_ics(appointment, portal_url, now=None):
    """The bytes of a calendar with one VEVENT for `appointment` (the scheduling dict)."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"{appointment['id']}@haven")
    event.add("dtstamp", (now or datetime.now(timezone.utc)).astimezone(timezone.utc))
    event.add("dtstart", _utc(appointment["starts_at"]))
    event.add("dtend", _utc(appointment["ends_at"]))
    what = appointment.get("title") or "Appointment"
    clinician = appointment.get("clinician_name")
    event.add("summary", f"{what} with {clinician}" if clinician else what)
    location = appointment.get("location")
    event.add("location", LOCATION_WORDS.get(location, location or ""))
    cancelled = appointment.get("status") == "cancelled"
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("sequence", int(appointment.get("version") or 1))
    event.add("description", portal_url)    # only where to look: no reason, no notes
    cal.add_component(event)
    return cal.to_ical()
