"""The RPC entrypoint every service uses, and bounded service-to-service calls.

`rpc` is nameko's, made to outlive a broker restart (services.common.consumers): use it
instead of `nameko.rpc.rpc` (tests/unit/architecture checks).

nameko's `RpcProxy` waits forever for a reply (STYLE.md, trap 8). `BoundedRpcProxy`
gives up after RPC_TIMEOUT seconds with `Unavailable`, so one slow service cannot pin a
caller's workers. Call another service before opening a transaction, never inside one.
"""
import eventlet
from nameko.rpc import RpcProxy

from services.common.consumers import RobustReplyListener, RobustRpc
from services.common.errors import Unavailable

rpc = RobustRpc.decorator


class _Bounded:
    def __init__(self, service_proxy, service_name, timeout):
        self._proxy = service_proxy
        self._service = service_name
        self._timeout = timeout

    def __getattr__(self, method):
        target = getattr(self._proxy, method)

        def call(*args, **kwargs):
            reply = target.call_async(*args, **kwargs)
            try:
                with eventlet.Timeout(self._timeout):
                    return reply.result()
            except eventlet.Timeout:
                raise Unavailable("unavailable", f"The {self._service} service did not answer "
                                  "in time. Please try again in a moment.") from None
        return call


class BoundedRpcProxy(RpcProxy):
    rpc_reply_listener = RobustReplyListener()

    def __init__(self, target_service, timeout=None, **options):
        super().__init__(target_service, **options)
        self.timeout = timeout

    def get_dependency(self, worker_ctx):
        timeout = self.timeout or self.container.config.get("RPC_TIMEOUT", 10.0)
        return _Bounded(super().get_dependency(worker_ctx), self.target_service, timeout)
