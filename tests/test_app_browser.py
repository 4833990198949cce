"""End to end: the interactive map served by ``pap-sim viz``, driven by headless Chromium (offline).

Starts ``pap-sim viz --port 0`` (the port it prints), checks that the map and the charts render, that every slider
shows its value and Mesa's "PAGE 0" and "Time: 0.0" are hidden, clicks Step and checks that the day counter and
the charts move on, and saves screenshots under ``tmp_path``.
Never skipped in CI (CI=true): there a missing Chromium is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]

needs_chromium = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                                    reason="chromium is not installed (apt-get install -y chromium); runs in CI")


def _wait_http(url: str, proc: subprocess.Popen, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the app server exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"the app server did not answer at {url} within {timeout:.0f} s")


def _printed_url(log: Path, proc: subprocess.Popen, timeout: float = 120.0) -> str:
    """The address ``pap-sim viz`` printed (with the port it took for --port 0)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"http://127\.0\.0\.1:\d+/", log.read_text())
        if found:
            return found.group(0)
        if proc.poll() is not None:
            raise RuntimeError(f"pap-sim viz exited with code {proc.returncode}: {log.read_text()[-500:]}")
        time.sleep(0.2)
    raise TimeoutError(f"pap-sim viz printed no address within {timeout:.0f} s")


DAY_JS = "(() => { const m = document.body.innerText.match(/Day (\\d+) of/); return m ? +m[1] : -1; })()"


def _day(page) -> int:
    return page.evaluate(DAY_JS)


def _click_until(page, button: str, condition: str, timeout: int = 15_000, tries: int = 4) -> int:
    """Click a button until the page meets ``condition`` (JS; ``day`` is the day shown); return the day.

    The page re-renders as the model steps, and a click that lands while a button is being replaced can be
    lost, so the click is repeated (a few times at most) rather than the test failing on a lost click."""
    check = f"() => {{ const day = {DAY_JS}; return {condition}; }}"
    for attempt in range(tries):
        page.get_by_role("button", name=button).click(timeout=timeout)
        try:
            page.wait_for_function(check, timeout=timeout)
            return _day(page)
        except Exception:
            if attempt == tries - 1:
                raise
    raise AssertionError("unreachable")


SLIDERS_JS = """() => [...document.querySelectorAll('.v-navigation-drawer [role=slider]')].map(s => {
    const label = s.querySelector('.v-slider__thumb-label-container');
    return [s.getAttribute('aria-label'), s.getAttribute('aria-valuenow'),
            label && label.offsetParent !== null ? label.innerText.trim() : null]; })"""


def _sliders(page) -> dict[str, tuple[str, str | None]]:
    """Each slider of the sidebar: its value and the value it shows (None when nothing is shown)."""
    return {name: (value, shown) for name, value, shown in page.evaluate(SLIDERS_JS)}


def _image_sources(page, selector: str) -> str:
    return page.eval_on_selector(selector, "el => el.getAttribute('src') || ''")


@needs_chromium
def test_app_renders_and_steps(tmp_path):
    assert CHROMIUM, "chromium is required for the browser test (apt-get install -y chromium)"
    from playwright.sync_api import sync_playwright

    log = (tmp_path / "server.log").open("w")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "papsim", "viz", "--port", "0"], cwd=tmp_path, stdout=log,
                            stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        url = _printed_url(tmp_path / "server.log", proc)
        _wait_http(url, proc)
        with sync_playwright() as pw:
            browser = pw.chromium.launch_persistent_context(
                str(tmp_path / "profile"), executable_path=CHROMIUM, args=FLAGS, headless=True,
                viewport={"width": 1500, "height": 1100})
            try:
                page = browser.new_page()
                outside = []  # the app must render offline: nothing fetched from anywhere but the app server
                page.on("request", lambda r: outside.append(r.url)
                        if not r.url.startswith((url, "data:", "blob:", "ws://127.0.0.1")) else None)
                page.goto(url, timeout=60_000)
                # the map and the charts are PNG images rendered by the model's own figure code
                page.wait_for_selector("text=Day 0 of", timeout=60_000)
                page.wait_for_selector(".pap-map img, img.pap-map", timeout=60_000)
                page.wait_for_selector(".pap-charts img, img.pap-charts", timeout=60_000)
                map_sel = ".pap-map img, img.pap-map"
                charts_sel = ".pap-charts img, img.pap-charts"
                page.wait_for_function(
                    "sel => { const i = document.querySelector(sel); return i && i.naturalWidth > 200; }",
                    arg=map_sel, timeout=60_000)
                page.wait_for_function(
                    "sel => { const i = document.querySelector(sel); return i && i.naturalWidth > 200; }",
                    arg=charts_sel, timeout=60_000)
                for name in ("MSS personnel (target)", "Funding (share of the cost met)",
                             "MSS share on static protection", "Rules-of-engagement caution", "Seed"):
                    assert page.get_by_text(name).count() >= 1, f"control missing: {name}"
                for label in ("Reset", "Step"):
                    assert page.get_by_role("button", name=label).count() >= 1
                # every slider shows its value; Mesa's tab of the one page and its step count are hidden
                sliders = _sliders(page)
                assert sliders["MSS personnel (target)"] == ("2500", "2500")
                assert all(value == shown for value, shown in sliders.values()), sliders
                page.get_by_role("slider", name="Seed").press("ArrowRight")
                page.wait_for_function(f"() => ({SLIDERS_JS})().some(s => s[0] === 'Seed' && s[2] === '2')",
                                       timeout=15_000)
                text = page.evaluate("document.body.innerText")
                assert "Time:" not in text and "PAGE 0" not in text.upper()
                page.screenshot(path=str(tmp_path / "app_day0.png"), full_page=True)
                charts_before = _image_sources(page, charts_sel)
                map_before = _image_sources(page, map_sel)

                day = _click_until(page, "Step", "day >= 1")
                assert day >= 1
                page.wait_for_function("([sel, old]) => { const i = document.querySelector(sel); "
                                       "return i && i.naturalWidth > 200 && i.getAttribute('src') !== old; }",
                                       arg=[charts_sel, charts_before], timeout=60_000)
                assert _image_sources(page, map_sel) != map_before
                day = _click_until(page, "Step", f"day >= {day + 1}")
                page.wait_for_selector(f"text=Main outcomes to day {day}", timeout=60_000)
                shot = tmp_path / "app_stepped.png"
                page.screenshot(path=str(shot), full_page=True)
                assert shot.stat().st_size > 20_000

                # another tab is another session with its own model, still on day 0
                other = browser.new_page()
                other.goto(url, timeout=60_000)
                other.wait_for_selector("text=Day 0 of", timeout=60_000)
                other.close()
                assert _day(page) == day

                # Play runs on by itself until paused; Reset builds a new model at day 0
                _click_until(page, "▶", f"day >= {day + 3}", timeout=30_000)
                _click_until(page, "❚❚", "document.body.innerText.includes('▶')")
                _click_until(page, "Reset", "day === 0")
                assert outside == [], f"the page fetched from outside the app: {outside[:5]}"
            finally:
                browser.close()
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        log.close()
    assert "Could not load URL" not in (tmp_path / "server.log").read_text(), "the server tried to reach a CDN"


def test_model_of_the_app_takes_the_controls_as_keywords():
    from papsim.present.app import InteractiveCity, model_params

    params = model_params()
    assert {"mss_target_personnel", "funding_share_of_need", "mss_static_share", "roe_caution", "seed"} <= set(params)
    model = InteractiveCity(mss_target_personnel=1000, funding_share_of_need=0.5, mss_static_share=0.3,
                            roe_caution=0.8, seed=4, days=5)
    assert model.p["mss_follow_schedule"] is False and model.p["mss_target_personnel"] == 1000
    assert model.p["funding_share_of_need"] == 0.5 and model.p["roe_caution"] == 0.8
    while model.running:
        model.step()
    assert model.day == 5 and model.series("gang_population_share").shape == (6,)
    twin = InteractiveCity(mss_target_personnel=1000, funding_share_of_need=0.5, mss_static_share=0.3,
                           roe_caution=0.8, seed=4, days=5)
    for _ in range(5):
        twin.step()
    assert (twin.controller == model.controller).all()  # the seed control makes runs reproducible


def test_viz_refuses_a_bad_or_busy_port(capsys):
    from papsim.cli import main

    assert main(["viz", "--port", "70000"]) == 2
    assert "--port" in capsys.readouterr().err
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        assert main(["viz", "--port", str(busy.getsockname()[1])]) == 2
    err = capsys.readouterr().err
    assert "choose another port" in err and len(err.strip().splitlines()) == 1
