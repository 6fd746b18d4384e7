"""Haven's shared kernel: plumbing every service uses, and no domain models."""
