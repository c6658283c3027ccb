#!/usr/bin/env bash
# Installs everything ticklake needs to build, test and run its demo on one machine.
#
#   setup/setup.sh            all steps
#   setup/setup.sh STEP...    only these steps: apt duckdb kafka venv minio web, and spark
#                             (test-only: Spark's jars; `make integration-test` runs it, the demo never)
#   setup/setup.sh --check    exit 0 when every step is already done, 1 otherwise
#
# Idempotent: each step records a stamp in .deps/stamps/ that names the pinned version,
# and is skipped while the stamp and the files it produced are there. Downloads go into
# the git-ignored .deps/ folder. Existing installs are used when present:
#   KAFKA_HOME   a Kafka 4.x distribution (its libs/ folder is used instead of Maven)
#   DUCKDB_HOME  a folder with lib/libduckdb.so (or libduckdb.so) and include/duckdb.h
#                (a system /usr/lib/libduckdb.so + /usr/include/duckdb.h is found too)
#   MINIO_BIN    a minio server binary (S3 tests only)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEPS="$ROOT/.deps"
STAMPS="$DEPS/stamps"

# Pinned versions and registry integrity hashes (npm's dist.integrity, sha512).
DUCKDB_LIB_PKG="@duckdb/node-bindings-linux-x64@1.4.4-r.4"
DUCKDB_LIB_SHA512="jBTL/WvfwxLToFa/pVHfT6elMtltJGnc3wSuxZD9OfMltit9YUdVFS37vBFQzXMT1Z8OWjtSjMh+zPKxOwHLHA=="
DUCKDB_HDR_PKG="duckdb@1.4.4"
DUCKDB_HDR_SHA512="hEJJ5hyVF0VLj3dmOLpsWrQR0b3d4Ykqtygm6iUXjHJDDnSqg/USKxcb5qvNrOhFYPgktayU6dXCtgPqcmmpog=="
KAFKA_VERSION="4.1.1"   # keep in step with setup/kafka-pom.xml
PY_REQUIREMENTS="$ROOT/setup/requirements-test.txt"
# Jars for the venv's pyspark (tests and benchmarks only): Iceberg's Spark runtime + the SQLite
# JDBC driver, and Spark's Kafka source. Keep in step with setup/iceberg-spark-pom.xml and with
# pyspark in setup/requirements-test.txt.
SPARK_POM="$ROOT/setup/iceberg-spark-pom.xml"
ICEBERG_SPARK_JAR="iceberg-spark-runtime-4.0_2.13-1.11.0.jar"
SPARK_KAFKA_JAR="spark-sql-kafka-0-10_2.13-4.0.4.jar"
# MinIO (the S3 server of the tests) from the Go module proxy. Its releases are not semver
# tags, so the pin is the module's pseudo-version (commit 7aac2a2c5b7c, 2026-02-12).
MINIO_MODULE="github.com/minio/minio"
MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git unzip curl ca-certificates
  librdkafka-dev kcat libsimdjson-dev libcli11-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev libsqlite3-dev libcurl4-openssl-dev libssl-dev
  openjdk-17-jre-headless maven python3-venv python3-pip nodejs npm zstd golang-go
  zlib1g-dev libzstd-dev
  libboost1.81-dev
  libedit-dev
  libzip-dev libhowardhinnant-date-dev
  clang-16 libclang-rt-16-dev
  help2man zsh
  time
  ccache
  libprotobuf-dev libprotoc-dev protobuf-compiler
  chromium
)

say() { printf '[setup] %s\n' "$*" >&2; }
fail() {
  local step="$1"; shift
  printf '[setup] FAILED in step "%s": %s\n' "$step" "$*" >&2
  printf '[setup] retry with: setup/setup.sh %s\n' "$step" >&2
  exit 1
}
stamp_ok() { [[ -f "$STAMPS/$1" && "$(cat "$STAMPS/$1")" == "$2" ]]; }
stamp_set() { mkdir -p "$STAMPS"; printf '%s' "$2" >"$STAMPS/$1"; }

missing_apt_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    # nodejs/npm may come from elsewhere (nvm, a tarball): a working binary is enough.
    case "$p" in
      nodejs) command -v node >/dev/null && continue ;;
      npm) command -v npm >/dev/null && continue ;;
      maven) command -v mvn >/dev/null && continue ;;
      golang-go) go_bin >/dev/null && continue ;;
      openjdk-17-jre-headless) java_ok && continue ;;
    esac
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  printf '%s\n' "${missing[@]}"
}

# Go from PATH, else the usual /usr/local/go install (often not on a non-login PATH).
go_bin() {
  if command -v go >/dev/null; then command -v go; return 0; fi
  [[ -x /usr/local/go/bin/go ]] && { echo /usr/local/go/bin/go; return 0; }
  return 1
}

java_ok() {
  command -v java >/dev/null || return 1
  local v
  v="$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)"
  [[ -n "$v" && "$v" -ge 17 ]]
}

step_apt() {
  local missing
  missing="$(missing_apt_packages)"
  if [[ -z "$missing" ]]; then say "apt: all packages present"; return 0; fi
  say "apt: installing $(echo $missing | tr '\n' ' ')"
  local sudo=""
  [[ "$(id -u)" -ne 0 ]] && sudo="sudo"
  # Another apt (a second setup, unattended upgrades) may hold dpkg's lock: wait for it.
  local lock=(-o DPkg::Lock::Timeout=600)
  $sudo apt-get "${lock[@]}" update -qq || fail apt "apt-get update failed (network or sources.list?)"
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get "${lock[@]}" install -y -qq --no-install-recommends $missing \
    >/dev/null || fail apt "apt-get install failed for: $missing"
}

sha512_b64() { openssl dgst -sha512 -binary "$1" | base64 -w0; }

# Fetches one npm tarball with `npm pack`, checks it against the pinned hash.
npm_fetch() {
  local pkg="$1" want="$2" dir="$3" tgz
  mkdir -p "$dir"
  tgz="$(cd "$dir" && npm pack --silent "$pkg" 2>/dev/null | tail -1)" \
    || fail duckdb "npm pack $pkg failed (is the npm registry reachable?)"
  [[ -f "$dir/$tgz" ]] || fail duckdb "npm pack $pkg produced no file"
  local got; got="$(sha512_b64 "$dir/$tgz")"
  if [[ "$got" != "$want" ]]; then
    rm -f "$dir/$tgz"
    fail duckdb "integrity mismatch for $pkg: expected sha512-$want, got sha512-$got"
  fi
  printf '%s' "$dir/$tgz"
}

step_duckdb() {
  local out="$DEPS/duckdb" pin="$DUCKDB_LIB_PKG+$DUCKDB_HDR_PKG"
  # An existing install wins: DUCKDB_HOME, then the system paths.
  local home="${DUCKDB_HOME:-}"
  if [[ -z "$home" && -f /usr/include/duckdb.h ]]; then
    for l in /usr/lib/libduckdb.so /usr/lib/x86_64-linux-gnu/libduckdb.so /usr/local/lib/libduckdb.so; do
      [[ -f "$l" ]] && { say "duckdb: using system $l"; return 0; }
    done
  fi
  if [[ -n "$home" ]]; then say "duckdb: using DUCKDB_HOME=$home"; return 0; fi
  if stamp_ok duckdb "$pin" && [[ -f "$out/lib/libduckdb.so" && -f "$out/include/duckdb.h" ]]; then
    say "duckdb: $pin present"; return 0
  fi
  say "duckdb: fetching $DUCKDB_LIB_PKG and $DUCKDB_HDR_PKG from npm"
  local tmp; tmp="$(mktemp -d)"
  local lib_tgz hdr_tgz
  lib_tgz="$(npm_fetch "$DUCKDB_LIB_PKG" "$DUCKDB_LIB_SHA512" "$tmp/lib")"
  hdr_tgz="$(npm_fetch "$DUCKDB_HDR_PKG" "$DUCKDB_HDR_SHA512" "$tmp/hdr")"
  mkdir -p "$out/lib" "$out/include"
  tar -xzf "$lib_tgz" -C "$tmp/lib" package/libduckdb.so || fail duckdb "libduckdb.so missing in $DUCKDB_LIB_PKG"
  tar -xzf "$hdr_tgz" -C "$tmp/hdr" package/src/duckdb/src/include/duckdb.h \
    || fail duckdb "duckdb.h missing in $DUCKDB_HDR_PKG"
  install -m 0755 "$tmp/lib/package/libduckdb.so" "$out/lib/libduckdb.so"
  install -m 0644 "$tmp/hdr/package/src/duckdb/src/include/duckdb.h" "$out/include/duckdb.h"
  rm -rf "$tmp"
  stamp_set duckdb "$pin"
  say "duckdb: installed into $out"
}

step_kafka() {
  if [[ -n "${KAFKA_HOME:-}" ]]; then
    [[ -d "$KAFKA_HOME/libs" ]] || fail kafka "KAFKA_HOME=$KAFKA_HOME has no libs/ folder"
    say "kafka: using KAFKA_HOME=$KAFKA_HOME"; return 0
  fi
  local out="$DEPS/kafka" pin
  pin="$KAFKA_VERSION+$(sha512_b64 "$ROOT/setup/kafka-pom.xml")"
  if stamp_ok kafka "$pin" && compgen -G "$out/libs/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null; then
    say "kafka: $KAFKA_VERSION present"; return 0
  fi
  command -v mvn >/dev/null || fail kafka "maven (mvn) not found; run setup/setup.sh apt first"
  say "kafka: resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION and its dependencies from Maven Central"
  rm -rf "$out/libs"; mkdir -p "$out/libs"
  mvn -q -B -f "$ROOT/setup/kafka-pom.xml" -Dmaven.repo.local="$DEPS/m2" \
    dependency:copy-dependencies -DoutputDirectory="$out/libs" -DincludeScope=runtime \
    || fail kafka "maven could not resolve the Kafka jars (is Maven Central reachable?)"
  compgen -G "$out/libs/kafka_2.13-$KAFKA_VERSION.jar" >/dev/null || fail kafka "kafka_2.13 jar missing after resolve"
  stamp_set kafka "$pin"
  say "kafka: installed $(ls "$out/libs" | wc -l) jars into $out/libs"
}

step_venv() {
  local out="$DEPS/venv" pin
  pin="$(sha512_b64 "$PY_REQUIREMENTS")"
  if stamp_ok venv "$pin" && [[ -x "$out/bin/python" ]]; then say "venv: present"; return 0; fi
  say "venv: creating $out with test checkers (pyarrow, duckdb, pytest)"
  python3 -m venv "$out" || fail venv "python3 -m venv failed (python3-venv installed?)"
  "$out/bin/pip" install -q --disable-pip-version-check -r "$PY_REQUIREMENTS" \
    || fail venv "pip install failed (is PyPI reachable?)"
  stamp_set venv "$pin"
}

spark_jars_present() {
  [[ -f "$DEPS/spark-jars/$ICEBERG_SPARK_JAR" && -f "$DEPS/spark-kafka-jars/$SPARK_KAFKA_JAR" ]] \
    && compgen -G "$DEPS/spark-jars/sqlite-jdbc-*.jar" >/dev/null
}

# Spark's jars for the Iceberg interop tests (.deps/spark-jars) and the Kafka benchmark
# (.deps/spark-kafka-jars), resolved with Maven like the broker's; pyspark itself is in the venv.
step_spark() {
  local pin
  pin="$ICEBERG_SPARK_JAR+$SPARK_KAFKA_JAR+$(sha512_b64 "$SPARK_POM")"
  if stamp_ok spark "$pin" && spark_jars_present; then say "spark: jars present"; return 0; fi
  command -v mvn >/dev/null || fail spark "maven (mvn) not found; run setup/setup.sh apt first"
  say "spark: resolving Iceberg's Spark runtime, sqlite-jdbc and Spark's Kafka source from Maven Central"
  rm -rf "$DEPS/spark-jars" "$DEPS/spark-kafka-jars"
  mvn -q -B -f "$SPARK_POM" -Dmaven.repo.local="$DEPS/m2" -Djars.dir="$DEPS" \
    dependency:copy-dependencies@iceberg dependency:copy-dependencies@kafka \
    || fail spark "maven could not resolve the Spark jars (is Maven Central reachable?)"
  spark_jars_present || fail spark "$ICEBERG_SPARK_JAR, sqlite-jdbc or $SPARK_KAFKA_JAR missing after resolve"
  stamp_set spark "$pin"
  say "spark: installed $(ls "$DEPS/spark-jars" "$DEPS/spark-kafka-jars" | grep -c '\.jar$') jars into $DEPS/spark-jars and $DEPS/spark-kafka-jars"
}

step_minio() {
  if [[ -n "${MINIO_BIN:-}" ]]; then
    [[ -x "$MINIO_BIN" ]] || fail minio "MINIO_BIN=$MINIO_BIN is not an executable"
    say "minio: using MINIO_BIN=$MINIO_BIN"; return 0
  fi
  local out="$DEPS/minio"
  if stamp_ok minio "$MINIO_VERSION" && [[ -x "$out/bin/minio" ]]; then say "minio: present"; return 0; fi
  local go; go="$(go_bin)" || fail minio "go not found; run setup/setup.sh apt first"
  say "minio: building $MINIO_MODULE@$MINIO_VERSION with go install (about 2-4 minutes)"
  mkdir -p "$out/bin"
  GOBIN="$out/bin" GOFLAGS=-buildvcs=false GOPATH="${GOPATH:-$HOME/go}" "$go" install "$MINIO_MODULE@$MINIO_VERSION" \
    || fail minio "go install $MINIO_MODULE@$MINIO_VERSION failed (is the Go module proxy reachable?)"
  stamp_set minio "$MINIO_VERSION"
  say "minio: installed $out/bin/minio"
}

# The web console's charting library (web/package.json, pinned in its package-lock.json with
# the registry's integrity hashes) into the git-ignored web/node_modules; the build embeds it.
step_web() {
  local pin
  pin="$(sha512_b64 "$ROOT/web/package-lock.json")"
  if stamp_ok web "$pin" && [[ -f "$ROOT/web/node_modules/lightweight-charts/package.json" ]]; then
    say "web: present"; return 0
  fi
  say "web: installing the console's chart library from npm (web/package-lock.json)"
  (cd "$ROOT/web" && npm ci --ignore-scripts --no-audit --no-fund --silent) \
    || fail web "npm ci in web/ failed (is the npm registry reachable?)"
  stamp_set web "$pin"
}

ALL_STEPS=(apt duckdb kafka venv minio web) # spark: not here, the tests' own step

check_all() {
  [[ -z "$(missing_apt_packages)" ]] || return 1
  [[ -n "${DUCKDB_HOME:-}" || -f /usr/include/duckdb.h ]] \
    || { stamp_ok duckdb "$DUCKDB_LIB_PKG+$DUCKDB_HDR_PKG" && [[ -f "$DEPS/duckdb/lib/libduckdb.so" ]]; } || return 1
  [[ -n "${KAFKA_HOME:-}" ]] || stamp_ok kafka "$KAFKA_VERSION+$(sha512_b64 "$ROOT/setup/kafka-pom.xml")" || return 1
  stamp_ok venv "$(sha512_b64 "$PY_REQUIREMENTS")" && [[ -x "$DEPS/venv/bin/python" ]] || return 1
  [[ -n "${MINIO_BIN:-}" ]] || { stamp_ok minio "$MINIO_VERSION" && [[ -x "$DEPS/minio/bin/minio" ]]; } || return 1
  stamp_ok web "$(sha512_b64 "$ROOT/web/package-lock.json")" && [[ -d "$ROOT/web/node_modules/lightweight-charts" ]] || return 1
}

main() {
  if [[ "${1:-}" == "--check" ]]; then check_all; exit $?; fi
  local steps=("$@")
  [[ ${#steps[@]} -eq 0 ]] && steps=("${ALL_STEPS[@]}")
  for s in "${steps[@]}"; do
    case "$s" in
      apt|duckdb|kafka|venv|spark|minio|web) "step_$s" ;;
      *) echo "unknown step '$s' (steps: ${ALL_STEPS[*]} spark)" >&2; exit 2 ;;
    esac
  done
  say "done"
}
main "$@"
