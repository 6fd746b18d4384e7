"""Providers only charts needs: the virus scanner, a backend chosen by configuration.
(The blob store's provider is the kernel's, `services.common.blobstore.BlobStoreProvider`,
shared with identity.)

Virus scanning of uploads with ClamAV's daemon (Debian `clamav-daemon`) is optional.

Chosen by configuration: `CLAMD_SOCKET` (a unix socket path, e.g.
/run/clamav/clamd.ctl) or `CLAMD_ADDRESS` (`host:port`) in the nameko config or as
`HAVEN_CLAMD_SOCKET` / `HAVEN_CLAMD_ADDRESS`; neither → no scanning. The client is the
few lines of clamd's INSTREAM protocol (a 4-byte big-endian length before each chunk,
a zero length at the end), streaming the blob in chunks: the file is never whole in
memory. Sockets are eventlet's when the process is monkey-patched, so a scan does not
block the hub. clamd's own `StreamMaxLength` must be at least 25M (its default).
"""

import socket
import struct
from dataclasses import dataclass

from nameko.extensions import DependencyProvider

from services.common.config import env

CHUNK = 64 * 1024


class ScanUnavailable(Exception):
    """The scanner did not answer or answered with an error (no content in the text)."""


@dataclass(frozen=True)
class Verdict:
    clean: bool
    signature: str = None  # e.g. "Eicar-Test-Signature"; never shown to clients


class NoScanner:
    enabled = False

    def scan(self, fileobj):
        return Verdict(clean=True)


class ClamdScanner:
    enabled = True

    def __init__(self, unix_socket=None, address=None, timeout=30.0):
        self.unix_socket, self.address, self.timeout = unix_socket, address, timeout

    def _connect(self):
        if self.unix_socket:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            target = self.unix_socket
        else:
            host, _, port = self.address.rpartition(":")
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            target = (host or "127.0.0.1", int(port))
        sock.settimeout(self.timeout)
        sock.connect(target)
        return sock

    def scan(self, fileobj):
        try:
            with self._connect() as sock:
                sock.sendall(b"zINSTREAM\0")
                while True:
                    block = fileobj.read(CHUNK)
                    if not block:
                        break
                    sock.sendall(struct.pack("!L", len(block)) + block)
                sock.sendall(struct.pack("!L", 0))
                reply = b""
                while not reply.endswith(b"\0"):
                    part = sock.recv(4096)
                    if not part:
                        break
                    reply += part
        except OSError as exc:
            raise ScanUnavailable(type(exc).__name__) from None
        return parse_reply(reply)


def parse_reply(reply):
    """`stream: OK`, `stream: <signature> FOUND`, else ScanUnavailable (e.g. `INSTREAM
    size limit exceeded. ERROR`)."""
    text = reply.rstrip(b"\0").decode("utf-8", "replace").strip()
    if text.endswith(" OK"):
        return Verdict(clean=True)
    if text.endswith(" FOUND"):
        signature = text[:-len(" FOUND")].split(":", 1)[-1].strip()
        return Verdict(clean=False, signature=signature[:100])
    raise ScanUnavailable("scanner_error")


def from_config(config=None):
    config = config or {}
    unix_socket = config.get("CLAMD_SOCKET") or env("HAVEN_CLAMD_SOCKET")
    address = config.get("CLAMD_ADDRESS") or env("HAVEN_CLAMD_ADDRESS")
    if not (unix_socket or address):
        return NoScanner()
    timeout = float(config.get("CLAMD_TIMEOUT") or env("HAVEN_CLAMD_TIMEOUT", 30.0))
    return ClamdScanner(unix_socket=unix_socket, address=address, timeout=timeout)


class ScannerProvider(DependencyProvider):
    """`self.scanner`: ClamAV when CLAMD_SOCKET / CLAMD_ADDRESS is configured, else a
    scanner that passes everything (`enabled = False`)."""

    def __init__(self, scanner=None):
        self.scanner = scanner

    def setup(self):
        if self.scanner is None:
            self.scanner = from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.scanner
