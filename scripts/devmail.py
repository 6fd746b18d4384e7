"""The development mail catcher: an SMTP server that keeps every message instead of
sending it, and a small web page to read them.  DEVELOPMENT ONLY — it listens on
127.0.0.1, accepts anything, and has no authentication.

    python -m scripts.devmail --smtp-port 1025 --web-port 8025 --store var/mail.json

Pages: `/` lists the messages, `/messages/<n>` shows one, `/messages` is the JSON list
the end-to-end tests read (`[{id, received_at, from, to, subject, body}]`), and
`DELETE /messages` empties the box.
"""
import argparse
import email
import email.policy
import html
import json
import signal
import sys
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from aiosmtpd.controller import Controller
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


class Mailbox:
    """Messages in memory, mirrored to a JSON file so that a restart keeps them."""

    def __init__(self, store=None):
        self.store = Path(store) if store else None
        self.lock = threading.Lock()
        self.messages = []
        if self.store and self.store.exists():
            try:
                self.messages = json.loads(self.store.read_text())
            except ValueError:
                self.messages = []

    def add(self, message):
        with self.lock:
            self.messages.append(message)
            self._save()

    def clear(self):
        with self.lock:
            self.messages = []
            self._save()

    def all(self):
        with self.lock:
            return list(self.messages)

    def _save(self):
        if not self.store:
            return
        self.store.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.store.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.messages, indent=1))
        tmp.replace(self.store)


def parse(raw, mail_from, rcpt_tos):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    text = html_body = None
    for part in msg.walk() if msg.is_multipart() else [msg]:
        if part.is_multipart() or part.get_content_disposition() == "attachment":
            continue
        kind = part.get_content_type()
        if kind == "text/plain" and text is None:
            text = part.get_content()
        elif kind == "text/html" and html_body is None:
            html_body = part.get_content()
    return {
        "id": uuid.uuid4().hex,
        "received_at": datetime.now(timezone.utc).isoformat(),
        "from": mail_from,
        "to": list(rcpt_tos),
        "header_to": str(msg.get("To", "")),
        "subject": str(msg.get("Subject", "")),
        "body": (text if text is not None else (html_body or "")).replace("\r\n", "\n"),
        "html": html_body,
    }


class Handler:
    def __init__(self, mailbox):
        self.mailbox = mailbox

    async def handle_DATA(self, server, session, envelope):
        self.mailbox.add(parse(envelope.original_content or envelope.content,
                               envelope.mail_from, envelope.rcpt_tos))
        return "250 Message accepted for delivery"


PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title><style>
body{{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}}
table{{border-collapse:collapse;width:100%}} td,th{{padding:.4rem;border-bottom:1px solid #ddd;text-align:left}}
pre{{white-space:pre-wrap;background:#f6f6f6;padding:1rem}} .note{{color:#a00}}
</style></head><body><p class="note">Haven development mail catcher: nothing here was sent.</p>
{content}</body></html>"""


def web_app(mailbox):
    e = html.escape

    @Request.application
    def app(request):
        path = request.path.rstrip("/") or "/"
        messages = mailbox.all()
        if path == "/messages" and request.method == "DELETE":
            mailbox.clear()
            return Response(status=204)
        if path == "/messages":
            return Response(json.dumps(messages), content_type="application/json")
        if path == "/":
            rows = "".join(
                f'<tr><td>{e(m["received_at"][:19])}</td><td>{e(", ".join(m["to"]))}</td>'
                f'<td><a href="/messages/{n}">{e(m["subject"] or "(no subject)")}</a></td></tr>'
                for n, m in reversed(list(enumerate(messages))))
            content = (f"<h1>Mail ({len(messages)})</h1><table><tr><th>received</th><th>to</th>"
                       f"<th>subject</th></tr>{rows}</table>")
            return Response(PAGE.format(title="Mail", content=content), content_type="text/html")
        if path.startswith("/messages/"):
            try:
                m = messages[int(path.rsplit("/", 1)[1])]
            except (ValueError, IndexError):
                return Response("not found", status=404)
            content = (f'<p><a href="/">all mail</a></p><h1>{e(m["subject"])}</h1>'
                       f'<p>From: {e(m["from"] or "")}<br>To: {e(", ".join(m["to"]))}<br>'
                       f'Received: {e(m["received_at"])}</p><pre>{e(m["body"])}</pre>')
            return Response(PAGE.format(title=e(m["subject"]), content=content),
                            content_type="text/html")
        return Response("not found", status=404)

    return app


def serve(smtp_port, web_port, store=None, host="127.0.0.1"):
    mailbox = Mailbox(store)
    controller = Controller(Handler(mailbox), hostname=host, port=smtp_port)
    controller.start()
    web = make_server(host, web_port, web_app(mailbox), threaded=True)
    thread = threading.Thread(target=web.serve_forever, daemon=True)
    thread.start()
    return controller, web


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--web-port", type=int, default=8025)
    parser.add_argument("--store", default=None, help="JSON file that keeps the messages")
    args = parser.parse_args(argv)
    controller, web = serve(args.smtp_port, args.web_port, args.store)
    print(f"devmail: SMTP 127.0.0.1:{args.smtp_port}, web http://127.0.0.1:{args.web_port}/",
          flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.is_set():
        time.sleep(0.2)
    web.shutdown()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
