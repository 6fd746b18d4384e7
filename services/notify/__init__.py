"""notify: outgoing email, and staff alerts raised from other services' events."""
