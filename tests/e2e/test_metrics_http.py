"""Every process of the stack serves Prometheus metrics on its own port: the gateway's
requests by route template and status, each service's RPCs, the relay's events."""
import urllib.request

import requests


def scrape(url):
    return urllib.request.urlopen(url, timeout=5).read().decode()


def test_each_process_serves_its_metrics(haven_stack):
    code = haven_stack.demo["practice"]["code"]
    assert requests.get(f"{haven_stack.base_url}/api/v1/practices/{code}", timeout=10).ok
    assert requests.get(f"{haven_stack.base_url}/api/v1/practices/no-such-practice",
                        timeout=10).status_code == 404
    assert set(haven_stack.metrics_urls) >= set(haven_stack.services) | {"gateway"}

    gateway = scrape(haven_stack.metrics_urls["gateway"])
    route = 'route="/api/v1/practices/<code>"'
    assert any(line.startswith("haven_http_requests_total{") and route in line
               and 'status="200"' in line for line in gateway.splitlines()), gateway[:2000]
    assert any(route in line and 'status="404"' in line for line in gateway.splitlines())
    assert code not in gateway.replace(route, "")  # templates, never a path's values

    identity = scrape(haven_stack.metrics_urls["identity"])
    assert 'haven_entrypoint_calls_total{kind="rpc"' in identity
    assert 'service="identity"' in identity and "haven_outbox_pending" in identity
