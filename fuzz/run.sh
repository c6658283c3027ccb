#!/usr/bin/env bash
# `make fuzz`: builds the fuzz preset, then runs each libFuzzer target for FUZZ_SECONDS on its
# corpus (fuzz/corpus/<target>, seeds from seed_corpora.py), one process each, in sequence, and
# minimises the corpus with -merge=1. A crash stops the run with the input under
# build/fuzz/artifacts/<target>/; libFuzzer's final statistics and the CPU time it used go to
# fuzz/results/<target>.txt. Usage: fuzz/run.sh [target ...] (default: every target);
# FUZZ_BUILD=0 skips the build (targets built already, e.g. while another one is being built).
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_NICE=${FUZZ_NICE:-10}
BUILD=build/fuzz

if [ "${FUZZ_BUILD:-1}" != 0 ]; then
    cmake --preset fuzz >/dev/null
    cmake --build "$BUILD" -j2 --target fuzz_targets
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=($(cd fuzz/corpus && ls -d *_fuzz))
fi

status=0
for t in "${targets[@]}"; do
    bin="$BUILD/fuzz/$t"
    work="$BUILD/work/$t"
    artifacts="$BUILD/artifacts/$t"
    mkdir -p "$work" "$artifacts" fuzz/results
    echo "== $t: ${FUZZ_SECONDS}s"
    # New inputs go to the scratch folder (the first one named); the committed corpus is read.
    set +e
    /usr/bin/time -f "cpu_seconds: %U user + %S sys, wall %e s, max_rss_kib %M" -o "$work/time.txt" \
        nice -n "$FUZZ_NICE" "$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "$work" "fuzz/corpus/$t" >"$work/log.txt" 2>&1
    rc=$?
    set -e
    {
        echo "target: $t  max_total_time: ${FUZZ_SECONDS}s  exit: $rc  ($(date -u +%FT%TZ))"
        cat "$work/time.txt"
        grep -a -E '^(stat::|Done |#[0-9]+.*DONE)' "$work/log.txt" || true
        grep -a -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|Test unit written' "$work/log.txt" || true
    } >"fuzz/results/$t.txt"
    cat "fuzz/results/$t.txt"
    if [ $rc -ne 0 ]; then
        echo "$t: crashed, input in $artifacts/ (full log: $work/log.txt)" >&2
        status=1
        continue
    fi
    # Minimise: keep only inputs that add coverage, committed corpus first.
    merged="$BUILD/merged/$t"
    rm -rf "$merged" && mkdir -p "$merged"
    nice -n "$FUZZ_NICE" "$bin" -merge=1 "$merged" "fuzz/corpus/$t" "$work" >"$work/merge.txt" 2>&1
    rm -rf "fuzz/corpus/$t" && mv "$merged" "fuzz/corpus/$t"
    echo "corpus: $(ls "fuzz/corpus/$t" | wc -l) inputs" | tee -a "fuzz/results/$t.txt"
done
exit $status
