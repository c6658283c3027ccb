#!/usr/bin/env bash
# S3 benchmark (`make bench-s3`): sink to MinIO vs sink to a local folder, and ticklake's
# upload vs boto3's, in one run. Options go to bench/s3_bench.py; see bench/README.md.
#   bench/run_s3.sh            full run (2,000,000 events, a 256 MiB file)
#   bench/run_s3.sh --quick    short run (300,000 events)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${TICKLAKE_PYTHON:-$root/.deps/venv/bin/python}"
if [[ ! -x "$python" ]]; then
    echo "bench-s3: no Python venv at $python: run \`make setup\` (or set TICKLAKE_PYTHON)" >&2
    exit 2
fi
export TICKLAKE_BIN="${TICKLAKE_BIN:-$root/build/ticklake}"
exec "$python" "$root/bench/s3_bench.py" "$@"
