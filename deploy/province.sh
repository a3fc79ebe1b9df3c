#!/usr/bin/env bash
# Start, stop or show N dashboard processes on one PostgreSQL database behind nginx (README: "Running for a whole
# province"). Settings from the environment:
#   DATABASE_URL   postgresql+psycopg://user:password@host/db (required for start)
#   PROCESSES      how many dashboard processes (default 2)
#   FIRST_PORT     port of the first process, the others follow (default 8501); they listen on 127.0.0.1 only
#   PROXY_LISTEN   where nginx listens (default 127.0.0.1:8080; 0.0.0.0:80 to open it to the network)
#   RUN_DIR        pid files, logs, nginx configuration (default run/province in the project folder)
#   PYTHON         the project's Python (default .venv/bin/python), NGINX (default /usr/sbin/nginx)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROCESSES="${PROCESSES:-2}"
FIRST_PORT="${FIRST_PORT:-8501}"
PROXY_LISTEN="${PROXY_LISTEN:-127.0.0.1:8080}"
RUN_DIR="$(realpath -m "${RUN_DIR:-$ROOT/run/province}")"
PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
NGINX="${NGINX:-/usr/sbin/nginx}"
WAIT_S="${WAIT_S:-60}"
cd "$ROOT"

ports() { local i; for ((i = 0; i < PROCESSES; i++)); do echo $((FIRST_PORT + i)); done; }
alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
healthy() { curl -fsS --max-time 2 "http://127.0.0.1:$1/_stcore/health" >/dev/null 2>&1; }

start_app() {
    local port="$1" pidfile="$RUN_DIR/app-$1.pid"
    if alive "$pidfile"; then echo "Tiến trình cổng $port đang chạy (pid $(cat "$pidfile"))."; return; fi
    # serve: checks the schema is current, then becomes (exec) the Streamlit server on 127.0.0.1:$port
    SERVER_ADDRESS=127.0.0.1 PORT="$port" nohup "$PYTHON" -m data_model serve </dev/null >>"$RUN_DIR/app-$port.log" 2>&1 &
    echo $! >"$pidfile"
    echo "Đã khởi động tiến trình cổng $port (pid $(cat "$pidfile")), nhật ký: $RUN_DIR/app-$port.log"
}

wait_healthy() {
    local port="$1" i
    for ((i = 0; i < WAIT_S * 2; i++)); do
        healthy "$port" && return 0
        alive "$RUN_DIR/app-$port.pid" || { echo "Tiến trình cổng $port đã dừng: xem $RUN_DIR/app-$port.log" >&2; return 1; }
        sleep 0.5
    done
    echo "Tiến trình cổng $port không trả lời sau ${WAIT_S} s: xem $RUN_DIR/app-$port.log" >&2
    return 1
}

cmd_start() {
    [[ -n "${DATABASE_URL:-}" ]] || { echo "Cần đặt DATABASE_URL (PostgreSQL)." >&2; exit 2; }
    [[ -x "$NGINX" ]] || { echo "Không thấy nginx ($NGINX): apt-get install -y nginx" >&2; exit 2; }
    mkdir -p "$RUN_DIR"
    # one cookie secret for every process: a browser moved to another process keeps a valid XSRF cookie
    if [[ ! -s "$RUN_DIR/cookie_secret" ]]; then
        (umask 077; "$PYTHON" -c 'import secrets; print(secrets.token_hex(32))' >"$RUN_DIR/cookie_secret")
    fi
    export STREAMLIT_SERVER_COOKIE_SECRET="$(cat "$RUN_DIR/cookie_secret")"
    export DATABASE_URL
    # migrate once, before any process starts (the processes then find the schema current)
    "$PYTHON" -m data_model init
    local port list=""
    for port in $(ports); do start_app "$port"; list+="${list:+,}$port"; done
    for port in $(ports); do wait_healthy "$port"; done
    "$PYTHON" "$ROOT/deploy/render_nginx.py" --run-dir "$RUN_DIR" --listen "$PROXY_LISTEN" --ports "$list" >/dev/null
    "$NGINX" -t -q -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf"
    if alive "$RUN_DIR/nginx.pid"; then
        "$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -s reload
    else
        # nginx's own messages go to its error log; its stdout must not hold the caller's terminal or pipe
        "$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" </dev/null >>"$RUN_DIR/nginx-error.log" 2>&1
    fi
    echo "nginx nghe tại http://$PROXY_LISTEN trước $PROCESSES tiến trình (cổng $list)."
}

stop_pid() {
    local pidfile="$1" name="$2" i
    if alive "$pidfile"; then
        kill "$(cat "$pidfile")"
        for ((i = 0; i < 40; i++)); do alive "$pidfile" || break; sleep 0.25; done
        alive "$pidfile" && kill -9 "$(cat "$pidfile")" 2>/dev/null || true
        echo "Đã dừng $name."
    fi
    rm -f "$pidfile"
}

cmd_stop() {
    if alive "$RUN_DIR/nginx.pid"; then
        "$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" -s quit 2>/dev/null || true
        sleep 0.5
    fi
    stop_pid "$RUN_DIR/nginx.pid" "nginx"
    local pidfile
    for pidfile in "$RUN_DIR"/app-*.pid; do
        [[ -e "$pidfile" ]] || continue
        stop_pid "$pidfile" "tiến trình cổng $(basename "$pidfile" .pid | cut -d- -f2)"
    done
}

cmd_status() {
    local port state=0
    for port in $(ports); do
        if ! alive "$RUN_DIR/app-$port.pid"; then echo "cổng $port: không chạy"; state=1
        elif healthy "$port"; then echo "cổng $port: chạy, khỏe (pid $(cat "$RUN_DIR/app-$port.pid"))"
        else echo "cổng $port: chạy nhưng không trả lời /_stcore/health"; state=1; fi
    done
    if ! alive "$RUN_DIR/nginx.pid"; then echo "nginx: không chạy"; state=1
    elif curl -fsS --max-time 2 "http://$PROXY_LISTEN/healthz" >/dev/null 2>&1; then
        echo "nginx: chạy, http://$PROXY_LISTEN/healthz trả lời"
    else echo "nginx: chạy nhưng /healthz không trả lời"; state=1; fi
    return $state
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    restart) cmd_stop; cmd_start ;;
    *) echo "Dùng: deploy/province.sh start|stop|status|restart" >&2; exit 2 ;;
esac
