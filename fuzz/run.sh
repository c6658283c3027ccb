#!/usr/bin/env bash
# `make fuzz`: builds the fuzz preset, then runs each libFuzzer target for FUZZ_SECONDS on its
# corpus (fuzz/corpus/<target>, seeds from seed_corpora.py), one process each, in sequence, and
# minimises the corpus with -merge=1. A crash stops the run with the input under
# build/fuzz/artifacts/<target>/; libFuzzer's final statistics and the CPU time it used go to
# fuzz/results/<target>.txt. Usage: fuzz/run.sh [target ...] (default: every target);
# FUZZ_BUILD=0 skips the build (targets built already, e.g. while another one is being built).
# FUZZ_CPU_SECONDS=N gives each target N seconds of CPU instead of wall time: the run is stopped
# (SIGINT, libFuzzer prints its statistics) once the fuzzer process has used N s of user+sys
# time, so a loaded machine lengthens the run instead of shortening the fuzzing; FUZZ_SECONDS
# then only caps the wall time. FUZZ_JOBS=K runs K targets at once (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_NICE=${FUZZ_NICE:-10}
FUZZ_CPU_SECONDS=${FUZZ_CPU_SECONDS:-0}
FUZZ_JOBS=${FUZZ_JOBS:-1}
# Seconds one input may take before libFuzzer calls it a hang (wall clock: raise it on a loaded machine).
FUZZ_TIMEOUT=${FUZZ_TIMEOUT:-10}
BUILD=build/fuzz

if [ "${FUZZ_BUILD:-1}" != 0 ]; then
    cmake --preset fuzz >/dev/null
    cmake --build "$BUILD" -j2 --target fuzz_targets
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=($(cd fuzz/corpus && ls -d *_fuzz))
fi

# CPU seconds (user+sys) used so far by process $1, or nothing once it is gone.
cpu_seconds_of() {
    local stat
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    # Fields 14 and 15 (utime, stime) in clock ticks, counted after the ")" that ends the name.
    awk -v ticks="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); print int(($12 + $13) / ticks) }' <<<"$stat"
}

# Stops the fuzzer (the child of /usr/bin/time, pid $1) once it has used FUZZ_CPU_SECONDS.
stop_at_cpu_budget() {
    local time_pid=$1 fuzzer used
    while kill -0 "$time_pid" 2>/dev/null; do
        fuzzer=$(pgrep -P "$time_pid" | head -1)
        if [ -n "$fuzzer" ]; then
            used=$(cpu_seconds_of "$fuzzer")
            if [ -n "$used" ] && [ "$used" -ge "$FUZZ_CPU_SECONDS" ]; then
                kill -INT "$fuzzer" 2>/dev/null || true
                return 0
            fi
        fi
        sleep 5
    done
}

run_target() {
    local t=$1 bin="$BUILD/fuzz/$1" work="$BUILD/work/$1" artifacts="$BUILD/artifacts/$1" rc budget
    mkdir -p "$work" "$artifacts" fuzz/results
    budget="${FUZZ_SECONDS}s"
    [ "$FUZZ_CPU_SECONDS" -gt 0 ] && budget="${FUZZ_CPU_SECONDS} CPU-s (wall cap ${FUZZ_SECONDS}s)"
    echo "== $t: $budget"
    # New inputs go to the scratch folder (the first one named); the committed corpus is read.
    set +e
    /usr/bin/time -f "cpu_seconds: %U user + %S sys, wall %e s, max_rss_kib %M" -o "$work/time.txt" \
        nice -n "$FUZZ_NICE" "$bin" -max_total_time="$FUZZ_SECONDS" -timeout="$FUZZ_TIMEOUT" -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "$work" "fuzz/corpus/$t" >"$work/log.txt" 2>&1 &
    local time_pid=$!
    [ "$FUZZ_CPU_SECONDS" -gt 0 ] && stop_at_cpu_budget "$time_pid" &
    local watcher=$!
    wait "$time_pid"
    rc=$?
    kill "$watcher" 2>/dev/null
    set -e
    # libFuzzer exits 72 when interrupted: here that is the CPU budget running out, not a crash.
    if [ "$FUZZ_CPU_SECONDS" -gt 0 ] && [ $rc -eq 72 ] && grep -aq "run interrupted" "$work/log.txt"; then
        rc=0
    fi
    {
        echo "target: $t  budget: $budget  exit: $rc  ($(date -u +%FT%TZ))"
        cat "$work/time.txt"
        grep -a -E '^(stat::|Done |#[0-9]+.*DONE)' "$work/log.txt" || true
        grep -a -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|Test unit written' "$work/log.txt" || true
    } >"fuzz/results/$t.txt"
    cat "fuzz/results/$t.txt"
    if [ $rc -ne 0 ]; then
        echo "$t: crashed, input in $artifacts/ (full log: $work/log.txt)" >&2
        return 1
    fi
    # Minimise: keep only inputs that add coverage, committed corpus first.
    local merged="$BUILD/merged/$t"
    rm -rf "$merged" && mkdir -p "$merged"
    nice -n "$FUZZ_NICE" "$bin" -merge=1 "$merged" "fuzz/corpus/$t" "$work" >"$work/merge.txt" 2>&1
    rm -rf "fuzz/corpus/$t" && mv "$merged" "fuzz/corpus/$t"
    echo "corpus: $(ls "fuzz/corpus/$t" | wc -l) inputs" | tee -a "fuzz/results/$t.txt"
}

status=0
running=0
for t in "${targets[@]}"; do
    run_target "$t" &
    running=$((running + 1))
    # A free slot is refilled as soon as any target ends (one that crashes in its first
    # second must not leave a core idle until the target started before it is done).
    if [ "$running" -ge "$FUZZ_JOBS" ]; then
        wait -n || status=1
        running=$((running - 1))
    fi
done
while [ "$running" -gt 0 ]; do
    wait -n || status=1
    running=$((running - 1))
done
exit $status
