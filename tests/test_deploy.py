"""deploy/: the nginx configuration rendered for N app processes (checked by `nginx -t` when nginx exists),
the province script's usage, the overview's SVG sparkline, and the load test smoke-run (slow)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from data_model.schema.clock import utc_instant
from data_model.schema.settings import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "deploy"))
from check_process import is_port_free  # noqa: E402
from proxy_helpers import free_port  # noqa: E402
from render_nginx import main as render_main  # noqa: E402
from render_nginx import render_site, write_configs

from ui.sparkline import sparkline_svg  # noqa: E402

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)


def test_site_routes_every_browser_to_one_process_by_cookie_with_websocket_upgrade():
    site = render_site(listen="127.0.0.1:8680", app_ports=[8501, 8502, 8503])
    for port in (8501, 8502, 8503):
        assert f"server 127.0.0.1:{port} max_fails=3 fail_timeout=5s;" in site
    assert "hash $bo_route consistent;" in site  # sticky: Streamlit's session state lives in one process
    assert "location = /_stcore/stream" in site and "proxy_set_header Upgrade $http_upgrade;" in site
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site  # never the client's own header
    assert "$proxy_add_x_forwarded_for" not in site
    assert "location = /healthz" in site and "/_stcore/health" in site
    assert "listen 127.0.0.1:8680;" in site
    assert "@" not in site.replace("@COOKIE@", "")  # every placeholder filled


def _blocks(site: str, opening: str) -> dict[str, str]:
    """Each block's opening line (location = /x) and its body, read by brace depth."""
    blocks, lines = {}, site.splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith(opening) and line.rstrip().endswith("{"):
            depth, body = 0, []
            for inner in lines[i:]:
                depth += inner.count("{") - inner.count("}")
                body.append(inner)
                if depth == 0:
                    break
            blocks[line.strip().rstrip("{").strip()] = "\n".join(body)
    return blocks


def test_every_location_sets_the_client_address_itself():
    """nginx drops the server level's proxy_set_header in a location that has one of its own."""
    site = render_site(listen="127.0.0.1:8680", app_ports=[8501])
    locations = _blocks(site, "location")
    assert set(locations) == {"location = /_stcore/stream", "location = /healthz", "location /"}
    for name, body in locations.items():
        for header in ("proxy_set_header X-Forwarded-For $remote_addr;", "proxy_set_header X-Real-IP $remote_addr;",
                       "proxy_set_header X-Forwarded-Proto $scheme;", "proxy_set_header Host $http_host;"):
            assert header in body, (name, header)
    server = _blocks(site, "server")["server"]
    outside = server
    for body in locations.values():
        outside = outside.replace(body, "")
    # nothing at server level that a location would silently drop
    assert not [line for line in outside.splitlines() if line.strip().startswith("proxy_set_header")]


def test_no_process_is_refused(tmp_path, capsys):
    with pytest.raises(ValueError, match="at least one"):
        render_site(listen="127.0.0.1:8080", app_ports=[])
    assert render_main(["--run-dir", str(tmp_path), "--ports", ","]) == 2
    assert "at least one app port" in capsys.readouterr().err


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install -y nginx)")
@pytest.mark.parametrize("processes", [1, 2, 4])
def test_generated_configuration_passes_nginx_t(tmp_path, processes):
    conf = write_configs(run_dir=tmp_path, listen="127.0.0.1:8680",
                         app_ports=[8616 + i for i in range(processes)])
    done = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(conf)], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stderr
    assert "test is successful" in done.stderr
    assert (tmp_path / "site.conf").read_text().count("max_fails=3") == processes


def test_province_script_says_how_to_use_it_and_needs_a_database():
    script = PROJECT_ROOT / "deploy" / "province.sh"
    usage = subprocess.run(["bash", str(script)], capture_output=True, text=True, timeout=30)
    assert usage.returncode == 2 and "start|stop|status" in usage.stderr
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    start = subprocess.run(["bash", str(script), "start"], capture_output=True, text=True, timeout=30, env=env)
    assert start.returncode == 2 and "DATABASE_URL" in start.stderr


@pytest.mark.parametrize("values, lang, tip", [
    ([5, 41262], "vi", "2021: 41.262 lượt"),
    ([0, 1500], "en", "2021: 1,500 lượt"),
])
def test_sparkline_is_inline_svg_with_a_figure_per_bar(values, lang, tip):
    svg = sparkline_svg(pd.DataFrame({"year": [2020, 2021], "value": values}), color="#0072B2", unit="lượt",
                        lang=lang)
    assert svg.startswith("<svg") and svg.count("<rect") == 2 and tip in svg
    assert ">2020</text>" in svg and ">2021</text>" in svg


def test_sparkline_escapes_text():
    svg = sparkline_svg(pd.DataFrame({"year": [2020], "value": [1]}), color='"><script>', unit="<b>", lang="vi")
    assert "<script>" not in svg and "<b>" not in svg


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(os.environ.get("LOAD_TEST_SMOKE") != "1",
                    reason="takes 1–2 minutes on a shared machine: run with LOAD_TEST_SMOKE=1")
def test_load_test_smoke_run_behind_one_process(live_server, demo_db_url):
    """Two users and one writer for a few seconds against one app process: JSON out, no error, no lost write."""
    base = live_server(demo_db_url)
    done = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "benchmarks" / "load_test.py"), "--url", base, "--users", "2",
         "--writers", "1", "--seconds", "15", "--ramp", "2", "--action-timeout", "60", "--database-url", demo_db_url],
        capture_output=True, text=True, timeout=240, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["errors"] == 0, result["error_samples"]
    assert result["page_views"] >= 2 and result["page_ms"]["p95"] is not None
    assert result["records_written"] >= 1 and result["records_found"] == result["records_written"]
    assert result["summary_check_differences"] == 0


# ---- deploy/province.sh: a busy port, a process that is not the one started, recorded settings ----------------

PROVINCE = PROJECT_ROOT / "deploy" / "province.sh"
needs_nginx = pytest.mark.skipif(NGINX is None, reason="nginx is not installed (scripts/test.sh installs it as root)")


def _province(command: str, run_dir: Path, **settings: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("FIRST_PORT", "PROCESSES", "PROXY_LISTEN", "DATABASE_URL")}
    env.update(RUN_DIR=str(run_dir), WAIT_S="90", **settings)
    return subprocess.run(["bash", str(PROVINCE), command], capture_output=True, text=True, timeout=300, env=env,
                          cwd=PROJECT_ROOT)


@pytest.fixture
def squatter():
    """Something else already listening on a port (a pilot `make run` left running)."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while is_port_free(host="127.0.0.1", port=port):
        assert time.monotonic() < deadline and server.poll() is None, "the squatter did not start"
        time.sleep(0.1)  # polling until it has bound its port
    yield port
    server.terminate()
    server.wait(timeout=10)


@needs_nginx
def test_start_refuses_a_port_already_in_use_and_starts_nothing(db_url, tmp_path, squatter):
    done = _province("start", tmp_path, DATABASE_URL=db_url, PROCESSES="2", FIRST_PORT=str(squatter - 1),
                     PROXY_LISTEN=f"127.0.0.1:{free_port()}")
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"Cổng 127.0.0.1:{squatter} đang có tiến trình khác dùng." in done.stderr
    assert "Đã khởi động" not in done.stdout and not list(tmp_path.glob("app-*.pid"))
    assert not (tmp_path / "nginx.pid").exists()


@needs_nginx
def test_start_refuses_when_nginx_port_is_in_use(db_url, tmp_path, squatter):
    done = _province("start", tmp_path, DATABASE_URL=db_url, PROCESSES="1", FIRST_PORT=str(free_port()),
                     PROXY_LISTEN=f"127.0.0.1:{squatter}")
    assert done.returncode == 1 and f"Cổng 127.0.0.1:{squatter} đang có" in done.stderr


@needs_nginx
def test_start_stops_what_it_started_when_the_process_is_not_the_one_it_meant(db_url, tmp_path):
    """A process that answers on its port, from another database: start stops it, says why, exits non-zero."""
    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    wrapper = tmp_path / "python"
    wrapper.write_text(f'#!/bin/sh\n[ "$3" = serve ] && export DATABASE_URL="{other}" DEMO_ON_FIRST_START=0\n'
                       f'exec "{sys.executable}" "$@"\n')
    wrapper.chmod(0o755)
    port = free_port()
    done = _province("start", tmp_path, DATABASE_URL=db_url, PROCESSES="1", FIRST_PORT=str(port),
                     PROXY_LISTEN=f"127.0.0.1:{free_port()}", PYTHON=str(wrapper))
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"tiến trình cổng {port} mở một cơ sở dữ liệu khác với DATABASE_URL" in done.stderr
    pid = int(done.stdout.split("(pid ")[1].split(")")[0])
    assert f"Đã dừng tiến trình cổng {port} (pid {pid})." in done.stdout
    assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
    assert not (tmp_path / "nginx.pid").exists() and "nginx nghe tại" not in done.stdout


@needs_nginx
def test_status_stop_and_restart_use_the_settings_start_recorded(db_url, tmp_path):
    port, listen = free_port(), f"127.0.0.1:{free_port()}"
    started = _province("start", tmp_path, DATABASE_URL=db_url, PROCESSES="1", FIRST_PORT=str(port),
                        PROXY_LISTEN=listen)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        assert f"nginx nghe tại http://{listen} trước 1 tiến trình (cổng {port})" in started.stdout
        assert oct((tmp_path / "settings").stat().st_mode & 0o777) == "0o600"
        status = _province("status", tmp_path)  # typed as documented: no FIRST_PORT, no DATABASE_URL
        assert status.returncode == 0, status.stdout + status.stderr
        assert f"cổng {port}: chạy, khỏe" in status.stdout and "nginx: chạy" in status.stdout
        restarted = _province("restart", tmp_path)
        assert restarted.returncode == 0, restarted.stdout + restarted.stderr
        assert f"Đã dừng tiến trình cổng {port}" in restarted.stdout and "Đã dừng nginx" in restarted.stdout
        assert f"nginx nghe tại http://{listen}" in restarted.stdout
    finally:
        stopped = _province("stop", tmp_path)
    assert stopped.returncode == 0
    assert "Đã dừng nginx (pid" in stopped.stdout and f"Đã dừng tiến trình cổng {port} (pid" in stopped.stdout
    after = _province("status", tmp_path)
    assert after.returncode == 1 and f"cổng {port}: không chạy" in after.stdout and "nginx: không chạy" in after.stdout
    assert "Không có gì đang chạy" in _province("stop", tmp_path).stdout


def test_the_health_check_tells_the_process_it_started_from_another_on_its_port(tmp_path, monkeypatch):
    import http.server
    import threading

    from check_process import wait_for_process

    class Impostor(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # an older app on the port: it answers, but not as the process just started
            body = json.dumps({"pid": 1, "port": self.server.server_port, "database": "x", "started_at": "2020-01-01"})
            self.send_response(200)
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Impostor)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'a.sqlite'}")
    since = utc_instant()
    try:
        found = wait_for_process(port=server.server_port, pid=os.getpid(), since=since, timeout_s=5)
        assert found is not None and "tiến trình khác trả lời (pid 1" in found.render("vi")
    finally:
        server.shutdown()
        server.server_close()
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    found = wait_for_process(port=free_port(), pid=gone.pid, since=since, timeout_s=5)
    assert found is not None and "đã dừng" in found.render("vi")
