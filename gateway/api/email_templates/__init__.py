"""Email templates a practice can edit (notify)."""
