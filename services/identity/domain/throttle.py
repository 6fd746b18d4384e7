"""Sign-in throttling: exponential back-off, never a lockout (NIST SP 800-63B 5.2.2).

Failures are counted per account (practice + sign-in name, known or not, so that
throttling says nothing about which names exist) and per source address — or, for an
attempt from a device that once signed in to the account (`devices.py`), per
(account, device) only, so that nobody can slow the owner's own device down. After a few
free failures each further one doubles the wait before the next attempt, up to a cap:
a guesser is slowed to a crawl, while someone who tries to lock the real user out can
only delay them by the cap. A quiet spell forgets the count. The state lives in the
database (`sign_in_throttles`) so every replica sees the same counts.
"""
import math
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class Policy:
    free_failures: int          # failures allowed before any wait
    base_seconds: float         # wait after the first failure beyond the free ones
    cap_seconds: float          # the longest wait, whatever the count
    forget_after_seconds: float  # a count this quiet starts again from zero


ACCOUNT = Policy(free_failures=5, base_seconds=1, cap_seconds=300, forget_after_seconds=3600)
# Many people can share one address (a clinic's Wi-Fi, a carrier's NAT): more leeway.
ADDRESS = Policy(free_failures=10, base_seconds=1, cap_seconds=600, forget_after_seconds=3600)
# Password-reset requests from one address: every request counts (each may send an
# email), so a script cannot mail-bomb a practice's clients or probe at volume. A person
# asks a few times at most; a shared address still gets ten an hour before any wait.
RESET_REQUESTS = Policy(free_failures=10, base_seconds=2, cap_seconds=900,
                        forget_after_seconds=3600)


@dataclass(frozen=True)
class State:
    failures: int = 0
    last_failure_at: object = None   # aware datetime or None
    blocked_until: object = None     # aware datetime or None


def delay_after(failures, policy):
    """Seconds to wait after the `failures`-th consecutive failure."""
    beyond = failures - policy.free_failures
    if beyond < 0:
        return 0.0
    return float(min(policy.cap_seconds, policy.base_seconds * 2 ** min(beyond, 40)))


def retry_after(state, now):
    """Whole seconds until the next attempt is allowed; 0 when it is allowed now."""
    if state is None or state.blocked_until is None or state.blocked_until <= now:
        return 0
    return max(1, math.ceil((state.blocked_until - now).total_seconds()))


def after_failure(state, now, policy):
    """The state once one more failure has happened at `now`."""
    failures = 0
    if state is not None and state.last_failure_at is not None and \
            (now - state.last_failure_at).total_seconds() < policy.forget_after_seconds:
        failures = state.failures
    failures += 1
    delay = delay_after(failures, policy)
    blocked_until = now + timedelta(seconds=delay) if delay else None
    return State(failures=failures, last_failure_at=now, blocked_until=blocked_until)


def starts_episode(state, policy):
    """True when `state` is the first failure of a run that makes the next attempt wait:
    the moment to tell the account's owner, once, not at every failure after it."""
    return delay_after(state.failures, policy) > 0 and \
        delay_after(state.failures - 1, policy) == 0
