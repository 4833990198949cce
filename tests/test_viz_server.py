"""``pap-sim viz`` as a server: the real port for ``--port 0``, nothing left serving after ``kill -9``, and a
browser session whose page is gone freed after solara's cull time-out (set short here)."""

from __future__ import annotations

import json
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

pytest.importorskip("solara")
ROOT = Path(__file__).resolve().parent.parent


def start_viz(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """``pap-sim viz --port 0`` in its own process group; returns it and the address it printed."""
    proc = subprocess.Popen([sys.executable, "-m", "papsim", "viz", "--port", "0", *args], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})}, start_new_session=True)
    ready, _, _ = select.select([proc.stderr], [], [], 120)
    line = proc.stderr.readline() if ready else ""
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not found:
        stop(proc)
        pytest.fail(f"pap-sim viz did not print its address: {line!r}")
    return proc, found.group(0)


def stop(proc: subprocess.Popen) -> None:
    """Stop the server's process group (SIGTERM, then SIGKILL)."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def get(url: str, deadline: float = 60.0) -> tuple[int, dict, str]:
    """Status, headers and body of ``url``, retrying while the server is still starting (bounded)."""
    end = time.monotonic() + deadline
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, dict(response.headers), response.read().decode()
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.3)


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def test_port_0_prints_the_real_port_and_the_server_answers():
    proc, url = start_viz()
    try:
        port = int(url.rsplit(":", 1)[1].strip("/"))
        assert port > 0
        status, _, body = get(url)
        assert status == 200 and "solara" in body.lower()
    finally:
        stop(proc)
    assert not listening(port)


def test_kill_9_leaves_nothing_serving():
    proc, url = start_viz()
    port = int(url.rsplit(":", 1)[1].strip("/"))
    assert get(url)[0] == 200
    os.killpg(proc.pid, 0)  # the group exists while it serves
    proc.kill()  # SIGKILL to pap-sim viz alone: no handler runs
    proc.wait(timeout=20)
    end = time.monotonic() + 20
    survivors = True
    while survivors and time.monotonic() < end:
        try:
            os.killpg(proc.pid, 0)  # anything left in its process group (a server child would be)
            time.sleep(0.2)
        except ProcessLookupError:
            survivors = False
    assert not survivors, "a process of pap-sim viz survived kill -9"
    assert not listening(port)


def kernels(url: str) -> int:
    """How many browser sessions (solara's virtual kernels) the server holds."""
    return json.loads(get(url + "resourcez")[2])["kernels"]["total"]


def test_a_session_whose_page_is_gone_is_freed():
    from solara.util import parse_timedelta
    from websockets.sync.client import connect

    from papsim.present.app import CULL_TIMEOUT

    assert parse_timedelta(CULL_TIMEOUT) <= 5 * 60  # minutes, not solara's 24 h
    proc, url = start_viz(env={"SOLARA_KERNEL_CULL_TIMEOUT": "1s"})
    try:
        _, headers, _ = get(url)
        cookie = headers["set-cookie"].split(";")[0]
        channel = f"{url.replace('http', 'ws')}jupyter/api/kernels/{uuid.uuid4()}/channels?session_id={uuid.uuid4()}"
        with connect(channel, additional_headers={"Cookie": cookie}):  # a page connects, then vanishes
            end = time.monotonic() + 30
            while kernels(url) == 0 and time.monotonic() < end:
                time.sleep(0.2)
            assert kernels(url) == 1
        end = time.monotonic() + 30
        while kernels(url) and time.monotonic() < end:
            time.sleep(0.2)
        assert kernels(url) == 0
    finally:
        stop(proc)
