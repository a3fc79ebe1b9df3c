"""The protocol-level load client logs in, opens pages and saves records against a real server (a few seconds)."""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from streamlit.proto.Element_pb2 import Element

from data_model.schema.settings import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "benchmarks"))
import ws_load  # noqa: E402

PORTS = range(9540, 9560)  # this project's load tests use 9500-9599


def _port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    pytest.skip("no free port in 9540-9559")


@pytest.fixture
def served(demo_db_url):
    """The dashboard on the demo database, started the way `serve` starts it; (base URL, pid)."""
    port = _port()
    env = {**os.environ, "DATABASE_URL": demo_db_url, "DEMO_ON_FIRST_START": "0", "SERVER_ADDRESS": "127.0.0.1",
           "PORT": str(port)}
    proc = subprocess.Popen([sys.executable, "-m", "data_model", "serve"], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the dashboard did not start") from None
                time.sleep(0.3)
        yield base, proc.pid, demo_db_url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_two_users_and_a_writer_log_in_see_pages_and_save(served):
    base, pid, url = served
    args = ws_load.parse_args(["--url", base, "--users", "2", "--writers", "1", "--seconds", "25", "--rounds", "1",
                               "--pages", "Tổng quan,Theo năm,Danh sách hoạt động", "--pids", str(pid),
                               "--database-url", url, "--timeout", "60"])
    result = asyncio.run(ws_load.main(args))
    assert result["errors"] == 0, result["error_samples"]
    assert result["login_ms"]["n"] == 2 and result["back_to_login"] == 0
    assert result["views"] == 6 and set(result["by_page"]) == {"Tổng quan", "Theo năm", "Danh sách hoạt động"}
    assert result["app_cpu_s"] > 0 and result["app_processes"][pid]["peak_mb"] > 0
    writes = result["writes"]
    assert writes["confirmed"] >= 1 and writes["found"] == writes["confirmed"]
    assert not writes["confirmed_not_found"] and not writes["found_not_confirmed"]


def test_the_client_refuses_other_hosts():
    with pytest.raises(SystemExit):
        ws_load.parse_args(["--url", "http://example.org:80"])


def test_a_view_of_the_login_page_counts_as_sent_back():
    element = Element()
    element.heading.tag, element.heading.body = "h1", "Đăng nhập"
    with pytest.raises(ws_load.BackToLogin):
        ws_load.check(ws_load.Run(elements=[element]), expect="Tổng quan")
