#!/usr/bin/env bash
# bench/run.sh — quotaprobe's generator and simulator against oha and wrk, on loopback, in one
# sitting, printed as one Markdown table (BENCHMARKS.md). Not part of CI: a full run takes ~20 minutes.
#
#   bench/run.sh                      # everything: 3 interleaved rounds, 10 s steps, 10 min memory
#   BENCH_QUICK=1 bench/run.sh        # 1 round, 5 s steps, memory at 1 and 2 min (~5 minutes)
#   BENCH_SECTIONS=closed,cpu bench/run.sh   # pick from: closed cpu rate memory sim
#
# Other knobs: BENCH_ROUNDS (3), BENCH_SECS (10), BENCH_CONCURRENCY (50), BENCH_MEMORY_SECS (600),
# BENCH_MEMORY_RATE (2000), BENCH_RATES ("1000 5000 20000"), BENCH_KEEP=1 keeps the work folder,
# BENCH_BIN=PATH runs that quotaprobe binary instead of building this tree (before/after a change).
#
# What it does: builds quotaprobe (release), installs the peers when missing (oha with
# `cargo install oha --locked`, wrk and nginx from Debian with apt-get), starts a private nginx
# (`worker_processes 1`, `access_log off`, keepalive_requests 1e8, a 11-byte JSON body) and
# `quotaprobe serve` on free loopback ports, runs each section with the tools interleaved
# (quotaprobe, oha, wrk, quotaprobe, ...) so ratios come from the same minutes, and prints the
# table. Raw outputs stay in the work folder (printed at the end with BENCH_KEEP=1).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

QUICK=${BENCH_QUICK:-0}
if [ "$QUICK" = 1 ]; then
    ROUNDS=${BENCH_ROUNDS:-1}; SECS=${BENCH_SECS:-5}; MEM_SECS=${BENCH_MEMORY_SECS:-120}
else
    ROUNDS=${BENCH_ROUNDS:-3}; SECS=${BENCH_SECS:-10}; MEM_SECS=${BENCH_MEMORY_SECS:-600}
fi
SECTIONS=${BENCH_SECTIONS:-closed,cpu,rate,memory,sim}
CONC=${BENCH_CONCURRENCY:-50}
MEM_RATE=${BENCH_MEMORY_RATE:-2000}
RATES=${BENCH_RATES:-1000 5000 20000}
CPU_RATE=5000

WORK=$(mktemp -d /tmp/quotaprobe-bench.XXXXXX)
RESULTS=$WORK/results.tsv
: > "$RESULTS"
PIDS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ "${BENCH_KEEP:-0}" = 1 ]; then echo "work folder kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

want() { case ",$SECTIONS," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
log() { echo "[bench $(date -u +%H:%M:%S)] $*" >&2; }
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$RESULTS"; }   # measure tool round value
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# --- peers and build -------------------------------------------------------------------------
if ! command -v wrk >/dev/null || { ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; }; then
    log "installing wrk and nginx (apt-get)"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk nginx-light >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
export PATH="$HOME/.cargo/bin:$PATH"
if ! command -v oha >/dev/null; then
    log "installing oha (cargo install oha --locked)"
    cargo install oha --locked
fi
if [ -n "${BENCH_BIN:-}" ]; then
    QP=$(realpath "$BENCH_BIN")   # a binary built elsewhere (e.g. the commit before a change)
    log "using $QP (BENCH_BIN), not building"
else
    log "building quotaprobe (release)"
    cargo build --release --locked --bin quotaprobe >&2
    QP=$ROOT/target/release/quotaprobe
fi

# --- targets: private nginx and the simulated tenant -------------------------------------------
NGINX_PORT=$(free_port)
mkdir -p "$WORK/nginx/logs"
cat > "$WORK/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $WORK/nginx/logs/nginx.pid;
error_log $WORK/nginx/logs/error.log;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 100000000;
    keepalive_timeout 120s;
    server {
        listen 127.0.0.1:$NGINX_PORT;
        location = / { default_type application/json; return 200 '{"ok":true}'; }
    }
}
EOF
"$NGINX" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -e "$WORK/nginx/logs/error.log" &
PIDS+=($!)
export BENCH_URL="http://127.0.0.1:$NGINX_PORT/"
for _ in $(seq 50); do curl -sf "$BENCH_URL" >/dev/null && break; sleep 0.1; done
curl -sf "$BENCH_URL" >/dev/null || { echo "nginx did not start: $(cat "$WORK/nginx/logs/error.log")" >&2; exit 1; }

# A scenario from bench/ with the duration, rate or concurrency of this step.
scenario() { # file secs key value -> path
    local out=$WORK/$(basename "$1" .toml)-$2s-$4.toml
    sed -e "s|^duration = .*|duration = \"$2s\"|" -e "s|^$3 = .*|$3 = $4|" "$1" > "$out"
    echo "$out"
}
# The ALL row of a report's summary.csv, as KEY=VALUE lines.
summary() {
    python3 - "$1/summary.csv" <<'EOF'
import csv, sys
for row in csv.DictReader(open(sys.argv[1])):
    if row["operation"] == "ALL":
        for k, v in row.items(): print(f"{k}={v}")
EOF
}
field() { grep "^$2=" <<< "$1" | head -1 | cut -d= -f2; }
oha_rps() { awk '/Requests\/sec:/ {print $2; exit}' "$1"; }
oha_ok() { awk '/\[200\]/ {n += $2} END {print n + 0}' "$1"; }
wrk_rps() { awk '/Requests\/sec:/ {print $2; exit}' "$1"; }
timed() { # out-prefix cmd... ; /usr/bin/time's "user sys maxrss_kb" in PREFIX.time
    local prefix=$1; shift
    /usr/bin/time -f '%U %S %M' -o "$prefix.time" "$@" > "$prefix.out" 2> "$prefix.err"
}

log "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
record load_before - 0 "$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')"

# --- 1. closed-loop max throughput --------------------------------------------------------------
if want closed; then
    sc=$(scenario bench/closed.toml "$SECS" concurrency "$CONC")
    for r in $(seq "$ROUNDS"); do
        log "closed loop, round $r: quotaprobe, oha, wrk (c=$CONC, ${SECS}s)"
        "$QP" run "$sc" --quiet --out "$WORK/closed-$r" > "$WORK/closed-$r.log" 2>&1
        s=$(summary "$WORK/closed-$r")
        record closed_rps quotaprobe "$r" "$(field "$s" achieved_rps)"
        oha -z "${SECS}s" -c "$CONC" --no-tui "$BENCH_URL" > "$WORK/closed-oha-$r.out" 2>&1
        record closed_rps oha "$r" "$(oha_rps "$WORK/closed-oha-$r.out")"
        wrk -t1 -c"$CONC" -d"${SECS}s" "$BENCH_URL" > "$WORK/closed-wrk-$r.out" 2>&1
        record closed_rps wrk "$r" "$(wrk_rps "$WORK/closed-wrk-$r.out")"
    done
fi

# --- 2. CPU per request at 5,000/s --------------------------------------------------------------
if want cpu; then
    sc=$(scenario bench/rate.toml "$SECS" rate "$CPU_RATE")
    for r in $(seq "$ROUNDS"); do
        log "CPU at $CPU_RATE/s, round $r: quotaprobe, oha"
        timed "$WORK/cpu-qp-$r" "$QP" run "$sc" --quiet --out "$WORK/cpu-$r"
        s=$(summary "$WORK/cpu-$r")
        read -r u sys rss < "$WORK/cpu-qp-$r.time"
        record cpu_us quotaprobe "$r" "$(python3 -c "print(($u+$sys)*1e6/max(1,$(field "$s" sent)))")"
        record cpu_rss_mb quotaprobe "$r" "$(python3 -c "print($rss/1024)")"
        timed "$WORK/cpu-oha-$r" oha -z "${SECS}s" -c 50 -q "$CPU_RATE" --no-tui "$BENCH_URL"
        read -r u sys rss < "$WORK/cpu-oha-$r.time"
        record cpu_us oha "$r" "$(python3 -c "print(($u+$sys)*1e6/max(1,$(oha_ok "$WORK/cpu-oha-$r.out")))")"
        record cpu_rss_mb oha "$r" "$(python3 -c "print($rss/1024)")"
    done
fi

# --- 3. rate accuracy -------------------------------------------------------------------------------
if want rate; then
    for r in $(seq "$ROUNDS"); do
        for rate in $RATES; do
            log "rate accuracy at $rate/s, round $r"
            sc=$(scenario bench/rate.toml "$SECS" rate "$rate")
            sed -i 's/^max_in_flight = .*/max_in_flight = 256/' "$sc"
            "$QP" run "$sc" --quiet --out "$WORK/rate-$rate-$r" > "$WORK/rate-$rate-$r.log" 2>&1
            s=$(summary "$WORK/rate-$rate-$r")
            record "rate_ratio_$rate" quotaprobe "$r" \
                "$(python3 -c "print($(field "$s" sent) / ($rate * $SECS))")"
            record "lag_p99_$rate" quotaprobe "$r" "$(field "$s" lag_p99_ms)"
            record "dropped_$rate" quotaprobe "$r" "$(field "$s" dropped)"
        done
    done
fi

# --- 4. memory over a long run ----------------------------------------------------------------------
if want memory; then
    log "memory: ${MEM_SECS}s at $MEM_RATE/s, RSS sampled at 60 s and $((MEM_SECS - 5)) s"
    sc=$(scenario bench/rate.toml "$MEM_SECS" rate "$MEM_RATE")
    "$QP" run "$sc" --quiet --out "$WORK/memory" > "$WORK/memory.log" 2>&1 &
    qp=$!
    PIDS+=("$qp")
    status() { awk -v k="$1:" '$1 == k {print $2 / 1024}' "/proc/$qp/status"; }
    sleep 60
    record rss_hwm_1m quotaprobe 1 "$(status VmHWM)"
    record rss_1m quotaprobe 1 "$(status VmRSS)"
    sleep $((MEM_SECS - 65))
    record rss_hwm_end quotaprobe 1 "$(status VmHWM)"
    record rss_end quotaprobe 1 "$(status VmRSS)"
    wait "$qp" || true
    s=$(summary "$WORK/memory")
    record memory_rate_ratio quotaprobe 1 "$(python3 -c "print($(field "$s" sent) / ($MEM_RATE * $MEM_SECS))")"
fi

# --- 5. simulator capacity ----------------------------------------------------------------------------
if want sim; then
    SIM_PORT=$(free_port)
    "$QP" serve --tier-file bench/unlimited-tier.toml --addr "127.0.0.1:$SIM_PORT" > "$WORK/serve.log" 2>&1 &
    PIDS+=($!)
    SIM="http://127.0.0.1:$SIM_PORT"
    for _ in $(seq 100); do curl -sf "$SIM/.well-known/jwks.json" >/dev/null && break; sleep 0.1; done
    body="grant_type=client_credentials&client_id=quotaprobe-demo-client&client_secret=quotaprobe-demo-secret"
    token=$(curl -sf -X POST "$SIM/oauth/token" -d "$body" --data-urlencode "audience=https://127.0.0.1:$SIM_PORT/api/v2/" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
    for r in $(seq "$ROUNDS"); do
        log "simulator, round $r: tokens, Management API (oha)"
        oha -z "${SECS}s" -c 16 --no-tui -m POST -T application/x-www-form-urlencoded \
            -d "$body&audience=https%3A%2F%2Fapi.example.com%2F" "$SIM/oauth/token" > "$WORK/sim-token-$r.out" 2>&1
        record sim_tokens oha "$r" "$(python3 -c "print($(oha_ok "$WORK/sim-token-$r.out") / $SECS)")"
        oha -z "${SECS}s" -c 32 --no-tui -H "Authorization: Bearer $token" \
            "$SIM/api/v2/users/auth0%7C000000000000000000000001" > "$WORK/sim-mgmt-$r.out" 2>&1
        record sim_mgmt oha "$r" "$(python3 -c "print($(oha_ok "$WORK/sim-mgmt-$r.out") / $SECS)")"
    done
fi

record load_after - 0 "$(cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/')"
log "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
{
    echo "bench/run.sh — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -r)"
    echo "quotaprobe ${BENCH_BIN:-$(git rev-parse --short HEAD 2>/dev/null || echo '?')} ($("$QP" --version 2>/dev/null || true)), $(oha --version 2>/dev/null | head -1), wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), nginx $("$NGINX" -v 2>&1 | sed 's|.*/||'), $(rustc --version | cut -d' ' -f1-2)"
    echo "rounds $ROUNDS, ${SECS}s steps, concurrency $CONC, memory ${MEM_SECS}s at $MEM_RATE/s"
    echo
    python3 bench/table.py "$RESULTS"
}
