"""What the browser tests share: a studio subprocess on a free port, Chromium, and clean-up.

with studio_process(ws_dir, log_path) as url: ...                 # `studio` as a user starts it
with studio_process(ws_dir, log_path, launch_kwargs={...}) as url: # studio.app.launch(...) directly
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen, timeout_s: float = 90) -> None:
    """Wait until the server answers at all (a login page's 401/200 counts)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"studio exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except urllib.error.HTTPError:
            return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"studio did not answer at {url} within {timeout_s}s")


def kill_workers(ws: Path) -> None:
    """Workers outlive the studio by design; stop the ones this test's jobs started."""
    for status in ws.glob("jobs/*/status.json"):
        info = json.loads(status.read_text())
        if info.get("state") in ("queued", "running") and info.get("pid"):
            try:
                os.killpg(info["pid"], signal.SIGKILL)
            except OSError:
                pass


@contextlib.contextmanager
def studio_process(ws: Path, log_path: Path, launch_kwargs: dict | None = None):
    """Serve the studio on a free port of 127.0.0.1 in a subprocess; yields its URL."""
    port = free_port()
    if launch_kwargs is None:
        cmd = [sys.executable, "-m", "studio.cli", "--port", str(port), "--workspace", str(ws), "--lang", "en"]
    else:
        kwargs = {"port": port, "lang": "en", **launch_kwargs}
        cmd = [sys.executable, "-c", f"from studio.app import launch; launch({str(ws)!r}, **{kwargs!r})"]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GRADIO_ANALYTICS_ENABLED": "False"}
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_http(url, proc)
        yield url
    finally:
        proc.terminate()
        kill_workers(ws)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        ARTIFACTS.mkdir(exist_ok=True)
        with contextlib.suppress(OSError):
            (ARTIFACTS / log_path.name).write_bytes(log_path.read_bytes())


@contextlib.contextmanager
def chromium_page(viewport: dict | None = None, **page_kwargs):
    """A page of a fresh Chromium. When the test fails inside, the page as it was goes to
    test-artifacts/failed-<test>.png (the tests screenshot only what the README shows)."""
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport=viewport or {"width": 1280, "height": 1000}, **page_kwargs)
            try:
                yield page
            except BaseException:
                test = os.environ.get("PYTEST_CURRENT_TEST", "browser").split(" ")[0]
                name = "".join(c if c.isalnum() or c in "-_" else "-" for c in test.rsplit("::", 1)[-1])
                with contextlib.suppress(Exception):
                    page.screenshot(path=ARTIFACTS / f"failed-{name}.png", full_page=True, timeout=20_000)
                raise
        finally:
            browser.close()


def text_value(page, elem_id: str) -> str:
    return page.locator(f"#{elem_id} textarea, #{elem_id} input").first.input_value()


# Resolves once the element is drawn (some height) and its markup has stayed the same for `frames` animation frames
# in a row (10 s at most).
SETTLED_JS = """([el, frames]) => new Promise(done => {
    let last = el.innerHTML, still = 0;
    const end = Date.now() + 10000;
    const tick = () => {
        const now = el.innerHTML;
        still = now === last && el.offsetHeight > 10 ? still + 1 : 0;
        last = now;
        if (still >= frames || Date.now() > end) done(); else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
})"""


def open_fold(page, elem_id: str) -> None:
    """Open the accordion `elem_id` if it is closed, and wait until its content is drawn and settled: gradio draws
    a closed one's content only once it opens, and an animation frame after that hands each new box its props
    again, value included (gradio 6, render_previously_invisible_children): text typed into a box before that
    frame is put back to what the server knows. A person cannot type that fast; a test on a loaded machine can."""
    fold = page.locator(f"#{elem_id}")
    content = fold.locator("[data-testid=accordion-content]").first
    if not content.is_visible():
        fold.locator("> button.label-wrap").first.click()
        content.wait_for(state="visible")
        content.evaluate("(el, frames) => (" + SETTLED_JS + ")([el, frames])", 5)


def code_text(page, elem_id: str) -> str:
    """The whole text of a gr.Code box, read through its Download link: the editor renders only the lines
    near its viewport, so a long YAML's first lines are not in the page's text."""
    href = page.locator(f"#{elem_id} a[download]").first.get_attribute("href")
    return page.evaluate("url => fetch(url).then(r => r.text())", href)


# The page's timers, from gradio's own config: the dependency id (the fn_index a tick sends) -> the timer's period.
TIMERS_JS = """() => {
  const c = window.gradio_config;
  const periods = Object.fromEntries(c.components.filter(x => x.type === 'timer').map(x => [x.id, x.props.value]));
  const out = {};
  for (const d of c.dependencies) {
    for (const [id, event] of d.targets) if (event === 'tick' && id in periods) out[d.id] = periods[id];
  }
  return out;
}"""


class TimerTicks:
    """The ticks the page sends, as (time.monotonic(), the timer's period in s): the Monitor's timer is the 1 s one,
    the Runs tab's are 2, 3 and 5 s. Start before page.goto; read() once the page is drawn."""

    def __init__(self, page):
        self.page, self.sent, self.periods = page, [], None
        page.on("request", self._request)

    def _request(self, request) -> None:
        if request.method == "POST" and request.url.split("?")[0].endswith("/queue/join"):
            try:
                fn = (request.post_data_json or {}).get("fn_index")
            except ValueError:
                return
            self.sent.append((time.monotonic(), fn))

    def read(self) -> None:
        self.periods = {int(k): v for k, v in self.page.evaluate(TIMERS_JS).items()}
        assert sorted(self.periods.values()) == [1, 2, 3, 5], self.periods

    def since(self, start: float) -> list[float]:
        """The periods of the timers that ticked since `start`."""
        return [self.periods[fn] for at, fn in list(self.sent) if at >= start and fn in self.periods]

    def wait_for(self, period: float, start: float, timeout_s: float = 10.0) -> None:
        """Until the timer of this period has ticked since `start` (a timer turned on starts a period later)."""
        deadline = time.monotonic() + timeout_s
        while period not in self.since(start):
            assert time.monotonic() < deadline, f"the {period} s timer did not tick in {timeout_s} s: {self.sent[-5:]}"
            self.page.wait_for_timeout(200)

    def quiet(self, periods: set, start: float, for_s: float, timeout_s: float = 15.0) -> None:
        """Until none of the timers of these periods has ticked for `for_s` s (counted from `start` at the
        earliest): a timer turned off stops, one left on ticks again within its period."""
        deadline = time.monotonic() + timeout_s
        while True:
            last = max([start, *(at for at, fn in list(self.sent) if self.periods.get(fn) in periods)])
            if time.monotonic() - last >= for_s:
                return
            assert time.monotonic() < deadline, f"timers of {sorted(periods)} s still tick after {timeout_s} s"
            self.page.wait_for_timeout(200)
