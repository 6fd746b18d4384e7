"""The sentences identity answers people with, and the errors built from them.

Each is a (code, sentence) pair or a sentence: a code for programs, a sentence for
people (docs/architecture.md, "Errors"). Several capabilities refuse alike — a wrong
password at sign-in and at a password change, a closed portal at sign-in and at an
invitation — so they say it in the same words.
"""
from services.common.errors import TooManyRequests, Unauthenticated

INVALID_CREDENTIALS = ("invalid_credentials", "The sign-in name or password is not right.")

ACCOUNT_INACTIVE = ("account_inactive", "This account cannot sign in. Please call the practice.")

PORTAL_CLOSED = ("portal_disabled",
                 "This practice's portal is not open. Please call the practice.")

SESSION_ENDED = ("session_ended", "Your session has ended. Please sign in again.")

SESSION_IDLE = ("session_timed_out", "You were signed out because the portal was not used "
                "for a while. Please sign in again.")

NOT_FOUND = ("not_found", "That record does not exist.")

RESET_ANSWER = ("If an account uses that email address, we have sent it a link to choose a new "
                "password. The link works once, for 24 hours.")

NOT_YET_AVAILABLE = "account_not_yet_available"

NOT_YET_SENTENCE = ("Your own portal sign-in is not available yet: it opens on the birthday the "
                    "practice has set. Until then a parent or guardian can use the portal for "
                    "you. Please call the practice with any question.")

NO_LOGIN = ("no_portal_access", "This client has no portal access yet.")

MFA_TOKEN_INVALID = ("mfa_token_invalid",
                     "This sign-in has expired. Please sign in again.")

WRONG_CODE = ("invalid_code",
              "That code is not right. Check the time on your phone and try again.")

REUSED_CODE = ("code_already_used", "That code was already used. Wait for the next code in your "
               "authenticator app (a new one comes every 30 seconds) and enter that one.")


def throttled(seconds):
    """The answer to an attempt made before its back-off has passed."""
    return TooManyRequests("too_many_attempts",
                           f"Too many attempts. Please wait {seconds} seconds and try again.",
                           {"retry_after": seconds})


def not_yet_available(opens_on, error=Unauthenticated):
    return error(NOT_YET_AVAILABLE, NOT_YET_SENTENCE, {"available_from": opens_on.isoformat()})

