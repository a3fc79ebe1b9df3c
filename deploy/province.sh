#!/usr/bin/env bash
# Start, stop or show N dashboard processes on one PostgreSQL database behind nginx (README: "Running for a whole
# province"). Settings from the environment, read by `start` and recorded in RUN_DIR/settings; `status`, `stop` and
# `restart` use the recorded ones:
#   DATABASE_URL   postgresql+psycopg://user:password@host/db (required for start)
#   PROCESSES      how many dashboard processes (default 2)
#   FIRST_PORT     port of the first process, the others follow (default 8501); they listen on 127.0.0.1 only
#   PROXY_LISTEN   where nginx listens (default 127.0.0.1:8080; 0.0.0.0:80 to open it to the network)
#   RUN_DIR        pid files, logs, nginx configuration, recorded settings (default run/province in the project folder)
#   PYTHON         the project's Python (default .venv/bin/python), NGINX (default /usr/sbin/nginx)
#   WAIT_S         how long start waits for each process to answer (default 60)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RUN_DIR="$(realpath -m "${RUN_DIR:-$ROOT/run/province}")"
SETTINGS="$RUN_DIR/settings"
RECORDED=(DATABASE_URL PROCESSES FIRST_PORT PROXY_LISTEN PYTHON NGINX WAIT_S)
cd "$ROOT"

defaults() {
    PROCESSES="${PROCESSES:-2}"
    FIRST_PORT="${FIRST_PORT:-8501}"
    PROXY_LISTEN="${PROXY_LISTEN:-127.0.0.1:8080}"
    PYTHON="${PYTHON:-$ROOT/.venv/bin/python}"
    NGINX="${NGINX:-/usr/sbin/nginx}"
    WAIT_S="${WAIT_S:-60}"
}

record_settings() {
    local name
    # holds DATABASE_URL (its password too), like cookie_secret: readable by this user only
    (umask 077; for name in "${RECORDED[@]}"; do printf '%s=%q\n' "$name" "${!name:-}"; done >"$SETTINGS")
}

use_recorded_settings() {
    if [[ ! -f "$SETTINGS" ]]; then
        echo "Chưa có thiết lập nào ghi lại trong $RUN_DIR (chưa chạy start ở đây)." >&2
        return 1
    fi
    local name given
    declare -A given_values=()
    for name in "${RECORDED[@]}"; do [[ -n "${!name:-}" ]] && given_values[$name]="${!name}"; done
    # shellcheck disable=SC1090
    source "$SETTINGS"
    for name in "${!given_values[@]}"; do
        given="${given_values[$name]}"
        [[ "$given" == "${!name}" ]] || echo "Bỏ qua $name trong môi trường: dùng giá trị start đã ghi lại." >&2
    done
}

ports() { local i; for ((i = 0; i < PROCESSES; i++)); do echo $((FIRST_PORT + i)); done; }
alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }
# nginx reads an environment variable NGINX as sockets to inherit: never hand it ours
run_nginx() { env -u NGINX "$NGINX" -p "$RUN_DIR" -c "$RUN_DIR/nginx.conf" "$@"; }
check() { DATABASE_URL="$DATABASE_URL" "$PYTHON" "$ROOT/deploy/check_process.py" "$@"; }
now_iso() { date -u +%Y-%m-%dT%H:%M:%S+00:00; }
proxy_url() { local host="${PROXY_LISTEN%:*}" port="${PROXY_LISTEN##*:}"
    [[ "$PROXY_LISTEN" == *:* ]] || host=127.0.0.1
    [[ "$host" == 0.0.0.0 || "$host" == "*" ]] && host=127.0.0.1
    echo "http://$host:$port"; }

# what this start launched, so that a failed start stops exactly that
STARTED_APPS=()
STARTED_NGINX=0

start_app() {
    local port="$1" pidfile="$RUN_DIR/app-$1.pid"
    now_iso >"$RUN_DIR/app-$port.started"
    # serve: checks the schema is current, then becomes (exec) the Streamlit server on 127.0.0.1:$port
    SERVER_ADDRESS=127.0.0.1 PORT="$port" nohup "$PYTHON" -m data_model serve </dev/null \
        >>"$RUN_DIR/app-$port.log" 2>&1 &
    echo $! >"$pidfile"
    STARTED_APPS+=("$port")
    echo "Đã khởi động tiến trình cổng $port (pid $(cat "$pidfile")), nhật ký: $RUN_DIR/app-$port.log"
}

fail_start() {
    echo "Không khởi động được: $1" >&2
    [[ $STARTED_NGINX == 1 ]] && stop_nginx
    local port
    for port in "${STARTED_APPS[@]}"; do stop_app "$port"; done
    exit 1
}

cmd_start() {
    defaults
    [[ -n "${DATABASE_URL:-}" ]] || { echo "Cần đặt DATABASE_URL (PostgreSQL)." >&2; exit 2; }
    [[ -x "$NGINX" ]] || { echo "Không thấy nginx ($NGINX): apt-get install -y nginx" >&2; exit 2; }
    mkdir -p "$RUN_DIR"
    if [[ -f "$SETTINGS" ]] && running_any; then
        local before; before="$(cat "$SETTINGS")"
        record_settings
        if [[ "$before" != "$(cat "$SETTINGS")" ]]; then
            printf '%s\n' "$before" >"$SETTINGS"
            echo "Đang chạy với thiết lập khác (xem deploy/province.sh status):" \
                "dừng trước bằng deploy/province.sh stop." >&2
            exit 2
        fi
    fi
    local port list="" busy=()
    for port in $(ports); do alive "$RUN_DIR/app-$port.pid" || busy+=("127.0.0.1:$port"); done
    alive "$RUN_DIR/nginx.pid" || busy+=("$PROXY_LISTEN")
    if ((${#busy[@]})) && ! check free "${busy[@]}"; then
        echo "Không khởi động: cổng đã có người dùng (một bản chạy thử make run?)." \
            "Dừng nó hoặc đặt FIRST_PORT/PROXY_LISTEN khác." >&2
        exit 1
    fi
    # one cookie secret for every process: a browser moved to another process keeps a valid XSRF cookie
    if [[ ! -s "$RUN_DIR/cookie_secret" ]]; then
        (umask 077; "$PYTHON" -c 'import secrets; print(secrets.token_hex(32))' >"$RUN_DIR/cookie_secret")
    fi
    export STREAMLIT_SERVER_COOKIE_SECRET="$(cat "$RUN_DIR/cookie_secret")"
    export DATABASE_URL
    record_settings
    # migrate once, before any process starts (the processes then find the schema current)
    "$PYTHON" -m data_model init
    for port in $(ports); do
        if alive "$RUN_DIR/app-$port.pid"; then
            echo "Tiến trình cổng $port đang chạy (pid $(cat "$RUN_DIR/app-$port.pid"))."
        else
            start_app "$port"
        fi
        list+="${list:+,}$port"
    done
    local reason
    for port in $(ports); do
        # the process must answer as itself: its pid, this port, DATABASE_URL's database, started by this start
        reason="$(check process --port "$port" --pid "$(cat "$RUN_DIR/app-$port.pid")" \
            --since "$(cat "$RUN_DIR/app-$port.started")" --timeout "$WAIT_S" 2>&1)" \
            || fail_start "$reason (nhật ký: $RUN_DIR/app-$port.log)"
    done
    "$PYTHON" "$ROOT/deploy/render_nginx.py" --run-dir "$RUN_DIR" --listen "$PROXY_LISTEN" --ports "$list" >/dev/null
    run_nginx -t -q || fail_start "cấu hình nginx không hợp lệ"
    if alive "$RUN_DIR/nginx.pid"; then
        run_nginx -s reload
    else
        # nginx's own messages go to its error log; its stdout must not hold the caller's terminal or pipe
        run_nginx </dev/null >>"$RUN_DIR/nginx-error.log" 2>&1 \
            || fail_start "nginx không khởi động (xem $RUN_DIR/nginx-error.log)"
        STARTED_NGINX=1
    fi
    local i
    for ((i = 0; i < 20; i++)); do
        reason="$(check proxy --listen "$PROXY_LISTEN" --ports "$list" 2>&1)" && break
        sleep 0.5  # nginx binding its port
    done
    [[ $i -lt 20 ]] || fail_start "$reason"
    echo "nginx nghe tại $(proxy_url) trước $PROCESSES tiến trình (cổng $list), cơ sở dữ liệu đã kiểm tra."
}

running_any() {
    local pidfile
    alive "$RUN_DIR/nginx.pid" && return 0
    for pidfile in "$RUN_DIR"/app-*.pid; do alive "$pidfile" && return 0; done
    return 1
}

is_command() { [[ -r "/proc/$1/cmdline" ]] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q -- "$2"; }

stop_pid() {
    local pid="$1" i
    kill "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 40; i++)); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
}

stop_nginx() {
    local pidfile="$RUN_DIR/nginx.pid" pid
    if alive "$pidfile" && is_command "$(cat "$pidfile")" nginx; then
        pid="$(cat "$pidfile")"
        run_nginx -s quit 2>/dev/null || true
        stop_pid "$pid"
        echo "Đã dừng nginx (pid $pid, $(proxy_url))."
        STOPPED=$((STOPPED + 1))
    fi
    rm -f "$pidfile"
}

stop_app() {
    local port="$1" pidfile="$RUN_DIR/app-$1.pid" pid
    if alive "$pidfile" && is_command "$(cat "$pidfile")" "data_model\|streamlit"; then
        pid="$(cat "$pidfile")"
        stop_pid "$pid"
        echo "Đã dừng tiến trình cổng $port (pid $pid)."
        STOPPED=$((STOPPED + 1))
    fi
    rm -f "$pidfile" "$RUN_DIR/app-$port.started"
}

STOPPED=0
cmd_stop() {
    use_recorded_settings || { echo "Không có gì để dừng."; return 0; }
    stop_nginx
    local pidfile
    for pidfile in "$RUN_DIR"/app-*.pid; do
        [[ -e "$pidfile" ]] || continue
        stop_app "$(basename "$pidfile" .pid | cut -d- -f2)"
    done
    ((STOPPED)) || echo "Không có gì đang chạy trong $RUN_DIR."
}

cmd_status() {
    use_recorded_settings || return 1
    local port state=0 pid reason healthy=""
    for port in $(ports); do
        if ! alive "$RUN_DIR/app-$port.pid"; then echo "cổng $port: không chạy"; state=1; continue; fi
        pid="$(cat "$RUN_DIR/app-$port.pid")"
        if reason="$(check process --port "$port" --pid "$pid" --since "$(cat "$RUN_DIR/app-$port.started" 2>/dev/null \
                || echo 1970-01-01T00:00:00+00:00)" --timeout 2 2>&1)"; then
            echo "cổng $port: chạy, khỏe (pid $pid, từ $(cat "$RUN_DIR/app-$port.started"))"
            healthy+="${healthy:+,}$port"
        else echo "cổng $port: chạy nhưng $reason"; state=1; fi
    done
    if ! alive "$RUN_DIR/nginx.pid"; then echo "nginx: không chạy"; state=1
    elif reason="$(check proxy --listen "$PROXY_LISTEN" --ports "$healthy" 2>&1)"; then
        echo "nginx: chạy, $(proxy_url) chuyển tới các tiến trình trên"
    else echo "nginx: chạy nhưng $reason"; state=1; fi
    return $state
}

cmd_restart() {
    use_recorded_settings || exit 1
    cmd_stop
    cmd_start
}

case "${1:-}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    restart) cmd_restart ;;
    *) echo "Dùng: deploy/province.sh start|stop|status|restart" >&2; exit 2 ;;
esac
