"""charts' entrypoints, one module per capability, each one `<Capability>Entrypoints`
class that `service.ChartsService` composes."""
