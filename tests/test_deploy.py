"""deploy/: the nginx configuration rendered for N app processes (checked by `nginx -t` when nginx exists),
the province script's usage, the overview's SVG sparkline, and the load test smoke-run (slow)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from data_model.schema.settings import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "deploy"))
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
