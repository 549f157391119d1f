"""A real OpenID Connect provider for the single sign-on tests: tests/oidc/provider.mjs (the npm package
oidc-provider) in its own Node.js process on loopback, as a school's Microsoft Entra ID or Google Workspace would be.

`make test` installs it (npm ci in tests/oidc). Without Node.js or the package, the tests that need it are skipped,
unless E2E_REQUIRED=1 (CI), when that is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import pytest

from .smtp import free_port

HERE = Path(__file__).resolve().parent / "oidc"
CLIENT_ID = "safeguarding-tests"
CLIENT_SECRET = "tests-only-client-secret-for-the-loopback-provider"


@dataclass
class Provider:
    url: str
    process: subprocess.Popen
    accounts: dict = field(default_factory=dict)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start_provider(*, redirect_uris: list[str], accounts: dict[str, dict]) -> Provider:
    """Starts the provider with these accounts (login -> claims: email, email_verified, name)."""
    node = shutil.which("node")
    if not node or not (HERE / "node_modules" / "oidc-provider").is_dir():
        message = "the OpenID Connect provider needs Node.js and `npm ci --prefix tests/oidc` (make test does it)"
        if os.environ.get("E2E_REQUIRED") == "1":
            pytest.fail(f"E2E_REQUIRED=1 but {message}")
        pytest.skip(message)
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "CLIENT_ID": CLIENT_ID,
        "CLIENT_SECRET": CLIENT_SECRET,
        "REDIRECT_URIS": " ".join(redirect_uris),
        "ACCOUNTS": json.dumps(accounts),
    }
    process = subprocess.Popen(  # noqa: S603  (our own script, with node from the PATH)
        [node, str(HERE / "provider.mjs")], cwd=HERE, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 20
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline().decode()
        if "listening" in line:
            return Provider(url=f"http://127.0.0.1:{port}", process=process, accounts=accounts)
        if process.poll() is not None:
            break
    process.kill()
    raise RuntimeError("the OpenID Connect provider did not start")


def form_of(html: str, base: str) -> tuple[str, dict[str, str]]:
    """The page's first form: where it posts, and its hidden fields."""
    found = re.search(r'<form[^>]*action="([^"]*)"', html)
    assert found, "the provider's page has no form"
    action = unescape(found.group(1))
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    return urljoin(base, action), hidden
