#!/usr/bin/env bash
# Memory benchmark (`make bench-memory`): peak RSS and throughput of `ticklake sink` on a
# backlog, with default settings, for Parquet and JSON Lines (issue #12, item 1).
#   bench/run_memory.sh                          5,000,000 messages, 12 partitions, 1,000 symbols
#   bench/run_memory.sh --count 2000000
#   bench/run_memory.sh --bin A --bin B          one row per binary and format (same backlog)
#   bench/run_memory.sh --sink-arg --max-memory-mib=256
# Peak RSS is /usr/bin/time -v's "Maximum resident set size"; the rate is messages / the
# sink's busy seconds (its --summary-json), the same clock as `make bench`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${TICKLAKE_PYTHON:-$root/.deps/venv/bin/python}"
count=5000000
partitions=12
symbols=1000
formats="parquet jsonl"
bins=()
sink_args=()
keep=0
workdir="${TMPDIR:-/tmp}"
while [[ $# -gt 0 ]]; do
    case "$1" in
    --count) count="$2"; shift 2 ;;
    --partitions) partitions="$2"; shift 2 ;;
    --symbols) symbols="$2"; shift 2 ;;
    --formats) formats="$2"; shift 2 ;;
    --bin) bins+=("$2"); shift 2 ;;
    --sink-arg) sink_args+=("$2"); shift 2 ;;
    --workdir) workdir="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "bench-memory: unknown option $1 (see the head of $0)" >&2; exit 2 ;;
    esac
done
[[ ${#bins[@]} -gt 0 ]] || bins=("${TICKLAKE_BIN:-$root/build/ticklake}")
for b in "${bins[@]}"; do
    [[ -x "$b" ]] || { echo "bench-memory: no binary at $b (make build, or --bin PATH)" >&2; exit 2; }
done
[[ -x /usr/bin/time ]] || { echo "bench-memory: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }

work="$(mktemp -d "$workdir/ticklake-bench-memory-XXXXXX")"
state="$work/kafka"
driver="${bins[0]}"
cleanup() {
    "$driver" kafka stop --state-dir "$state" >/dev/null 2>&1 || true
    if [[ $keep == 1 ]]; then echo "bench-memory: kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# A private broker, as bench/run.sh starts one: nobody else's topics or load in the figures.
port="$(cd "$root/bench" && "$python" -c 'import bench_support; print(bench_support.free_port_pair())')"
broker="$("$driver" kafka start --port "$port" --state-dir "$state" 2>"$work/kafka-start.log" | tail -n 1)"
echo "bench-memory: broker $broker; producing $count messages over $partitions partitions, $symbols symbols" >&2
"$driver" kafka topics create bench-mem --partitions "$partitions" -b "$broker" >/dev/null 2>&1
"$driver" produce -t bench-mem -b "$broker" --source sim --count "$count" --symbols "$symbols" --seed 7 \
    2>"$work/produce.log"

printf '%-48s %-8s %10s %14s %10s %14s %8s %8s %10s\n' binary format messages "peak RSS MiB" "busy s" "msgs/s (busy)" \
    "wall s" "CPU s" "CPU µs/msg"
run=0
for b in "${bins[@]}"; do
    for f in $formats; do
        run=$((run + 1))
        out="$work/run$run"
        mkdir -p "$out"
        # A fresh group and warehouse per run: each reads the whole backlog.
        /usr/bin/time -v -o "$out/time.txt" "$b" sink -t bench-mem -b "$broker" -g "bench-mem-$run" \
            -w "$out/warehouse" -f "$f" --until-idle 2 --no-progress --catalog "$out/catalog.db" \
            --summary-json "$out/summary.json" ${sink_args[@]+"${sink_args[@]}"} 2>"$out/sink.log" || {
            echo "bench-memory: sink failed, see $out/sink.log" >&2
            keep=1
            exit 1
        }
        rss_kib="$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out/time.txt")"
        read -r consumed busy < <("$python" -c 'import json,sys; s=json.load(open(sys.argv[1])); print(s["consumed"], s["busy_seconds"])' "$out/summary.json")
        if [[ "$consumed" != "$count" ]]; then
            echo "bench-memory: the sink consumed $consumed of $count messages (see $out/sink.log)" >&2
            keep=1
            exit 1
        fi
        # Wall time includes start-up and the --until-idle tail (2 s); CPU is user + sys of the
        # whole process, which also counts work a writer thread does after the last message.
        wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$out/time.txt")"
        cpu="$(awk -F': ' '/User time/ {u = $2} /System time/ {k = $2} END {print u + k}' "$out/time.txt")"
        awk -v b="$b" -v f="$f" -v n="$count" -v r="$rss_kib" -v s="$busy" -v w="$wall" -v c="$cpu" \
            'BEGIN { printf "%-48s %-8s %10d %14.1f %10.2f %14.0f %8.2f %8.2f %10.2f\n", b, f, n, r / 1024, s, n / s, w, c, c * 1e6 / n }'
        rm -rf "$out/warehouse"
    done
done
