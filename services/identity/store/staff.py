"""Staff users and the practice's per-role permission overrides."""
from sqlalchemy import select

from services.identity.domain import accounts, roles
from services.identity.models import RolePermission, StaffUser


def overrides(session, practice_id):
    rows = session.execute(select(RolePermission.role, RolePermission.permission,
                                  RolePermission.granted)
                           .where(RolePermission.practice_id == practice_id)).all()
    return [tuple(r) for r in rows]


def email_taken(session, practice_id, email):
    return session.scalar(select(StaffUser.id).where(StaffUser.practice_id == practice_id)
                          .where(StaffUser.email == email)) is not None


def of_practice(session, practice_id):
    return session.scalars(select(StaffUser).where(StaffUser.practice_id == practice_id)
                           .order_by(StaffUser.name, StaffUser.id)).all()


def with_role(session, practice_id, role):
    return session.scalars(select(StaffUser).where(StaffUser.practice_id == practice_id)
                           .where(StaffUser.role == role)).all()


def active_admins(session, practice_id):
    """Active staff who hold `manage_staff` under the practice's overrides."""
    found = overrides(session, practice_id)
    return [s for s in session.scalars(select(StaffUser)
                                       .where(StaffUser.practice_id == practice_id)
                                       .where(StaffUser.status == accounts.ACTIVE))
            if roles.MANAGE_STAFF in roles.permissions_for((s.role,), found)]
