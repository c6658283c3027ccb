#!/usr/bin/env bash
# `make demo`: the whole pipeline on one machine, on embedded defaults.
#   1. start a local single-node Kafka broker (KRaft) on 127.0.0.1
#   2. replay the tutorial dataset (indexProcessed.csv, 104,224 daily bars) and a burst of
#      simulated ticks into two topics
#   3. sink both into a Hive-partitioned Parquet warehouse, exactly once
#   4. answer a few SQL questions over the files with DuckDB
#   5. stop the broker
# Environment: TICKLAKE_DEMO_PORT (default 19092), TICKLAKE_DEMO_DIR (default .state/demo),
# TICKLAKE_DEMO_TICKS (default 500000).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="$ROOT/build/ticklake"
PORT="${TICKLAKE_DEMO_PORT:-19092}"
DIR="${TICKLAKE_DEMO_DIR:-$ROOT/.state/demo}"
TICKS="${TICKLAKE_DEMO_TICKS:-500000}"
DATA="${TICKLAKE_SHARED_DATA:-$ROOT/../shared/data}"
WAREHOUSE="$DIR/warehouse"
PY="$ROOT/.deps/venv/bin/python"

step() { printf '\n== %s\n' "$*"; }

[[ -x "$BIN" ]] || { echo "demo: $BIN missing: run make build" >&2; exit 1; }
[[ -f "$DATA/indexProcessed.csv.zip" ]] || { echo "demo: tutorial data not found in $DATA (set TICKLAKE_SHARED_DATA)" >&2; exit 1; }

rm -rf "$WAREHOUSE"
mkdir -p "$DIR"
step "starting a local Kafka broker on 127.0.0.1:$PORT (state in $DIR/kafka)"
"$BIN" kafka stop --state-dir "$DIR/kafka" >/dev/null 2>&1 || true
BROKERS="$("$BIN" kafka start --port "$PORT" --state-dir "$DIR/kafka" | tail -1)"
trap '"$BIN" kafka stop --state-dir "$DIR/kafka" >/dev/null 2>&1 || true' EXIT
RUN_ID="$(date +%s)"

step "replaying the tutorial dataset (indexProcessed.csv.zip) as daily bars"
"$BIN" produce -b "$BROKERS" -t "demo-bars-$RUN_ID" --source csv --file "$DATA/indexProcessed.csv.zip" --partitions 3

step "producing $TICKS simulated trades and quotes (50 symbols, seed 7, 2 sessions)"
"$BIN" produce -b "$BROKERS" -t "demo-ticks-$RUN_ID" --source sim --count "$TICKS" --symbols 50 --seed 7 --days 2

step "sinking both topics to $WAREHOUSE (Parquet, exactly once)"
"$BIN" sink -b "$BROKERS" -t "demo-bars-$RUN_ID" -g demo -w "$WAREHOUSE" --time-partition year --until-idle 2
"$BIN" sink -b "$BROKERS" -t "demo-ticks-$RUN_ID" -g demo -w "$WAREHOUSE" --until-idle 2

step "what landed"
find "$WAREHOUSE/market" -name '*.parquet' | sed "s#$WAREHOUSE/##" | awk -F/ '{print $1"/"$2}' | sort | uniq -c |
  awk '{printf "  %-20s %s files\n", $2, $1}'
du -sh "$WAREHOUSE/market"/* | sed 's#'"$WAREHOUSE"'/##; s/^/  /'

step "SQL over the files (DuckDB)"
"$PY" "$ROOT/scripts/demo_queries.py" "$WAREHOUSE"
