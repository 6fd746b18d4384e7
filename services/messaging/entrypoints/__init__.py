"""messaging's entrypoints, one mixin class per capability, composed by service.py."""
