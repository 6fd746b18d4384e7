"""Emails (notify): the templates a practice can edit, and the delivery log."""
