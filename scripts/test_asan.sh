#!/usr/bin/env bash
# `make test-asan`: the asan preset (Debug, ASan + UBSan, UBSan fatal) built, then the unit tests
# and the integration tests that drive the binary through produce, sink, crawl, query and S3
# (MinIO). Any sanitizer report fails the run: a unit test exits non-zero on its own; for the
# binary, whose expected failures the integration tests check, every report is also written to
# build/asan/sanitizer-logs/ and the run fails if that folder is not empty at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=build/asan
SUPP=$PWD/tests/sanitizers
# The integration files that exercise the binary end to end (the broker is Java, unaffected):
# produce, sink (every value format) and crawl. The asan binary runs them ~3x slower, so CI
# (90 minutes for `make test` and this) takes these; query and S3 run under the sanitizers in
# their unit tests, and ASAN_PYTEST_FILES adds test_query.py and test_s3.py for a full run.
ASAN_PYTEST_FILES=${ASAN_PYTEST_FILES:-"tests/integration/test_produce.py tests/integration/test_open_sink.py
    tests/integration/test_crawl.py"}

start=$(date +%s)
cmake --preset asan >/dev/null
cmake --build "$BUILD" -j2
built=$(date +%s)

export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1"
export LSAN_OPTIONS="suppressions=$SUPP/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$SUPP/ubsan.supp"
ctest --test-dir "$BUILD" -L unit -j2 --output-on-failure
unit=$(date +%s)

logs=$PWD/$BUILD/sanitizer-logs
rm -rf "$logs" && mkdir -p "$logs"
ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$logs/asan" UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$logs/ubsan" \
    TICKLAKE_BIN=$PWD/$BUILD/src/cli/ticklake .deps/venv/bin/python -m pytest -q $ASAN_PYTEST_FILES
end=$(date +%s)

echo "test-asan: build $((built - start)) s, unit tests $((unit - built)) s, integration $((end - unit)) s"
if [ -n "$(ls -A "$logs")" ]; then
    echo "test-asan: sanitizer reports from the binary:" >&2
    head -n 60 "$logs"/* >&2
    exit 1
fi
