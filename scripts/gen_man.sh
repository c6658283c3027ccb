#!/usr/bin/env bash
# Writes one man page per command (ticklake.1, ticklake-sink.1, ticklake-catalog-tables.1, ...)
# from the binary's own --help with help2man, so the pages cannot drift from the flags.
#   scripts/gen_man.sh BINARY OUTDIR      (cmake --install runs it: cmake/TicklakePackaging.cmake)
set -euo pipefail
BIN="$(realpath "$1")"
OUT="$2"
command -v help2man >/dev/null || { echo "gen_man.sh: help2man is missing: run setup/setup.sh apt" >&2; exit 1; }
VERSION="$("$BIN" --version | awk '{print $NF}')"
mkdir -p "$OUT"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

subcommands() {
  # shellcheck disable=SC2086
  "$BIN" $1 --help | awk '/^Subcommands:/ {on = 1; next} on && /^[^ ]/ {on = 0} on && /^  [a-z]/ {print $1}'
}

page() {
  local cmd="$1" name="ticklake${1:+-${1// /-}}"
  # help2man runs a program by name: a wrapper that answers for this command, with the usage
  # line naming `ticklake <cmd>` rather than the build path.
  cat >"$WORK/$name" <<WRAP
#!/usr/bin/env bash
"$BIN" $cmd "\$@" | sed 's#^Usage: [^ ]*ticklake#Usage: ticklake#'
WRAP
  chmod +x "$WORK/$name"
  local summary
  # shellcheck disable=SC2086
  summary="$("$BIN" $cmd --help | awk 'NR == 1')"
  summary="${summary#ticklake: }"
  help2man --no-info --no-discard-stderr --version-string="$VERSION" --section=1 --source="ticklake $VERSION" \
    --manual="ticklake manual" --name="${summary%.}" --output="$OUT/$name.1" "$WORK/$name"
  local sub
  for sub in $(subcommands "$cmd"); do
    page "${cmd:+$cmd }$sub"
  done
}

page ""
