"""Email templates (Jinja2) → subject, plain text and HTML, in a sandbox.

Every template — a default under services/notify/templates/ (`<kind>.subject.txt`,
`<kind>.txt`, optionally `<kind>.html`) or a practice's own edit — is rendered by
Jinja2's SandboxedEnvironment: it cannot reach Python (`''.__class__`, a function, a
module), only the values it is given. `check` is what a practice's edit must pass before
it is saved: it parses, it uses only its kind's variables (none that could carry health
information), it shows the practice's name and portal address, it is built from the
few template features an email needs (no loops, calls, attributes, includes or macros —
so it cannot run away either), and an HTML body has no script or event handlers.
StrictUndefined makes a variable the context lacks fail instead of rendering a blank;
HTML is autoescaped. Plain functions: no nameko, no SQL.
"""
import functools
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment

from services.notify.domain.template_kinds import FORBIDDEN, REQUIRED, kind_of

FOLDER = Path(__file__).resolve().parents[1] / "templates"

PARTS = ("subject", "body_text", "body_html")
LABELS = {"subject": "The subject", "body_text": "The plain-text body",
          "body_html": "The HTML body"}
MAX_LENGTH = {"subject": 300, "body_text": 20000, "body_html": 50000}
SUBJECT_MAX = 200     # rendered, one line

FILTERS = ("upper", "lower", "title", "capitalize", "trim", "default", "d", "e", "escape",
           "replace", "truncate", "wordwrap", "striptags")
TESTS = ("defined", "undefined", "none", "true", "false", "string", "number", "sameas",
         "eq", "ne", "equalto")
# The nodes an email template may be built of: text, variables, if/else, comparisons,
# joining text, the filters and tests above. Anything else is refused on save.
ALLOWED = (nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Const,
           nodes.If, nodes.CondExpr, nodes.And, nodes.Or, nodes.Not, nodes.Compare,
           nodes.Operand, nodes.Concat, nodes.Filter, nodes.Test)
REFUSED = (
    ((nodes.Getattr, nodes.Getitem, nodes.Slice),
     "only the listed variables can be shown, not parts of them"),
    ((nodes.Call,), "an email template cannot call functions"),
    ((nodes.For,), "an email template cannot repeat anything (no loops)"),
    ((nodes.Assign, nodes.AssignBlock, nodes.With),
     "an email template cannot set variables of its own"),
    ((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends, nodes.Block,
      nodes.Macro, nodes.CallBlock),
     "an email template cannot include other templates, blocks or macros"),
)
# in an HTML body: what could run in a mail reader or send the reader elsewhere
HTML_REFUSED_TAGS = ("script", "iframe", "object", "embed", "form", "base", "meta", "link",
                     "frame", "frameset", "applet")


@dataclass(frozen=True)
class Sources:
    subject: str
    body_text: str
    body_html: str = None


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str = None


_text_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False,
                                 keep_trailing_newline=True)
_html_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=True,
                                 keep_trailing_newline=True)


@functools.lru_cache(maxsize=512)
def _compiled(source, html):
    return (_html_env if html else _text_env).from_string(source)


@functools.lru_cache(maxsize=64)
def default_sources(kind):
    """The default texts of `kind`, from services/notify/templates/."""
    html = FOLDER / f"{kind}.html"
    return Sources(subject=(FOLDER / f"{kind}.subject.txt").read_text(),
                   body_text=(FOLDER / f"{kind}.txt").read_text(),
                   body_html=html.read_text() if html.exists() else None)


def render_sources(sources, context):
    """Render one email's three parts; raises a jinja2 TemplateError (SecurityError,
    UndefinedError …) when a template asks for what it may not have."""
    subject = " ".join(_compiled(sources.subject, False).render(context).split())
    text = _compiled(sources.body_text, False).render(context)
    html = _compiled(sources.body_html, True).render(context) if sources.body_html else None
    return Rendered(subject=subject, text=text, html=html)


def render(kind, context):
    """Render the default texts of `kind`."""
    return render_sources(default_sources(kind), context)


def render_with_fallback(kind, own, context):
    """A practice's own texts (`own`, Sources or None) rendered, or — when there are none,
    or they no longer render (a variable taken away by a later release) — the default.
    → (Rendered, whether the practice's own texts were used)."""
    if own is not None:
        try:
            return render_sources(own, context), True
        except TemplateError:
            pass
    return render(kind, context), False


# --- checking a practice's edit -------------------------------------------------------

def check(kind, sources):
    """What is wrong with a practice's edit of `kind`, as {part: [sentence]} — empty
    when it may be saved. Each sentence names the line and the reason."""
    template_kind = kind_of(kind)
    problems = {}
    for part in PARTS:
        source = getattr(sources, part)
        if part == "body_html" and not source:
            continue                      # an email may be plain text only
        found = _check_part(template_kind, part, source or "")
        if found:
            problems[part] = [found]
    if not problems:
        found = _check_rendered(template_kind, sources)
        if found:
            problems.update(found)
    return problems


def _check_part(template_kind, part, source):
    label = LABELS[part]
    if not source.strip():
        return f"{label} cannot be empty."
    if len(source) > MAX_LENGTH[part]:
        return f"{label} is too long (at most {MAX_LENGTH[part]:,} characters)."
    try:
        ast = _text_env.parse(source)
    except TemplateSyntaxError as exc:
        return f"Line {exc.lineno}: {_reason(exc.message)}."
    problem = _refused_node(ast)
    if problem:
        return problem
    used = meta.find_undeclared_variables(ast)
    problem = _unknown_variable(template_kind, ast, used)
    if problem:
        return problem
    if part == "subject" and "\n" in source.strip():
        return "The subject must be one line."
    if part != "subject":
        missing = [name for name in REQUIRED if name not in used]
        if missing:
            shown = " and ".join("{{ %s }}" % name for name in missing)
            return (f"{label} must show {shown}: every email names the practice and "
                    "links to its portal.")
    if part == "body_html":
        return _html_problem(source)
    return None


def _reason(message):
    message = (message or "the template cannot be read").strip().rstrip(".")
    return message[:1].upper() + message[1:]


def _refused_node(ast):
    for node in ast.find_all(nodes.Node):
        for classes, reason in REFUSED:
            if isinstance(node, classes):
                return f"Line {node.lineno}: {reason[:1].upper() + reason[1:]}."
        if not isinstance(node, ALLOWED):
            return f"Line {node.lineno}: That template feature is not available in emails."
        if isinstance(node, nodes.Filter) and node.name not in FILTERS:
            return (f"Line {node.lineno}: The filter “{node.name}” is not available in "
                    f"emails; these are: {', '.join(FILTERS)}.")
        if isinstance(node, nodes.Test) and node.name not in TESTS:
            return f"Line {node.lineno}: The test “{node.name}” is not available in emails."
    return None


def _unknown_variable(template_kind, ast, used):
    allowed = template_kind.names
    for name in sorted(used, key=lambda n: _first_line(ast, n)):
        if name in allowed:
            continue
        line = _first_line(ast, name)
        if name in FORBIDDEN or name.lower() in FORBIDDEN:
            return (f"Line {line}: “{name}” cannot be used in an email: "
                    f"{FORBIDDEN.get(name, FORBIDDEN.get(name.lower()))}, and emails never "
                    "carry health information.")
        return (f"Line {line}: “{name}” is not a variable of this email; it may use "
                f"{', '.join(allowed)}.")
    return None


def _first_line(ast, name):
    return min((n.lineno for n in ast.find_all(nodes.Name) if n.name == name), default=1)


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)


def _skeleton(source):
    """The HTML of a template with each Jinja tag replaced by a word (keeping its line
    breaks), so that the HTML parser sees the markup the template itself writes."""
    return _JINJA.sub(lambda m: "x" + "\n" * m.group(0).count("\n"), source)


class _HtmlCheck(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problem = None

    def _refuse(self, text):
        if self.problem is None:
            self.problem = f"Line {self.getpos()[0]}: {text}"

    def handle_starttag(self, tag, attrs):
        if tag in HTML_REFUSED_TAGS:
            self._refuse(f"An HTML email cannot contain <{tag}>.")
        for name, value in attrs:
            if name.startswith("on"):
                self._refuse(f"An HTML email cannot carry event handlers ({name}).")
            squeezed = re.sub(r"[\s\x00-\x1f]", "", (value or "")).lower()
            if squeezed.startswith(("javascript:", "vbscript:", "data:text/html")):
                self._refuse(f"An HTML email cannot link to scripts ({name}).")

    handle_startendtag = handle_starttag


def _html_problem(source):
    checker = _HtmlCheck()
    checker.feed(_skeleton(source))
    checker.close()
    return checker.problem


def _check_rendered(template_kind, sources):
    """Render the edit with sample data: the sandbox is the last word on what the
    template may reach, and the result must still be a sendable email."""
    for flip in (False, True):    # each yes/no both ways: every branch is rendered once
        context = template_kind.sample_context()
        context.update({k: (not v if flip else v) for k, v in context.items()
                        if isinstance(v, bool)})
        try:
            rendered = render_sources(sources, context)
        except TemplateError as exc:
            return {"body_text": [f"The template cannot be shown: {_reason(str(exc))}."]}
        if not rendered.subject:
            return {"subject": ["The subject is empty once the variables are filled in."]}
        if len(rendered.subject) > SUBJECT_MAX:
            return {"subject": [f"The subject is longer than {SUBJECT_MAX} characters "
                                "once the variables are filled in."]}
        if rendered.html:
            problem = _html_problem(rendered.html)
            if problem:
                return {"body_html": [problem]}
    return {}
