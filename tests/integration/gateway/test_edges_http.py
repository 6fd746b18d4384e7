"""The gateway's edges over real HTTP (eventlet's wsgi server, as in production; issue 17):
too many upload parts, oversized headers, an overlong address and chunked bodies each get a
JSON answer that names the real problem — never an empty 400 from the server, nor a body
read as empty."""
import json
import socket
from urllib.parse import urlparse

import pytest

from tests.integration.gateway.test_documents import (CLIENT, BOUNDARY,  # noqa: F401
                                                      gateway, start_stack)
from tests.integration.gateway.test_gateway import (GOOD, base_config,  # noqa: F401
                                                    start_gateway)


def raw(url, head, body=b"", timeout=10):
    """Send bytes as they are; (status, headers dict, body bytes) of the answer."""
    parsed = urlparse(url)
    with socket.create_connection((parsed.hostname, parsed.port), timeout=timeout) as sock:
        sock.sendall(head + body)
        data = b""
        while True:
            try:
                piece = sock.recv(65536)
            except socket.timeout:
                break
            if not piece:
                break
            data += piece
            if b"\r\n\r\n" in data:
                top, _, rest = data.partition(b"\r\n\r\n")
                length = [ln for ln in top.split(b"\r\n") if ln.lower().startswith(
                    b"content-length:")]
                if length and len(rest) >= int(length[0].split(b":")[1]):
                    break
    top, _, rest = data.partition(b"\r\n\r\n")
    lines = top.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, rest


def request(method, path, headers=(), body=b""):
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"), body


def chunked(data, size=7):
    out = b""
    for i in range(0, len(data), size):
        piece = data[i:i + size]
        out += b"%x\r\n%s\r\n" % (len(piece), piece)
    return out + b"0\r\n\r\n"


def answer_json(status, headers, body):
    assert headers.get("content-type", "").startswith("application/json"), (status, body)
    return json.loads(body)


def test_a_header_line_too_long_is_431_json(gateway):
    url, _ = gateway
    status, headers, body = raw(url, *request("GET", "/healthz", [f"X-Big: {'a' * 9000}"]))
    assert status == 431
    err = answer_json(status, headers, body)
    assert err["error"] == "headers_too_large" and "8 KB" in err["message"]


def test_too_many_header_bytes_are_431_json(gateway):
    url, _ = gateway
    many = [f"X-H{i}: {'b' * 4000}" for i in range(20)]      # 80 KB in all
    status, headers, body = raw(url, *request("GET", "/healthz", many))
    assert status == 431
    err = answer_json(status, headers, body)
    assert err["error"] == "headers_too_large" and "64 KB" in err["message"]


def test_an_address_too_long_is_414_json(gateway):
    url, _ = gateway
    status, headers, body = raw(url, *request("GET", "/api/v1/practices/" + "p" * 9000))
    assert status == 414
    assert answer_json(status, headers, body)["error"] == "uri_too_long"


def test_a_chunked_json_body_is_read(gateway):
    url, _ = gateway
    body = json.dumps(dict(GOOD, token_delivery="body")).encode()
    status, headers, answer = raw(url, *request(
        "POST", "/api/v1/session", ["Content-Type: application/json",
                                    "Transfer-Encoding: chunked"], chunked(body)))
    assert status == 200, answer           # was 422: the body was read as empty
    assert answer_json(status, headers, answer)["access_token"]


def test_a_chunked_json_body_over_the_limit_is_413_naming_it(gateway):
    url, _ = gateway
    body = json.dumps(dict(GOOD, login="x" * (70 * 1024))).encode()   # limit: 64 KB
    status, headers, answer = raw(url, *request(
        "POST", "/api/v1/session", ["Content-Type: application/json",
                                    "Transfer-Encoding: chunked"], chunked(body, 4096)))
    assert status == 413
    err = answer_json(status, headers, answer)
    assert err["error"] == "payload_too_large" and "64 KB" in err["message"]


def test_a_malformed_chunked_body_is_400_json(gateway):
    url, _ = gateway
    status, headers, answer = raw(url, *request(
        "POST", "/api/v1/session", ["Content-Type: application/json",
                                    "Transfer-Encoding: chunked"], b"zz\r\n{}\r\n0\r\n\r\n"))
    assert status == 400, answer
    assert answer_json(status, headers, answer)["error"] == "invalid_chunked_body"


def test_too_many_upload_parts_are_413_naming_the_parts(gateway):
    url, store = gateway
    parts = b"".join(b"--%s\r\nContent-Disposition: form-data; name=\"f%d\"\r\n\r\nx\r\n"
                     % (BOUNDARY.encode(), i) for i in range(40))
    parts += b"--%s--\r\n" % BOUNDARY.encode()
    head = [CLIENT_HEADER, f"Content-Type: multipart/form-data; boundary={BOUNDARY}",
            f"Content-Length: {len(parts)}"]
    status, headers, answer = raw(url, *request("POST", "/api/v1/me/uploads", head, parts))
    assert status == 413, answer
    err = answer_json(status, headers, answer)
    assert err["error"] == "too_many_parts" and "parts" in err["message"]
    assert not [p for p in store.root.rglob("*") if p.is_file()]


CLIENT_HEADER = "Authorization: " + CLIENT["Authorization"]
