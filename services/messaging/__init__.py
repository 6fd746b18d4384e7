"""messaging: secure conversations between clients, their contacts and the practice
(docs/messaging.md)."""
