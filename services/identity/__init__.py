"""identity: practices and their branding, staff, client portal accounts, sessions and
the audit log of sign-ins (docs/contracts.md, "identity")."""
