"""scheduling: appointments (docs/scheduling.md)."""
