#!/usr/bin/env bash
# Query benchmark (`make bench-query`): daily VWAP on ticklake's Parquet layout vs the
# tutorial's one-JSON-object-per-file layout. Options go to bench/query_bench.py (bench/README.md).
#   bench/run_query.sh            full run (1,000,000 trades)
#   bench/run_query.sh --quick    short run (100,000 trades)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${TICKLAKE_PYTHON:-$root/.deps/venv/bin/python}"
if [[ ! -x "$python" ]]; then
    echo "bench-query: no Python venv at $python: run \`make setup\` (or set TICKLAKE_PYTHON)" >&2
    exit 2
fi
export TICKLAKE_BIN="${TICKLAKE_BIN:-$root/build/ticklake}"
exec "$python" "$root/bench/query_bench.py" "$@"
