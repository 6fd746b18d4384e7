"""Email templates (Jinja2): `<name>.subject.txt`, `<name>.txt` and optionally
`<name>.html` under services/notify/templates/ (the defaults).

StrictUndefined makes a template that asks for a value its context does not carry fail
at once instead of rendering a blank; HTML is autoescaped.
"""
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, TemplateNotFound, \
    select_autoescape

FOLDER = Path(__file__).resolve().parents[1] / "templates"

_env = Environment(loader=FileSystemLoader(str(FOLDER)), undefined=StrictUndefined,
                   autoescape=select_autoescape(enabled_extensions=("html",),
                                                default_for_string=False),
                   keep_trailing_newline=True)


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str = None


def render(name, context):
    subject = " ".join(_env.get_template(f"{name}.subject.txt").render(context).split())
    text = _env.get_template(f"{name}.txt").render(context)
    try:
        html = _env.get_template(f"{name}.html").render(context)
    except TemplateNotFound:
        html = None
    return Rendered(subject=subject, text=text, html=html)
