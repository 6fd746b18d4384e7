"""End to end: the whole system started as `make run` starts it (scripts.stack.Stack),
driven over HTTP through the gateway and in a real headless Chromium.

Fixtures:
  haven_stack  (session) the running, seeded stack on this session's private vhost:
               .base_url, .mail_messages(), .amqp_uri, .rpc(), .demo (the seeded
               practice, staff and client with their demo passwords), .log_dir
  browser      (session) Playwright's sync API driving Debian's Chromium, headless
  page         a fresh browser context and page per test
"""
import os
import shutil
import signal

import pytest

from scripts.infra import free_port
from scripts.stack import Stack
from tests.conftest import private_vhost

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def haven_stack(tmp_path_factory):
    """Haven started in a temporary var dir on free ports, seeded with the demo practice."""
    amqp_uri, remove_vhost = private_vhost()
    # a declared base domain: emails of a practice with its own subdomain link there
    stack = Stack(var_dir=tmp_path_factory.mktemp("haven-stack"), amqp_uri=amqp_uri,
                  http_port=free_port(), smtp_port=free_port(), mail_port=free_port(),
                  extra_env={"HAVEN_PORTAL_BASE_DOMAIN": "localhost"})
    try:
        stack.start()
        stack.seed()
        yield stack
    finally:
        stack.stop()
        remove_vhost()


def _chromium():
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium (Playwright's own browser download needs the internet)."""
    executable = _chromium()
    if not executable:
        pytest.fail("chromium is not installed: `make test` installs Debian's chromium "
                    "(or apt-get install chromium chromium-driver)")
    from playwright.sync_api import sync_playwright
    manager = sync_playwright()
    playwright = manager.start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        _stop_playwright(manager)


def _stop_playwright(manager):
    """Under eventlet's monkey patching (tests/conftest.py) Playwright's stop() never
    returns: its asyncio loop waits for the driver's exit through a child watcher that
    the patched threading never wakes. The browser is closed by then, so end the driver
    process ourselves; unpatched, stop normally."""
    import eventlet.patcher
    if not eventlet.patcher.is_monkey_patched("thread"):
        manager.__exit__(None, None, None)
        return
    proc = getattr(getattr(getattr(manager, "_client", None), "_transport", None), "_proc", None)
    if proc is not None and proc.returncode is None:
        try:
            os.kill(proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass


@pytest.fixture
def page(browser):
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()
