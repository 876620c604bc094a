#!/usr/bin/env bash
# `./build.sh bench`: measures and rewrites BENCHMARKS.md.
#   --quick   skip the clean `./build.sh test` timing (keeps the last recorded figure)
#             and the 1M × 1M matching run
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
quick=false
[ "${1:-}" = "--quick" ] && quick=true

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
dirty=$([ -n "$(git status --porcelain 2>/dev/null)" ] && echo " (with uncommitted changes)" || true)
today=$(date -u +%Y-%m-%d)
machine="$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(rustc --version)"

./build.sh build >&2

wasm=dist/www/pkg/crmsync_bg.wasm
glue=dist/www/pkg/crmsync.js
raw=$(stat -c %s "$wasm")
gz=$(gzip -9c "$wasm" | wc -c)
glue_raw=$(stat -c %s "$glue")
glue_gz=$(gzip -9c "$glue" | wc -c)
kib() { awk -v b="$1" 'BEGIN { printf "%.1f KiB", b / 1024 }'; }

clean_test_section() {
  if $quick && [ -f BENCHMARKS.md ]; then
    awk '/^## Clean `.\/build.sh test`/ { on = 1 } /^## / && !/Clean/ { on = 0 } on' BENCHMARKS.md
    return
  fi
  local dir start end status
  dir=$(mktemp -d)
  git clone -q . "$dir"
  start=$(date +%s)
  if (cd "$dir" && ./build.sh test > "$dir.log" 2>&1); then status=passed; else status=FAILED; fi
  end=$(date +%s)
  local summary
  summary=$(grep '^summary:' "$dir.log" | tail -n1 || echo "summary: none")
  rm -rf "$dir" "$dir.log"
  cat <<MD
## Clean \`./build.sh test\`

| what | value |
|---|---|
| wall time | $((end - start)) s ($(( (end - start) / 60 )) min $(( (end - start) % 60 )) s) |
| result | $status — $summary |
| measured | $today at $commit$dirty |

Measured in a fresh \`git clone\` (new \`target/\`, so every crate compiles from scratch for
the host and for wasm32). Already present on the machine, so not in the figure: the
crates.io download cache, \`wasm-bindgen-cli\`, Debian Chromium and the npm cache. Installing
\`wasm-bindgen-cli\` from source adds about 3 minutes on a first run; Chromium about 40 s.
CI's limit is 90 minutes.

MD
}

# Matching benchmarks need splink 5 (for comparison) in a private virtualenv.
venv=target/bench-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import splink, pandas' 2>/dev/null; then
  echo "installing splink 5 and pandas into $venv (PyPI)" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q splink==5.0.0 pandas >&2
fi
matching_work=$(mktemp -d)
matching_section=$("$venv/bin/python" tests/bench/matching.py "$PWD/target/release/crmsync" "$matching_work" "${CRMSYNC_SHARED_DATA:-../shared/data}" $($quick && echo --skip-1m))
rm -rf "$matching_work"

section=$(clean_test_section)

cat > BENCHMARKS.md <<MD
# crmsync benchmarks

Rewritten by \`./build.sh bench\` (\`./build.sh bench --quick\` keeps the last clean-test
figure). Machine: $machine.

## Wasm module (\`dist/www/pkg\`, profile \`wasm-release\` + \`wasm-opt -Oz\`)

| file | raw | gzip -9 |
|---|---|---|
| \`crmsync_bg.wasm\` | $raw B ($(kib "$raw")) | $gz B ($(kib "$gz")) |
| \`crmsync.js\` (wasm-bindgen glue) | $glue_raw B ($(kib "$glue_raw")) | $glue_gz B ($(kib "$glue_gz")) |

Measured $today at $commit$dirty. The module holds the core, the Yew widget and the admin console.

$matching_section

Measured $today at $commit$dirty with \`./build.sh bench\`$($quick && echo ' --quick (1M run skipped)').

$section
MD
echo "BENCHMARKS.md rewritten" >&2
