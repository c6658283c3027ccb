#!/usr/bin/env bash
# System benchmark (`make bench`): ticklake's producer and sink against kcat on one private
# broker. All options go to bench/pipeline_bench.py; see bench/README.md.
#   bench/run.sh            full run (2,000,000 messages)
#   bench/run.sh --quick    short run (200,000 messages)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${TICKLAKE_PYTHON:-$root/.deps/venv/bin/python}"
if [[ ! -x "$python" ]]; then
    echo "bench: no Python venv at $python: run \`make setup\` (or set TICKLAKE_PYTHON)" >&2
    exit 2
fi
export TICKLAKE_BIN="${TICKLAKE_BIN:-$root/build/ticklake}"
exec "$python" "$root/bench/pipeline_bench.py" "$@"
