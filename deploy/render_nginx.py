"""Write the nginx configuration for N dashboard processes: site.conf (for Debian's nginx) and nginx.conf (own run)."""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
COOKIE = "bo_route"
UPSTREAM = "border_outreach"
# set in every location: nginx drops the server level's proxy_set_header wherever a location has one of its own
FORWARDED = (
    ("X-Forwarded-For", "$remote_addr"),  # replaced, never appended to: the client's own header goes nowhere
    ("X-Real-IP", "$remote_addr"),
    ("X-Forwarded-Proto", "$scheme"),
    ("Host", "$http_host"),  # with its port: the login-cookie routes compare it with Origin
)


def _fill(template: str, values: dict[str, str]) -> str:
    text = template
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        raise ValueError(f"placeholders left unfilled: {sorted(set(left))}")
    return text


def render_site(*, listen: str, app_ports: list[int], app_host: str = "127.0.0.1") -> str:
    """The upstream + server blocks (sticky by cookie, websocket upgrade, /healthz) for these app ports."""
    if not app_ports:
        raise ValueError("at least one app port is needed")
    servers = "\n".join(f"    server {app_host}:{p} max_fails=3 fail_timeout=5s;" for p in app_ports)
    template = (HERE / "nginx" / "site.conf.in").read_text(encoding="utf-8")
    forwarded = "\n".join(f"        proxy_set_header {name} {value};" for name, value in FORWARDED)
    return _fill(template, {"COOKIE": COOKIE, "UPSTREAM": UPSTREAM, "SERVERS": servers, "LISTEN": listen,
                            "FORWARDED": forwarded})


def render_standalone(*, run_dir: Path) -> str:
    """The main nginx.conf of an nginx run as its own process, everything (pid, logs, temp files) under run_dir."""
    template = (HERE / "nginx" / "standalone.conf.in").read_text(encoding="utf-8")
    return _fill(template, {"RUN_DIR": str(run_dir)})


def write_configs(*, run_dir: Path, listen: str, app_ports: list[int]) -> Path:
    """Write run_dir/site.conf and run_dir/nginx.conf (temp folders made); returns the nginx.conf path."""
    run_dir = run_dir.resolve()
    (run_dir / "nginx-tmp").mkdir(parents=True, exist_ok=True)
    (run_dir / "site.conf").write_text(render_site(listen=listen, app_ports=app_ports), encoding="utf-8")
    main = run_dir / "nginx.conf"
    main.write_text(render_standalone(run_dir=run_dir), encoding="utf-8")
    return main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--run-dir", type=Path, required=True, help="folder for nginx.conf, site.conf, pid, logs")
    parser.add_argument("--listen", default="127.0.0.1:8080", help="address:port nginx listens on")
    parser.add_argument("--ports", required=True, help="the app processes' ports, comma separated (8501,8502)")
    args = parser.parse_args(argv)
    try:
        ports = [int(p) for p in args.ports.split(",") if p.strip()]
        print(write_configs(run_dir=args.run_dir, listen=args.listen, app_ports=ports))
    except ValueError as exc:
        print(f"Lỗi: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
