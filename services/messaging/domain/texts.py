"""The text of messages, notes and settings: plain text, stored as written.

Nothing here interprets markup: a message is shown exactly as typed (rendered escaped,
never as HTML). Line ends are normalised to `\n`, control characters other than tab and
line feed are dropped (they have no meaning in a message and confuse terminals and
exports), and the surrounding blank space is trimmed. A message then holds 1 to 10,000
characters.
"""
import re

BODY_MAX = 10_000
SUBJECT_MAX = 120
NAME_MAX = 200
NOTICE_MAX = 1_000
DEFAULT_NOTICE = ("Secure messages are not for emergencies and may not be read right away. "
                  "If you are in crisis or thinking about harming yourself, call or text 988 "
                  "(Suicide & Crisis Lifeline), or call 911.")

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(value):
    """Normalised plain text (see the module's docstring); None stays None."""
    if value is None:
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value).strip()


def body_problem(value):
    """A message for a person when `value` is not a sendable message body, else None."""
    if not isinstance(value, str):
        return "Write your message as text."
    text = clean(value)
    if not text:
        return "Write a message before sending."
    if len(text) > BODY_MAX:
        return (f"A message can be at most {BODY_MAX:,} characters; this one has "
                f"{len(text):,}. Split it into two messages.")
    return None


def subject_problem(value):
    if value is None:
        return None
    if not isinstance(value, str):
        return "Write the subject as text."
    if "\n" in value.strip() or "\r" in value.strip():
        return "The subject is one line."
    if len(clean(value)) > SUBJECT_MAX:
        return f"The subject can be at most {SUBJECT_MAX} characters."
    return None


def notice_problem(value):
    if not isinstance(value, str):
        return "Write the notice as text."
    text = clean(value)
    if not text:
        return "Write the notice clients see when they write a message."
    if len(text) > NOTICE_MAX:
        return f"The notice can be at most {NOTICE_MAX:,} characters."
    return None


def one_line(value, limit=NAME_MAX):
    """A name or subject on one line, at most `limit` characters; None for blank."""
    text = clean(value)
    if not text:
        return None
    return " ".join(text.split())[:limit]
