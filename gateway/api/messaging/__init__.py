"""Secure messaging routes (docs/messaging.md, docs/api.md "Secure messages")."""
