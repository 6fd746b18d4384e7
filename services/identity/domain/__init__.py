"""identity's rules: plain functions and dataclasses — no nameko, no SQL."""
