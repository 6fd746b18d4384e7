"""Haven's HTTP gateway: one nameko service that answers /api/v1 and serves the web client."""
