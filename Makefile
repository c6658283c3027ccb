# ticklake: the two commands that matter are `make demo` and `make test`.
SHELL := /bin/bash
PRESET ?= release
BUILD_DIR := build/$(PRESET)
VENV := .deps/venv
PY := $(VENV)/bin/python

.PHONY: all setup deps build test unit-test integration-test test-memory test-metrics-1m chaos soak-compact bench-compact test-asan fuzz demo bench bench-s3 bench-query bench-memory bench-cpu bench-latency format clean help

all: build

help:
	@echo "make setup             install every dependency (idempotent; see setup/setup.sh)"
	@echo "make build             build build/ticklake (PRESET=release|dev|asan)"
	@echo "make test              unit tests (ctest) + integration tests on a real local Kafka broker"
	@echo "make test-memory       the sink's peak RSS within --max-memory-mib (also part of make test)"
	@echo "make test-metrics-1m   /metrics scraped during a 1,000,000-message sink equals its summary"
	@echo "make chaos             the full chaos suite (docs/exactly-once.md); its short form runs in make test"
	@echo "make soak-compact      30 minutes of a live sink with compaction every 5 and a query loop (90 s in make test)"
	@echo "make test-asan         unit tests + binary integration tests under ASan/UBSan/LSan (build/asan)"
	@echo "make fuzz              libFuzzer targets, FUZZ_SECONDS each (default 60), corpora minimised (fuzz/README.md)"
	@echo "make demo              end to end: local broker, replay + simulated ticks, sink, SQL answers"
	@echo "make bench             benchmarks against kcat (bench/README.md); writes bench/results/"
	@echo "make bench-s3          sink to MinIO vs local folder, upload vs boto3 (bench/README.md)"
	@echo "make console           the web console on the demo's warehouse: http://127.0.0.1:8787/ (after make demo)"
	@echo "make bench-query       ticklake query on Parquet vs DuckDB on one-JSON-per-file (bench/README.md)"
	@echo "make bench-query-s3    query on MinIO: ranged vs whole-object reads, bytes counted by a proxy (BENCH_S3_GIB)"
	@echo "make bench-memory      the sink's peak RSS and rate on a 5,000,000-message backlog (bench/README.md)"
	@echo "make bench-latency     event -> durable file -> queryable, p50/p99/max, on a paced stream (bench/README.md)"
	@echo "make bench-cpu         CPU-us per message of sink, producer and kcat, with perf profiles (bench/README.md)"
	@echo "make bench-peers       the peers in one run: kcat, sink, confluent-kafka+pyarrow, tutorial, Spark; queries (bench/README.md)"
	@echo "make package           build/package/ticklake_<version>_amd64.deb (cmake --install works too: docs/deploy.md)"
	@echo "make package-test      the .deb runs in a fresh root with only its declared dependencies; units verify"

setup:
	@setup/setup.sh

# Runs setup only when something is missing, so `make test` works on a fresh machine.
deps:
	@setup/setup.sh --check || setup/setup.sh

build: deps
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET)
	@ln -sfn $(PRESET)/src/cli/ticklake build/ticklake

unit-test: build
	@ctest --test-dir $(BUILD_DIR) -L unit --output-on-failure -j2

# Spark's jars (Iceberg's runtime, sqlite-jdbc, the Kafka source) are the tests' own step: the
# demo never needs them.
integration-test: build
	@setup/setup.sh spark
	@ctest --test-dir $(BUILD_DIR) -L integration --output-on-failure
	@$(PY) -m pytest -q tests/integration

test: unit-test integration-test

# The sink's peak-RSS bound (tests/integration/test_memory.py); make bench-memory measures it at 5M.
test-memory: build
	@$(PY) -m pytest -q -m memory tests/integration/test_memory.py

# /metrics during a 1,000,000-message sink: counters equal the summary (make test runs 100,000).
test-metrics-1m: build
	@METRICS_MESSAGES=1000000 $(PY) -m pytest -s -q tests/integration/test_metrics.py -k sink_counters

# The full chaos suite; `make test` runs the same scenarios with small counts (docs/exactly-once.md).
CHAOS_KILLS ?= 90
CHAOS_REBALANCES ?= 50
CHAOS_BOUNCES ?= 10
CHAOS_S3_SECONDS ?= 120
chaos: build
	@CHAOS_KILLS=$(CHAOS_KILLS) CHAOS_REBALANCES=$(CHAOS_REBALANCES) CHAOS_BOUNCES=$(CHAOS_BOUNCES) \
	  CHAOS_S3_SECONDS=$(CHAOS_S3_SECONDS) \
	  $(PY) -m pytest -s -q -m chaos tests/integration/test_chaos.py

# The paced compaction soak of #17 (tests/integration/test_soak_compact.py): a live sink at 20 rows/s
# with compaction every 5 minutes and a query loop, for 30 minutes; `make test` runs 90 seconds of it
# (compacting every 30).
SOAK_SECONDS ?= 1800
SOAK_COMPACT_EVERY ?= 300
soak-compact: build
	@SOAK_SECONDS=$(SOAK_SECONDS) SOAK_COMPACT_EVERY=$(SOAK_COMPACT_EVERY) \
	  $(PY) -m pytest -s -q tests/integration/test_soak_compact.py

# Sanitizers: scripts/test_asan.sh says what runs and how a report fails it.
test-asan: deps
	@scripts/test_asan.sh

FUZZ_SECONDS ?= 60
fuzz: deps
	@FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh

demo: build
	@scripts/demo.sh

# The web console on the demo's warehouse (after make demo): http://127.0.0.1:8787/
.PHONY: console
console: build
	@build/ticklake serve --catalog .state/demo/catalog.db

bench: build
	@bench/run.sh

bench-s3: build
	@bench/run_s3.sh

# 1,000,000 trades as 2,000 small files vs compacted: query time and files read (#17).
bench-compact: build
	@$(PY) bench/compact_bench.py

bench-query: build
	@bench/run_query.sh

# Query on MinIO, ranged vs whole-object reads, bytes counted proxy-side (issue #21); BENCH_S3_GIB=2 for the issue's size
.PHONY: bench-query-s3
bench-query-s3: build
	@TICKLAKE_BIN=build/ticklake $(PY) bench/query_s3_bench.py

# p95 of /api/ohlcv, one-day 5m bars over 50 symbol/day pairs on 1,000,000 trades (issue #14)
.PHONY: bench-console
bench-console: build
	@TICKLAKE_BIN=build/ticklake $(PY) bench/console_bench.py

bench-memory: build
	@bench/run_memory.sh

bench-latency: build
	@$(PY) bench/latency_bench.py

bench-cpu: build
	@$(PY) bench/cpu_profile.py --bin build/ticklake --perf bench/flamegraphs --label now

# The peers in one run (#16): kcat, the sink, confluent-kafka + pyarrow, the tutorial's consumer and
# Spark on one topic of 1,000,000 ticks; then 5 questions through ticklake query, DuckDB and Spark SQL.
.PHONY: bench-peers
bench-peers: build
	@setup/setup.sh spark
	@$(PY) bench/peers_bench.py

format:
	@find src bench -name '*.cc' -o -name '*.h' | xargs clang-format -i

clean:
	rm -rf build

# The .deb (CPack, preset `package`: Release, DuckDB bundled) and its install test; not in make test.
.PHONY: package package-test
package: deps
	@cmake --preset package >/dev/null
	@cmake --build --preset package
	@cd build/package && cpack -G DEB
package-test: package
	@$(PY) -m pytest -q tests/package
