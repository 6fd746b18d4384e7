"""Staff roles and the permissions they grant (docs/contracts.md, "Roles and permissions").

A practice may change what a role grants: each row of `role_permissions` adds
(`granted=True`) or removes (`granted=False`) one permission from one role's defaults.
"""
PRACTICE_ADMIN = "practice_admin"
CLINICAL_ADMIN = "clinical_admin"
CLINICIAN = "clinician"
SUPERVISOR = "supervisor"
INTERN = "intern"
SCHEDULER = "scheduler"
BILLER = "biller"
INTAKE = "intake"

ROLES = (PRACTICE_ADMIN, CLINICAL_ADMIN, CLINICIAN, SUPERVISOR, INTERN, SCHEDULER,
         BILLER, INTAKE)

MANAGE_PORTAL_ACCESS = "manage_portal_access"
VIEW_CLIENTS = "view_clients"
EDIT_CLIENTS = "edit_clients"
RECEIVES_DEMOGRAPHIC_CHANGES = "receives_demographic_changes"
MANAGE_STAFF = "manage_staff"
VIEW_OPERATIONS = "view_operations"
MANAGE_PRACTICE_SETTINGS = "manage_practice_settings"
VIEW_AUDIT_LOG = "view_audit_log"
RECEIVES_PORTAL_UPLOADS = "receives_portal_uploads"
# share documents with clients (and take them back or delete them): clinicians share
# worksheets and letters without being allowed to change a chart
UPLOAD_CLIENT_DOCUMENTS = "upload_client_documents"
# book and cancel clients' appointments (services/scheduling): the front desk and the
# clinicians themselves; billers and interns only see them (view_clients)
MANAGE_APPOINTMENTS = "manage_appointments"
# a role setting more than a permission: staff who see clients are the ones scheduling
# offers for booking (identity's `list_staff` says `sees_clients`); intake staff, billers
# and administrators are not bookable unless the practice says so
SEES_CLIENTS = "sees_clients"

# permission -> roles granted it by default
DEFAULT_GRANTS = {
    # as TherapyNotes practices expect (issue 18); practices made before migration 0010
    # keep what they had through removal rows
    MANAGE_PORTAL_ACCESS: (PRACTICE_ADMIN, CLINICAL_ADMIN, INTAKE, SCHEDULER, CLINICIAN,
                           INTERN, SUPERVISOR),
    VIEW_CLIENTS: ROLES,
    EDIT_CLIENTS: (PRACTICE_ADMIN, CLINICAL_ADMIN, INTAKE, SCHEDULER),
    RECEIVES_DEMOGRAPHIC_CHANGES: (PRACTICE_ADMIN, INTAKE),
    MANAGE_STAFF: (PRACTICE_ADMIN,),
    VIEW_OPERATIONS: (PRACTICE_ADMIN,),
    MANAGE_PRACTICE_SETTINGS: (PRACTICE_ADMIN,),
    VIEW_AUDIT_LOG: (PRACTICE_ADMIN, CLINICAL_ADMIN),
    RECEIVES_PORTAL_UPLOADS: (PRACTICE_ADMIN, INTAKE),
    UPLOAD_CLIENT_DOCUMENTS: (PRACTICE_ADMIN, CLINICAL_ADMIN, CLINICIAN, SUPERVISOR, INTAKE,
                              SCHEDULER),
    MANAGE_APPOINTMENTS: (PRACTICE_ADMIN, CLINICAL_ADMIN, CLINICIAN, SUPERVISOR, SCHEDULER,
                          INTAKE),
    SEES_CLIENTS: (CLINICIAN, SUPERVISOR, INTERN),
}
PERMISSIONS = tuple(DEFAULT_GRANTS)


def default_permissions(role):
    return {perm for perm, roles in DEFAULT_GRANTS.items() if role in roles}


def permissions_for(roles, overrides=()):
    """Permissions of someone holding `roles`, given the practice's overrides.

    `overrides` are (role, permission, granted) triples. A removal for one role does
    not take away what another role the person holds still grants.
    """
    result = set()
    for role in roles:
        perms = default_permissions(role)
        for o_role, permission, granted in overrides:
            if o_role != role:
                continue
            if granted:
                perms.add(permission)
            else:
                perms.discard(permission)
        result |= perms
    return tuple(sorted(result))


def is_role(role):
    return role in ROLES


def overrides_for(role, wanted):
    """(permission, granted) rows that make `role` grant exactly `wanted`."""
    defaults = default_permissions(role)
    wanted = set(wanted)
    return sorted([(p, True) for p in wanted - defaults] +
                  [(p, False) for p in defaults - wanted])
