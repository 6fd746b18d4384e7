"""A pool of started standalone ClusterRpcProxy objects, every call bounded in time.

A proxy opened per request costs three times the broker work (STYLE.md, bare stack
costs); nameko's service-to-service RpcProxy has no timeout at all (trap 8). Here a
proxy is taken from the pool (first come, first served), used for one call and given
back; one that failed mid-call is closed and replaced. RPC requests are published
without confirms or persistence and expire with the caller's timeout (trap 7), and
without `mandatory`: see `_Unconfirmed`.
"""
import logging

import eventlet
import eventlet.queue
import eventlet.semaphore
from nameko.amqp.publish import Publisher
from nameko.exceptions import RpcTimeout, UnknownService
from nameko.rpc import MethodProxy, ServiceProxy
from nameko.standalone.rpc import ClusterRpcProxy

from gateway.errors import Unavailable

log = logging.getLogger("gateway.rpc")

NON_PERSISTENT = 1


class _Unconfirmed(Publisher):
    """Publishes RPC requests without `mandatory` (nameko always asks for it).

    Without confirms, the broker's basic.return for a request nobody consumes (the
    service is down) arrives after the publish returned, and py-amqp raised it as NO_ROUTE
    on the *next* publish of the shared producer channel: a call to a healthy service then
    failed as "not running". The caller's timeout covers an unanswered call instead."""

    def publish(self, payload, **kwargs):
        kwargs["mandatory"] = False
        return super().publish(payload, **kwargs)


class _MethodProxy(MethodProxy):
    publisher_cls = _Unconfirmed


class _ServiceProxy(ServiceProxy):
    def __getattr__(self, name):
        return _MethodProxy(self.worker_ctx, self.service_name, name, self.reply_listener,
                            **self.options)


class _Pooled:
    def __init__(self, config, timeout):
        self.standalone = ClusterRpcProxy(config, timeout=timeout)
        self.standalone.start()

    def service(self, name, timeout):
        s = self.standalone
        return _ServiceProxy(s._worker_ctx, name, s._reply_listener, use_confirms=False,
                            delivery_mode=NON_PERSISTENT, expiration=timeout)

    def forget_stale_replies(self):
        # Replies that arrive after their caller timed out would stay in this dict forever.
        consumer = self.standalone._reply_listener.queue_consumer
        waiting = self.standalone._reply_listener._reply_events
        for key in [k for k in consumer.replies if k not in waiting]:
            consumer.replies.pop(key, None)

    def close(self):
        try:
            self.standalone.stop()
        except Exception:  # the connection is already broken
            pass


class RpcPool:
    """`call(service, method, *args)` with a bounded wait; Unavailable when unanswered."""

    def __init__(self, config, size=10, timeout=10.0):
        self.config = {"AMQP_URI": config["AMQP_URI"]}
        for key in ("serializer", "ACCEPT", "AMQP_SSL", "LOGIN_METHOD", "rpc_exchange"):
            if key in config:
                self.config[key] = config[key]
        self.timeout = float(timeout)
        self.size = size
        self._idle = []
        self._slots = eventlet.semaphore.Semaphore(size)
        self._closed = False

    def call(self, service, method, *args, timeout=None):
        timeout = float(timeout or self.timeout)
        with self._slots:
            if self._closed:
                raise Unavailable()
            try:
                pooled = self._idle.pop() if self._idle else self._open(timeout)
            except Exception:
                log.warning("cannot open an RPC proxy", extra={"target": service})
                raise Unavailable() from None
            healthy = False
            try:
                # The hard bound: nameko's own timeout is a socket read timeout that
                # restarts with every unrelated message on the reply queue.
                hard = timeout if timeout < self.timeout else timeout + 0.5
                with eventlet.Timeout(hard):
                    result = getattr(pooled.service(service, timeout), method)(*args)
                healthy = True
                return result
            except eventlet.Timeout:
                log.warning("RPC timed out", extra={"target": f"{service}.{method}"})
                raise Unavailable() from None
            except RpcTimeout:
                healthy = True  # nameko reset the reply consumer itself
                log.warning("RPC timed out", extra={"target": f"{service}.{method}"})
                raise Unavailable() from None
            except UnknownService:
                healthy = True  # not raised for unconfirmed requests; kept as unanswered
                raise Unavailable() from None
            except (OSError, ConnectionError) as exc:
                log.warning("RPC failed on the broker connection",
                            extra={"target": f"{service}.{method}", "error": type(exc).__name__})
                raise Unavailable() from None
            except Exception as exc:
                # A remote error: the proxy itself is fine.
                healthy = _is_remote(exc)
                raise
            finally:
                if healthy and not self._closed:
                    pooled.forget_stale_replies()
                    self._idle.append(pooled)
                else:
                    pooled.close()

    def _open(self, timeout):
        return _Pooled(self.config, max(timeout, self.timeout))

    def stop(self):
        self._closed = True
        while self._idle:
            self._idle.pop().close()

    def reset(self):
        """Close idle proxies (after a broker reconnect); new ones open on demand."""
        while self._idle:
            self._idle.pop().close()


def _is_remote(exc):
    from nameko.exceptions import RemoteError
    from services.common.errors import HavenError
    return isinstance(exc, (HavenError, RemoteError)) or type(exc).__module__.startswith("nameko")
