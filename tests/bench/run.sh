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

# Import: sfsim seeded with an org of N rows, then `crmsync import --full` into SQLite.
import_section() {
  local rows=$1 work port out
  work=$(mktemp -d)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  local gen_start gen_end
  gen_start=$(date +%s)
  target/release/sfsim --listen "127.0.0.1:$port" --data "$work/sim" --seed-org "$rows" > "$work/sim.out" 2> "$work/sim.err" &
  local sim=$!
  for _ in $(seq 1 900); do grep -q '^CRMSYNC_SALESFORCE_CLIENT_SECRET=' "$work/sim.out" 2>/dev/null && break; sleep 1; done
  gen_end=$(date +%s)
  # Flush the seeding's writes first: the import should not pay for the simulator's disk.
  sync; sleep 5
  out=$( (set -a; eval "$(grep '^CRMSYNC_' "$work/sim.out")"; set +a
         CRMSYNC_DATA_DIR="$work/relay" /usr/bin/time -v target/release/crmsync import --full) 2>&1 )
  kill "$sim" 2>/dev/null; wait "$sim" 2>/dev/null || true
  local total wall mem calls
  total=$(echo "$out" | awk '$1 ~ /^(UserRole|User|Account|Contact|Lead|Opportunity|OpportunityContactRole)$/ { n += $5 } END { print n + 0 }')
  wall=$(echo "$out" | awk -F': ' '/Elapsed \(wall clock\)/ { split($2, t, ":"); print (length(t) == 3 ? t[1]*3600 + t[2]*60 + t[3] : t[1]*60 + t[2]) }')
  mem=$(echo "$out" | awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }')
  calls=$(echo "$out" | awk '$1 ~ /^(UserRole|User|Account|Contact|Lead|Opportunity|OpportunityContactRole)$/ { n += $7 } END { print n + 0 }')
  rm -rf "$work"
  awk -v r="$rows" -v t="$total" -v w="$wall" -v m="$mem" -v c="$calls" -v g="$((gen_end - gen_start))" 'BEGIN {
    printf "| %d | %d | %.1f s | %.0f | %s MiB | %d | %d s |\n", r, t, w, (w > 0 ? t / w : 0), m, c, g }'
}

import_rows=1000000
$quick && import_rows=100000
import_table="| org size (--seed-org) | rows imported | wall time | rows/s | relay peak memory | API calls | sfsim seeding |
|---|---|---|---|---|---|---|
$(import_section "$import_rows")"

# The badge index in Chromium (tests/bench/browser_index.mjs): generated CRM people of
# 100k and 1M records built into indexes natively, then loaded and looked up in wasm.
browser_section() {
  local work rows label
  work=$(mktemp -d)
  rows=""
  for n in 100000 1000000; do
    if $quick && [ "$n" = 1000000 ]; then continue; fi
    python3 tests/bench/gen_people.py "$n" 7 "$work/p$n" >&2
    target/release/crmsync index build --crm "$work/p$n/crm.csv" --out "$work/p$n/index.bin" >&2
    label=$([ "$n" = 1000000 ] && echo 1M || echo "$((n / 1000))k")
    rows="$rows $label=$work/p$n/index.bin:$work/p$n/network.csv"
  done
  # shellcheck disable=SC2086
  node tests/bench/browser_index.mjs dist $rows
  rm -rf "$work"
}
browser_out=$(browser_section)
browser_table="| index | encoded | on the wire (gzip) | download | load into wasm | wasm memory after | look-ups | p50 | p99 | max |
|---|---|---|---|---|---|---|---|---|---|
$(echo "$browser_out" | grep -v '^WIDGET')"
widget_row=$(echo "$browser_out" | awk -F' [|] ' '/^WIDGET/ { print "| " $2 " | " $3 " | " $4 }')

# A profile page's CPU with nothing happening: this build against the polling one it replaced.
page_cpu_table="| extension | renderer main-thread tasks in 20 s | of which script |
|---|---|---|
$(node tests/bench/page_cpu.mjs dist 4ef3524)"

writeback_table="| what | value |
|---|---|
$(tests/bench/writeback.sh 10000)"

visibility_out=$(tests/bench/visibility.sh 200000)
visibility_table="| index for | rep's role | depth | roles below | records in the index | build (relay log) | first request | cached request | gzip body |
|---|---|---|---|---|---|---|---|---|
$(echo "$visibility_out" | grep '^|')"
visibility_org=$(echo "$visibility_out" | awk '/^ORG / { sub(/^ORG /, ""); print }')

org_rows=1400000 org_profiles=200000
if $quick; then org_rows=200000 org_profiles=40000; fi
org_out=$(tests/bench/org_matching.sh "$org_rows" "$org_profiles")
org_table="| step | records re-scored | outcomes written | linked after | reading | scoring | whole pass | request (wall) |
|---|---|---|---|---|---|---|---|
$(echo "$org_out" | grep '^|')"
org_org=$(echo "$org_out" | awk '/^ORG / { sub(/^ORG /, ""); print }')

section=$(clean_test_section)

cat > BENCHMARKS.md <<MD
# crmsync benchmarks

Rewritten by \`./build.sh bench\` (\`./build.sh bench --quick\` keeps the last clean-test
figure). Machine: $machine. Security testing (schemathesis requests, fuzz cases, what they
found): [SECURITY.md](SECURITY.md).

## Wasm module (\`dist/www/pkg\`, profile \`wasm-release\` + \`wasm-opt -Oz\`)

| file | raw | gzip -9 |
|---|---|---|
| \`crmsync_bg.wasm\` | $raw B ($(kib "$raw")) | $gz B ($(kib "$gz")) |
| \`crmsync.js\` (wasm-bindgen glue) | $glue_raw B ($(kib "$glue_raw")) | $glue_gz B ($(kib "$glue_gz")) |

Measured $today at $commit$dirty. The module holds the core, the Yew widget and the admin console.

$matching_section

## Import: Bulk API 2.0 into SQLite (\`crmsync import --full\` against sfsim)

sfsim seeded with \`--seed-org N\` (roles, users, accounts, contacts, leads, opportunities, contact
roles), then a full import of the seven objects into a new SQLite file, timed as a whole process
(describe, Bulk jobs, CSV pages of 50,000 rows, multi-row upserts; sfsim shares the machine).
Targets for the 1M org: ≥ 50,000 rows/s and < 500 MiB.

$import_table

Measured $today at $commit$dirty with \`./build.sh bench\`$($quick && echo ' --quick (1M run skipped)').

## Badge index in Chromium (\`tests/bench/browser_index.mjs\`)

Generated CRM people (\`gen_people.py N 7\`) built into the browser's index (\`crmsync index
build\`; e-mails and phones as keyed hashes, column layout with dictionaries), served
gzip-encoded (level 6, as the relay sends it) to headless Debian Chromium, decoded into the
wasm core with \`loadIndex\`, then the first 20,000 network profiles asked one by one with
\`pageAnswer\` (the content script's question: URL, name, headline, location), each timed
alone (\`performance.now()\`, 100 µs resolution). Targets: 1M index ≤ 40 MB gzip, look-up
p99 < 2 ms, wasm module ≤ 600 KB gzip, widget first render < 200 ms.

$browser_table

Widget first render (\`widget.html\` in an iframe, until the record is shown; median of 5):

| from creating the iframe | after its load event | range |
|---|---|---|
$widget_row

Measured $today at $commit$dirty.

## A profile page at rest (\`tests/bench/page_cpu.mjs\`)

A network profile page (fixture) in headless Chromium with the extension loaded, signed
out, left alone for 20 s after its badge is drawn: the page renderer's main-thread task and
script time over those 20 s (CDP \`Performance.getMetrics\`, where content scripts run),
median of 3 launches. The comparison is the extension as it was at 4ef3524 (content
scripts polling the page every 250 ms and 400 ms) on this build's wasm module.

$page_cpu_table

Measured $today at $commit$dirty.

## Activity write-back (\`tests/bench/writeback.sh\`, sfsim and the relay on this machine)

10,000 activities (nine in ten Tasks of the four kinds, one in ten Notes, on 100 contacts)
logged through \`POST /api/v1/activities\` by one rep, then written by one \`crmsync flush\`
(Collections upserts on the external id for Tasks, Collections creates for Notes, 200 per
call). API calls are counted by sfsim (\`/limits\`). Then one more activity is logged and
the relay's own schedule (\`CRMSYNC_FLUSH_INTERVAL_SECONDS=120\`) writes it: the time from
that click to Salesforce is the rest of the current interval plus the flush, so at most
about 2 minutes; the relay's age at the click says where in its interval the click fell.

$writeback_table

Measured $today at $commit$dirty.

## Badge visibility: the index per visibility group (\`tests/bench/visibility.sh\`)

An org of $visibility_org (sfsim \`--seed-org 200000\`), imported by a relay on SQLite. Under
\`everyone\` every rep gets the one index of the whole org; under \`role_hierarchy\` each rep's
index holds only records owned by the rep or by users in roles below theirs, built on the
rep's first request (from the store, a page at a time) and then served from the relay's
cache until the next import or decision. One rep per depth of the hierarchy, from the role
with most roles below to one with none. "Build" is the relay's own log line for the build;
"first request" includes it (the \`everyone\` index is built right after the import, so its
first request mostly waits for that build).

$visibility_table

Measured $today at $commit$dirty.

## Org-wide matching in the relay (\`tests/bench/org_matching.sh $org_rows $org_profiles\`)

An org of $org_org. sfsim \`--seed-org $org_rows\` imported by a relay on SQLite; then a
directory of $org_profiles profiles uploaded as Connections.csv (two thirds the org's own
people, a fifth of those at another company, one third strangers), one profile seen on a
page, a 1,000-row Connections.csv, an incremental import after 1,000 contacts changed, and a
full re-match. "Reading" is loading what the pass needs (the whole org after an import; only
the changed profiles otherwise), "scoring" the core's pass; the whole pass adds the model,
writing the changed outcomes and the run's record. Each pass's own log line
(\`matching pass finished\`) gives these.

$org_table

Measured $today at $commit$dirty.

$section
MD
echo "BENCHMARKS.md rewritten" >&2
