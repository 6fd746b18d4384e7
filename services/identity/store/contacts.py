"""Contacts: logins of their own kind that act for clients through grants."""
from sqlalchemy import select

from services.identity.domain.accounts import CONTACT
from services.identity.models import Contact, ContactGrant
from services.identity.store.grants import of_contact as contact_grants, view as grant_view
from services.identity.store.mfa import has_confirmed_factor


def by_email(session, practice_id, email):
    return session.scalar(select(Contact).where(Contact.practice_id == practice_id)
                          .where(Contact.email == email))


def view(session, contact, practice, now):
    return {"contact_id": contact.id, "email": contact.email, "name": contact.name,
            "status": contact.status,
            "created_at": contact.created_at.isoformat(),
            "last_sign_in_at": contact.last_sign_in_at.isoformat()
            if contact.last_sign_in_at else None,
            "mfa_enrolled": has_confirmed_factor(session, CONTACT, contact.id),
            "grants": [grant_view(g, practice, now) for g in contact_grants(session, contact.id)]}


def of_practice(session, practice_id, client_id=None):
    query = select(Contact).where(Contact.practice_id == practice_id)
    if client_id:
        query = query.join(ContactGrant, ContactGrant.contact_id == Contact.id) \
            .where(ContactGrant.client_id == client_id)
    return session.scalars(query.order_by(Contact.name, Contact.id)).all()
