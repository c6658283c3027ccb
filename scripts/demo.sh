#!/usr/bin/env bash
# `make demo`: the whole pipeline on one machine, on embedded defaults.
#   1. start a local single-node Kafka broker (KRaft) on 127.0.0.1
#   2. send the tutorial dataset (indexProcessed.csv, 104,224 daily index prices) the way the
#      tutorial's own Python producer does (plain JSON rows, to a topic nobody created), and a
#      burst of simulated ticks with ticklake's producer; without ../shared/data, rows of the
#      tutorial's shape are generated instead
#   3. sink both into a Hive-partitioned Parquet warehouse, exactly once
#   4. show the catalog the sink filled, and answer SQL over its tables with `ticklake query`
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
CATALOG="$DIR/catalog.db"

step() { printf '\n== %s\n' "$*"; }

[[ -x "$BIN" ]] || { echo "demo: $BIN missing: run make build" >&2; exit 1; }
PY="$ROOT/.deps/venv/bin/python"
[[ -x "$PY" ]] || { echo "demo: $PY missing: run make setup" >&2; exit 1; }

rm -rf "$WAREHOUSE" "$CATALOG" "$CATALOG"-wal "$CATALOG"-shm
mkdir -p "$DIR"
step "starting a local Kafka broker on 127.0.0.1:$PORT (state in $DIR/kafka)"
"$BIN" kafka stop --state-dir "$DIR/kafka" >/dev/null 2>&1 || true
BROKERS="$("$BIN" kafka start --port "$PORT" --state-dir "$DIR/kafka" | tail -1)"
trap '"$BIN" kafka stop --state-dir "$DIR/kafka" >/dev/null 2>&1 || true' EXIT
RUN_ID="$(date +%s)"

PRICES="$DATA/indexProcessed.csv.zip"
if [[ ! -f "$PRICES" ]]; then
  step "the tutorial dataset is not at $PRICES (set TICKLAKE_SHARED_DATA to its folder); generating rows of its shape"
  PRICES="$DIR/index_prices.csv"
  "$PY" "$ROOT/scripts/tutorial_producer.py" --generate "$PRICES" --rows 40000
fi
step "sending $(basename "$PRICES") as the tutorial's producer does (kafka-python, json.dumps rows, no key) to topic demo_test_$RUN_ID, which nobody created"
"$PY" "$ROOT/scripts/tutorial_producer.py" --bootstrap "$BROKERS" --topic "demo_test_$RUN_ID" --csv "$PRICES"

step "producing $TICKS simulated trades and quotes (50 symbols, seed 7, 2 sessions)"
"$BIN" produce -b "$BROKERS" -t "demo-ticks-$RUN_ID" --source sim --count "$TICKS" --symbols 50 --seed 7 --days 2

step "sinking both topics to $WAREHOUSE (Parquet, exactly once; files registered in $CATALOG)"
# Plain JSON rows: one table named after the topic, columns typed from the values, the event
# time from the rows' Date, one folder per year (decades of daily rows).
"$BIN" sink -b "$BROKERS" -t "demo_test_$RUN_ID" -g demo -w "$WAREHOUSE" --catalog "$CATALOG" \
  --table index_prices --time-partition year --until-idle 2
"$BIN" sink -b "$BROKERS" -t "demo-ticks-$RUN_ID" -g demo -w "$WAREHOUSE" --catalog "$CATALOG" --until-idle 2

step "what landed"
find "$WAREHOUSE/market" -name '*.parquet' | sed "s#$WAREHOUSE/##" | awk -F/ '{print $1"/"$2}' | sort | uniq -c |
  awk '{printf "  %-20s %s files\n", $2, $1}'
du -sh "$WAREHOUSE/market"/* | sed 's#'"$WAREHOUSE"'/##; s/^/  /'

step "the catalog (what Glue would hold): tables, and the Athena DDL of one"
"$BIN" catalog tables --catalog "$CATALOG"
"$BIN" catalog describe market.index_prices --catalog "$CATALOG" | sed -n '/^column/,/^$/p'
"$BIN" catalog export-ddl market.index_prices --catalog "$CATALOG" | head -16

step "SQL over the catalog's tables (ticklake query: read-only, with Athena's scan statistics)"
q() {
  printf '\n-- %s\n%s\n' "$1" "$2"
  "$BIN" query --catalog "$CATALOG" --format table "$2"
}
q "rows per index, as the tutorial's producer sent them (columns keep their names: \"Adj Close\")" \
  "SELECT \"Index\", count(*) AS days, min(\"Date\") AS first_day, max(\"Date\") AS last_day,
          round(avg(\"Adj Close\"), 2) AS avg_adj_close
   FROM market.index_prices GROUP BY 1 ORDER BY days DESC"
q "yearly OHLC of the NYSE Composite (NYA) from its daily rows, last 5 years (year = a partition)" \
  "SELECT year, arg_min(open, date) AS open, max(high) AS high, min(low) AS low, arg_max(close, date) AS close
   FROM market.index_prices WHERE \"Index\" = 'NYA' GROUP BY ALL ORDER BY year DESC LIMIT 5"
q "daily OHLC and VWAP per symbol from simulated trades (top 10 by volume)" \
  "SELECT dt, symbol, arg_min(price, ts) AS open, max(price) AS high, min(price) AS low,
          arg_max(price, ts) AS close, sum(size)::BIGINT AS volume, round(sum(price * size) / sum(size), 4) AS vwap
   FROM market.trades GROUP BY ALL ORDER BY volume DESC LIMIT 10"
q "one day only: the dt filter prunes day folders, or, with the auto grain's single folder here, the other day's row groups (compare bytes scanned)" \
  "SELECT symbol, count(*) AS trades FROM market.trades
   WHERE dt = DATE '2025-01-06' AND symbol IN ('AAPL', 'MSFT') GROUP BY symbol ORDER BY symbol"
q "hourly bars with VWAP from trades, aligned to the US session (function library)" \
  "SELECT symbol, ts, open, high, low, close, volume, round(vwap, 4) AS vwap
   FROM ohlcv_us_equities('market.trades', '1h') WHERE symbol = 'AAPL' ORDER BY ts LIMIT 7"
q "quoted spread by symbol in basis points (5 tightest)" \
  "SELECT symbol, count(*) AS quotes, round(avg((ask - bid) / ((ask + bid) / 2)) * 1e4, 2) AS avg_spread_bps
   FROM market.quotes GROUP BY symbol ORDER BY avg_spread_bps LIMIT 5"

step "the web console over this warehouse (tables, SQL, candlesticks, pipeline), in a browser"
printf 'open it with:  make console   (that is: %s serve --catalog %s)\nthen browse to http://127.0.0.1:8787/\n' "$BIN" "$CATALOG"
