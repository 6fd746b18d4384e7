"""charts: client records (demographics), their revisions, and the events they emit."""
