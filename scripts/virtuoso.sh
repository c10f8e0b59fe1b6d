#!/usr/bin/env bash
# A local OpenLink Virtuoso 7 (Debian package virtuoso-opensource) on 127.0.0.1, for running vcgraph on it.
#
#   scripts/virtuoso.sh install           # apt-get install virtuoso-opensource (needs root; slow the first time)
#   scripts/virtuoso.sh start             # start it (data in var/virtuoso) and print the VCGRAPH_* settings
#   scripts/virtuoso.sh env               # print them again:  eval "$(scripts/virtuoso.sh env)"
#   scripts/virtuoso.sh load FILE [GRAPH] # Virtuoso's bulk loader (ld_dir + rdf_loader_run): big initial loads
#   scripts/virtuoso.sh status | stop
#
# Settings: VIRTUOSO_HTTP_PORT (8890), VIRTUOSO_SQL_PORT (1111), VIRTUOSO_DATA (var/virtuoso),
# VIRTUOSO_MAX_QUERY_SECONDS (30: MaxQueryExecutionTime, the real limit), VIRTUOSO_MAX_ESTIMATE_SECONDS (600:
# MaxQueryCostEstimationTime; Virtuoso refuses a query whose *estimated* time exceeds it, and on a freshly loaded
# store it estimated 119 s for matchmaking-mutual on the 200-triple question fixtures; 0 turns the check off), VIRTUOSO_MAX_ROWS (1000000: ResultSetMaxRows; an answer
# cut by it is reported by vcgraph as an error, never served short), VIRTUOSO_BUFFERS (50000 pages of 8 KiB).
#
# Both ports bind 127.0.0.1 only. The public /sparql endpoint stays read-only; vcgraph writes through
# /sparql-auth and /sparql-graph-crud-auth as dba, with a random password made at the first start and kept in
# VIRTUOSO_DATA/dba-password (mode 600).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=${VIRTUOSO_DATA:-$ROOT/var/virtuoso}
HTTP_PORT=${VIRTUOSO_HTTP_PORT:-8890}
SQL_PORT=${VIRTUOSO_SQL_PORT:-1111}
MAX_QUERY_SECONDS=${VIRTUOSO_MAX_QUERY_SECONDS:-30}
MAX_ESTIMATE_SECONDS=${VIRTUOSO_MAX_ESTIMATE_SECONDS:-600}
MAX_ROWS=${VIRTUOSO_MAX_ROWS:-1000000}
BUFFERS=${VIRTUOSO_BUFFERS:-50000}
SERVER=${VIRTUOSO_BIN:-virtuoso-t}
ISQL=${VIRTUOSO_ISQL:-isql-vt}
BASE_IRI=${VCGRAPH_BASE_IRI:-https://w3id.org/vcgraph/}
HTTP=http://127.0.0.1:$HTTP_PORT
PASSWORD_FILE=$DATA/dba-password
LOAD_DIR=$DATA/load

die() { echo "$*" >&2; exit 1; }

need_binaries() {
    command -v "$SERVER" >/dev/null || die "$SERVER not found: run '$0 install' (Debian package virtuoso-opensource)"
    command -v "$ISQL" >/dev/null || die "$ISQL not found: run '$0 install' (Debian package virtuoso-opensource)"
}

password() {
    if [[ -f $PASSWORD_FILE ]]; then cat "$PASSWORD_FILE"; else echo dba; fi
}

isql() {
    # The password goes through the environment-free argument list of isql-vt; it only ever reaches 127.0.0.1.
    "$ISQL" "127.0.0.1:$SQL_PORT" dba "$(password)" "$@"
}

running() {
    "$ISQL" "127.0.0.1:$SQL_PORT" dba "$(password)" exec="select 1;" >/dev/null 2>&1
}

write_ini() {
    mkdir -p "$DATA" "$LOAD_DIR"
    cat >"$DATA/virtuoso.ini" <<EOF
; Written by scripts/virtuoso.sh: loopback only, with vcgraph's query limits.
[Database]
DatabaseFile = $DATA/virtuoso.db
ErrorLogFile = $DATA/virtuoso.log
LockFile = $DATA/virtuoso.lck
TransactionFile = $DATA/virtuoso.trx
xa_persistent_file = $DATA/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = $DATA/virtuoso-temp.db
TransactionFile = $DATA/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:$SQL_PORT
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 10
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
CheckpointAuditTrail = 0
AllowOSCalls = 0
SchedulerInterval = 10
DirsAllowed = ., $LOAD_DIR, /usr/share/virtuoso-opensource-7/vad
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU = 0
VADInstallDir = /usr/share/virtuoso-opensource-7/vad/
PrefixResultNames = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps = 64
MaxQueryMem = 1G
VectorSize = 1000
MaxVectorSize = 1000000
AdjustVectorSize = 0
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 10
NumberOfBuffers = $BUFFERS
MaxDirtyBuffers = $((BUFFERS * 3 / 4))

[HTTPServer]
ServerPort = 127.0.0.1:$HTTP_PORT
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
MaxClientConnections = 10
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
TempASPXDir = 0
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
MaxCachedProxyConnections = 10
ProxyConnectionCacheTimeout = 15
HTTPThreadSize = 280000
HttpPrintWarningsInOutput = 0
Charset = UTF-8
EnabledGzipContent = 1

[SPARQL]
ResultSetMaxRows = $MAX_ROWS
MaxQueryCostEstimationTime = $MAX_ESTIMATE_SECONDS
MaxQueryExecutionTime = $MAX_QUERY_SECONDS
DeferInferenceRulesInit = 0
EOF
}

print_env() {
    cat <<EOF
export VCGRAPH_STORE=$HTTP/sparql
export VCGRAPH_UPDATE_URL=$HTTP/sparql-auth
export VCGRAPH_GSP_URL=$HTTP/sparql-graph-crud-auth
export VCGRAPH_STORE_USER=dba
export VCGRAPH_STORE_PASSWORD=$(password)
export VCGRAPH_STORE_AUTH=digest
export VCGRAPH_STORE_DEFAULT_GRAPH=urn:vcgraph:default
export VCGRAPH_STORE_GRAPH_PREFIXES=${BASE_IRI}graph/
EOF
}

secure() {
    # First start: replace the well-known dba/dba with a random password before anything else can connect.
    if [[ ! -f $PASSWORD_FILE ]]; then
        local new
        new=v$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
        # USER_SET_PASSWORD takes a string; "set password" takes identifiers and fails on one starting with
        # a digit. isql exits 0 on SQL errors, so the new password is checked by logging in with it.
        "$ISQL" "127.0.0.1:$SQL_PORT" dba dba exec="USER_SET_PASSWORD('dba', '$new');" >/dev/null
        (umask 077 && echo "$new" >"$PASSWORD_FILE")
        if ! running; then
            rm -f "$PASSWORD_FILE"
            "$ISQL" "127.0.0.1:$SQL_PORT" dba dba exec="shutdown;" >/dev/null 2>&1 || true
            die "could not set the dba password; virtuoso stopped"
        fi
    fi
}

auth_ready() {
    # Right after a password change the HTTP server may still check the old one for a moment.
    "$ROOT/.venv/bin/python" - "$HTTP/sparql-auth" "$(password)" <<'EOF' >/dev/null 2>&1
import sys, httpx
auth = httpx.DigestAuth("dba", sys.argv[2])
response = httpx.post(sys.argv[1], data={"query": "ASK {}"}, auth=auth, timeout=5)
sys.exit(0 if response.status_code == 200 else 1)
EOF
}

start() {
    need_binaries
    if running; then
        echo "virtuoso already running on $HTTP" >&2
        print_env
        return 0
    fi
    write_ini
    # +wait: return once the server accepts connections (it then runs in the background on its own).
    (cd "$DATA" && "$SERVER" -c "$DATA/virtuoso.ini" +wait) >"$DATA/start.log" 2>&1 || {
        tail -n 20 "$DATA/virtuoso.log" >&2 || true
        die "virtuoso did not start; see $DATA/virtuoso.log"
    }
    secure
    local deadline=$((SECONDS + 60))
    until auth_ready; do
        if ((SECONDS > deadline)); then
            stop
            die "virtuoso refused the dba password on $HTTP/sparql-auth for 60 s; stopped it; see $DATA/virtuoso.log"
        fi
        sleep 0.5
    done
    echo "virtuoso running on $HTTP (SQL on 127.0.0.1:$SQL_PORT), data in $DATA" >&2
    print_env
}

server_pid() {
    # virtuoso.lck holds VIRT_PID=<pid> while the server runs.
    [[ -f $DATA/virtuoso.lck ]] && sed -n 's/^VIRT_PID=\([0-9]*\).*/\1/p' "$DATA/virtuoso.lck"
}

stop() {
    local pid
    pid=$(server_pid || true)
    if ! running && [[ -z $pid ]]; then
        echo "virtuoso is not running" >&2
        return 0
    fi
    # A clean shutdown (checkpoint) when SQL answers; the recorded pid otherwise, so no server is left behind.
    isql exec="shutdown;" >/dev/null 2>&1 || { [[ -n $pid ]] && kill "$pid" 2>/dev/null; } || true
    for _ in $(seq 1 100); do
        if ! running && { [[ -z $pid ]] || ! kill -0 "$pid" 2>/dev/null; }; then
            echo "virtuoso stopped" >&2
            return 0
        fi
        sleep 0.2
    done
    [[ -n $pid ]] && kill -9 "$pid" 2>/dev/null || true
    echo "virtuoso killed after 20 s" >&2
}

bulk_load() {
    local file=${1:?usage: $0 load FILE [GRAPH]} graph=${2:-urn:vcgraph:default}
    [[ -f $file ]] || die "no such file: $file"
    running || die "virtuoso is not running: $0 start"
    # The bulk loader reads only from DirsAllowed; a hard link (or a copy across file systems) puts it there.
    local name
    name=$(basename "$file")
    ln -f "$file" "$LOAD_DIR/$name" 2>/dev/null || cp "$file" "$LOAD_DIR/$name"
    local started=$SECONDS
    isql exec="delete from DB.DBA.load_list where ll_file like '$LOAD_DIR/%'; ld_dir('$LOAD_DIR', '$name', '$graph'); rdf_loader_run(); checkpoint;" >/dev/null
    local errors
    errors=$(isql exec="select ll_file, ll_error from DB.DBA.load_list where ll_error is not null;" | grep -c "$LOAD_DIR" || true)
    rm -f "$LOAD_DIR/$name"
    [[ $errors == 0 ]] || die "bulk load of $file reported errors: see DB.DBA.load_list"
    echo "loaded $file into <$graph> in $((SECONDS - started)) s" >&2
}

case ${1:-start} in
    install) DEBIAN_FRONTEND=noninteractive apt-get install -y virtuoso-opensource ;;
    start) start ;;
    stop) stop ;;
    env) print_env ;;
    load) shift; bulk_load "$@" ;;
    status)
        if running; then echo "running on $HTTP"; else echo "not running"; exit 1; fi
        ;;
    *)
        echo "usage: $0 install|start|stop|status|env|load FILE [GRAPH]" >&2
        exit 2
        ;;
esac
