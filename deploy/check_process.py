"""deploy/province.sh's checks: a port is free; the process on a port is the one it started (GET /api/identity)."""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data_model.cli.language import chosen_language, say, shown, speaking  # noqa: E402
from data_model.schema.identity import IDENTITY_PATH, find_identity_mismatch  # noqa: E402
from data_model.texts.catalogue import Text  # noqa: E402
from data_model.texts.errors import UserError  # noqa: E402

EXIT_MISMATCH, EXIT_NO_ANSWER = 1, 3


def split_listen(listen: str) -> tuple[str, int]:
    """host and port of an nginx listen value (8080, 127.0.0.1:8080, 0.0.0.0:80, [::]:80)."""
    host, _, port = listen.rpartition(":")
    return host.strip("[]") or "0.0.0.0", int(port)


def is_port_free(*, host: str, port: int) -> bool:
    """Whether a server could listen on host:port now (bound the way nginx and Streamlit bind)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a port left in TIME_WAIT is free
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def read_identity(*, url: str) -> dict | None:
    """The identity answered at url, or None when nothing answers yet; a non-identity answer is {}."""
    try:
        with urllib.request.urlopen(url + IDENTITY_PATH, timeout=3) as response:
            body = response.read(4096)
    except urllib.error.HTTPError:
        return {}
    except OSError:
        return None
    try:
        answer = json.loads(body)
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_for_process(*, port: int, pid: int, since: dt.datetime, timeout_s: float) -> Text | None:
    """Wait until the process started as pid answers on port with its identity; why not, or None."""
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    database_url = os.environ.get("DATABASE_URL", "")
    while True:
        answer = read_identity(url=url)
        if answer is not None:  # whoever answers decides: the process started, or another one on its port
            return find_identity_mismatch(answer=answer, pid=pid, port=port, database_url=database_url, since=since)
        if not _alive(pid):
            return Text("tiến trình cổng {port} (pid {pid}) đã dừng", port=port, pid=pid)
        if time.monotonic() > deadline:
            return Text("tiến trình cổng {port} không trả lời sau {seconds} giây", port=port, seconds=int(timeout_s))
        time.sleep(0.5)  # the process is still preparing its database


def check_proxy(*, listen: str, ports: set[int]) -> Text | None:
    """Whether nginx at listen answers /healthz from one of these ports (its X-Upstream header names the one)."""
    host, port = split_listen(listen)
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    url = f"http://{f'[{host}]' if ':' in host else host}:{port}/healthz"
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            upstream = response.headers.get("X-Upstream", "")
            ok = response.read(16) == b"ok"
    except OSError:
        return Text("nginx tại {listen} không trả lời", listen=listen)
    # the last process nginx tried is the one that answered; each of these ports has proven its identity
    answered = upstream.split(",")[-1].strip()
    if not ok or answered not in {f"127.0.0.1:{p}" for p in ports}:
        return Text("nginx tại {listen} không chuyển tới các tiến trình vừa khởi động", listen=listen)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    free = commands.add_parser("free", help="exit 1 when one of these host:port is in use")
    free.add_argument("listen", nargs="+")
    process = commands.add_parser("process", help="wait until the process pid answers on port with its identity")
    process.add_argument("--port", type=int, required=True)
    process.add_argument("--pid", type=int, required=True)
    process.add_argument("--since", type=dt.datetime.fromisoformat, required=True)
    process.add_argument("--timeout", type=float, default=60)
    proxy = commands.add_parser("proxy", help="nginx at listen reaches one of these ports")
    proxy.add_argument("--listen", required=True)
    proxy.add_argument("--ports", required=True)
    args = parser.parse_args(argv)
    with speaking(chosen_language([])):
        try:
            if args.command == "free":
                busy = [listen for listen in args.listen
                        if not is_port_free(host=split_listen(listen)[0], port=split_listen(listen)[1])]
                for listen in busy:
                    print(say("Cổng {listen} đang có tiến trình khác dùng.", listen=listen), file=sys.stderr)
                return EXIT_MISMATCH if busy else 0
            if args.command == "process":
                found = wait_for_process(port=args.port, pid=args.pid, since=args.since, timeout_s=args.timeout)
            else:
                found = check_proxy(listen=args.listen, ports={int(p) for p in args.ports.split(",") if p})
        except UserError as exc:
            print(shown(exc), file=sys.stderr)
            return 2
        if found is not None:
            print(shown(found), file=sys.stderr)
            return EXIT_MISMATCH
    return 0


if __name__ == "__main__":
    sys.exit(main())
