#!/usr/bin/env bash
# A local Oxigraph server (PyPI `oxigraph`, installed in .venv) on 127.0.0.1, for running vcgraph on a remote store.
#
#   scripts/oxigraph-server.sh start    # start it (data in var/oxigraph-server) and print the VCGRAPH_* settings
#   scripts/oxigraph-server.sh env      # print the settings again:  eval "$(scripts/oxigraph-server.sh env)"
#   scripts/oxigraph-server.sh status | stop
#
# Settings: OXIGRAPH_PORT (7878), OXIGRAPH_DATA (var/oxigraph-server), OXIGRAPH_TIMEOUT_S (30: the server's own
# query time limit; a query cut by it is reported by vcgraph as a 504/502, never served as a short answer).
# It binds 127.0.0.1 only: Oxigraph server has no authentication, so it must not face a network.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${OXIGRAPH_BIN:-$ROOT/.venv/bin/oxigraph}
PORT=${OXIGRAPH_PORT:-7878}
DATA=${OXIGRAPH_DATA:-$ROOT/var/oxigraph-server}
TIMEOUT_S=${OXIGRAPH_TIMEOUT_S:-30}
PIDFILE=$DATA.pid
LOG=$DATA.log
BASE=http://127.0.0.1:$PORT

running() {
    [[ -f $PIDFILE ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

ready() {
    "$ROOT/.venv/bin/python" - "$BASE/query" <<'EOF' >/dev/null 2>&1
import sys, httpx
sys.exit(0 if httpx.post(sys.argv[1], data={"query": "ASK {}"}, timeout=2).status_code == 200 else 1)
EOF
}

print_env() {
    cat <<EOF
export VCGRAPH_STORE=$BASE/query
export VCGRAPH_UPDATE_URL=$BASE/update
export VCGRAPH_GSP_URL=$BASE/store
EOF
}

start() {
    if running; then
        echo "oxigraph server already running (pid $(cat "$PIDFILE")) on $BASE" >&2
        print_env
        return 0
    fi
    [[ -x $BIN ]] || { echo "missing $BIN: run 'make install' first" >&2; exit 1; }
    mkdir -p "$DATA"
    # setsid: the server outlives this shell and gets no terminal signals; its pid is recorded to stop it later.
    setsid "$BIN" serve --location "$DATA" --bind "127.0.0.1:$PORT" --timeout-s "$TIMEOUT_S" \
        >"$LOG" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    for _ in $(seq 1 200); do
        if ready; then
            echo "oxigraph server running (pid $(cat "$PIDFILE")) on $BASE, data in $DATA" >&2
            print_env
            return 0
        fi
        if ! running; then
            echo "oxigraph server exited; last lines of $LOG:" >&2
            tail -n 20 "$LOG" >&2
            rm -f "$PIDFILE"
            exit 1
        fi
        sleep 0.1
    done
    echo "oxigraph server did not answer on $BASE within 20 s; see $LOG" >&2
    exit 1
}

stop() {
    if ! running; then
        echo "oxigraph server is not running" >&2
        rm -f "$PIDFILE"
        return 0
    fi
    pid=$(cat "$PIDFILE")
    kill "$pid"
    for _ in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || { rm -f "$PIDFILE"; echo "oxigraph server stopped" >&2; return 0; }
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$PIDFILE"
    echo "oxigraph server killed after 10 s" >&2
}

case ${1:-start} in
    start) start ;;
    stop) stop ;;
    env) print_env ;;
    status)
        if running; then echo "running (pid $(cat "$PIDFILE")) on $BASE"; else echo "not running"; exit 1; fi
        ;;
    *)
        echo "usage: $0 start|stop|status|env" >&2
        exit 2
        ;;
esac
