"""Headless Chromium driven over the DevTools protocol on a pipe: no driver, no extra package.

``--remote-debugging-pipe`` makes Chromium read protocol commands from fd 3 and write replies and
events to fd 4, each a JSON message ended by a NUL byte. That is all a test needs to open a page,
collect every console message, uncaught exception and browser log entry (CSP violations and
blocked loads arrive there), evaluate an expression and take a screenshot, without selenium's
driver download logic or a websocket library.

Chromium is Debian's (``apt-get install chromium``; ``.ci/run`` installs it). Each page gets a
fresh profile directory, so no state leaks between tests or from a user's browser.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-pipe",
)
TIMEOUT_S = 60.0


class Page:
    """One tab of a fresh headless Chromium; use as a context manager (the browser is always closed)."""

    def __init__(self, profile: Path) -> None:
        self._commands_r, self._commands_w = os.pipe()
        self._events_r, self._events_w = os.pipe()
        self._process = subprocess.Popen(
            [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=self._pipes_to_3_and_4,  # only dup2 runs between fork and exec
        )
        os.close(self._commands_r)
        os.close(self._events_w)
        self._messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        threading.Thread(target=self._read, daemon=True).start()
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            self.send(f"{domain}.enable", session=True)
        self.send(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=1200,
            height=900,
            deviceScaleFactor=1,
            mobile=False,
        )

    def _pipes_to_3_and_4(self) -> None:
        os.dup2(self._commands_r, 3)
        os.dup2(self._events_w, 4)

    def _read(self) -> None:
        buffer = b""
        with os.fdopen(self._events_r, "rb", buffering=0) as stream:
            while chunk := stream.read(65536):
                buffer += chunk
                *messages, buffer = buffer.split(b"\0")
                for message in messages:
                    self._messages.put(json.loads(message))

    def send(self, method: str, *, session: bool = False, **params: Any) -> dict[str, Any]:
        """Send a command and wait for its reply, keeping the events that arrive meanwhile."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self._session
        os.write(self._commands_w, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._messages.get(timeout=TIMEOUT_S)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply["result"]
                return result
            self.events.append(reply)

    def open(self, url: str) -> None:
        """Navigate and wait for the load event."""
        self.send("Page.navigate", session=True, url=url)
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            self.events.append(self._messages.get(timeout=TIMEOUT_S))

    def evaluate(self, expression: str) -> Any:
        """The JSON value of ``expression`` in the page."""
        reply = self.send("Runtime.evaluate", session=True, expression=expression, returnByValue=True)
        return reply["result"].get("value")

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions, and browser log errors, in words."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                found.append(f"console.{params['type']}: {[a.get('value') for a in params.get('args', [])]}")
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails'].get('text')}")
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                found.append(f"log {params['entry']['level']}: {params['entry']['text']}")
        return found

    def screenshot(self, path: Path) -> Path:
        """A PNG of the whole page (not just the viewport)."""
        size = self.send("Page.getLayoutMetrics", session=True)["cssContentSize"]
        clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
        data = self.send("Page.captureScreenshot", session=True, format="png", captureBeyondViewport=True, clip=clip)
        path.write_bytes(base64.b64decode(data["data"]))
        return path

    def __enter__(self) -> Page:
        return self

    def __exit__(self, *_: object) -> None:
        try:
            self.send("Browser.close")
        except (OSError, RuntimeError, queue.Empty):
            self._process.kill()
        finally:
            os.close(self._commands_w)
            self._process.wait(timeout=TIMEOUT_S)


@pytest.fixture(scope="module")
def open_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Path], Page]]:
    """Open a local file in a fresh headless Chromium; every browser is closed at teardown."""
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install -y chromium (as .ci/run does)"
    with ExitStack() as stack:

        def open_file(path: Path) -> Page:
            page = stack.enter_context(Page(tmp_path_factory.mktemp("chromium-profile")))
            page.open(path.resolve().as_uri())
            return page

        yield open_file
