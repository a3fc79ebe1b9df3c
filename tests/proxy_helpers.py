"""A real dashboard process behind the rendered nginx, and a client on another address, for the proxy tests."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from data_model.schema.settings import PROJECT_ROOT

sys.path.insert(0, str(PROJECT_ROOT / "deploy"))
from render_nginx import write_configs  # noqa: E402

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
ELSEWHERE = "127.0.0.2"  # the source address of "another machine": loopback to the kernel, not 127.0.0.1 to the app
START_S = 90


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ok(url: str, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} stopped with status {proc.returncode}")
        try:
            if urllib.request.urlopen(url, timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.3)  # polling a health endpoint while the server starts, not waiting on a page
    raise RuntimeError(f"{what} did not answer {url} within {START_S} s")


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=15)


class Relay:
    """A TCP relay on 127.0.0.1 whose connections onward leave from ELSEWHERE: a browser on another machine."""

    def __init__(self, *, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:  # closed
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=10,
                                                    source_address=(ELSEWHERE, 0))
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            self.sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, client), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
            target.shutdown(socket.SHUT_WR)
        except OSError:
            pass

    def close(self) -> None:
        self.listener.close()
        for sock in self.sockets:
            try:
                sock.close()
            except OSError:
                pass


class Stack:
    """`python -m data_model serve` on a free port and the rendered nginx in front of it on another."""

    def __init__(self, *, db_url: str, run_dir: Path) -> None:
        if NGINX is None:
            pytest.skip("nginx is not installed (scripts/test.sh installs Debian's nginx when run as root)")
        self.app_port, self.proxy_port = free_port(), free_port()
        env = {**os.environ, "DATABASE_URL": db_url, "PORT": str(self.app_port), "SERVER_ADDRESS": "127.0.0.1",
               "DEMO_ON_FIRST_START": "0"}
        env.pop("TRUSTED_PROXY", None)  # its default, as documented
        self.app = subprocess.Popen([sys.executable, "-m", "data_model", "serve"], cwd=PROJECT_ROOT, env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.nginx: subprocess.Popen | None = None
        try:
            _wait_ok(f"{self.app_url}/_stcore/health", self.app, "the dashboard")
            conf = write_configs(run_dir=run_dir, listen=f"127.0.0.1:{self.proxy_port}", app_ports=[self.app_port])
            self.nginx = subprocess.Popen([NGINX, "-p", str(run_dir), "-c", str(conf), "-g", "daemon off;"],
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _wait_ok(f"{self.proxy_url}/healthz", self.nginx, "nginx")
        except BaseException:
            self.close()
            raise

    @property
    def app_url(self) -> str:
        return f"http://127.0.0.1:{self.app_port}"

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    def close(self) -> None:
        if self.nginx is not None:
            _stop(self.nginx)
        _stop(self.app)


def stack_for(db_url: str, run_dir: Path) -> Iterator[Stack]:
    """A Stack for a fixture: started, yielded, stopped."""
    stack = Stack(db_url=db_url, run_dir=run_dir)
    try:
        yield stack
    finally:
        stack.close()
