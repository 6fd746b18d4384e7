"""Run one Haven service as its own process:  python -m services.common.run identity

In production every service runs as its own process or container and scales by running
more of them on the same queues (competing consumers).
"""
import eventlet

eventlet.monkey_patch()  # nameko 2.14 no longer patches by itself (STYLE.md, trap 13)

import importlib  # noqa: E402
import logging  # noqa: E402
import signal  # noqa: E402
import sys  # noqa: E402

from nameko.runners import ServiceRunner  # noqa: E402

from services.common import config, logs  # noqa: E402

log = logging.getLogger("haven.run")


def service_class(name):
    """`identity` -> services.identity.service.IdentityService; `gateway` -> gateway.service."""
    module_name = "gateway.service" if name == "gateway" else f"services.{name}.service"
    module = importlib.import_module(module_name)
    return getattr(module, f"{name.capitalize()}Service")


def nameko_config(name):
    overrides = {}
    if name == "gateway":
        overrides["WEB_SERVER_ADDRESS"] = config.env("HAVEN_HTTP_ADDRESS", "127.0.0.1:8000")
    return config.service_config(name, **overrides)


def main(argv=None):
    names = (argv or sys.argv[1:]) or []
    if len(names) != 1:
        print("usage: python -m services.common.run <service>", file=sys.stderr)
        return 2
    name = names[0]
    logs.configure(name)
    runner = ServiceRunner(nameko_config(name))
    runner.add_service(service_class(name))

    def shutdown(signum, frame):
        eventlet.spawn_n(runner.stop)

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    runner.start()
    log.info("service started", extra={"haven_service": name})
    try:
        runner.wait()
    except KeyboardInterrupt:
        runner.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
