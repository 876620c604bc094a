#!/usr/bin/env bash
# Write-back benchmark (called by run.sh; prints a Markdown section): N activities logged
# through the API and written by one `crmsync flush` against sfsim (API calls used, time,
# activities/s), then the time from a click to Salesforce with the relay's own schedule
# at a fixed 2-minute interval. Usage: writeback.sh [N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
n=${1:-10000}
work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
sim_port=$(free_port)
relay_port=$(free_port)
target/release/sfsim --listen "127.0.0.1:$sim_port" --data "$work/sim" --seed-org 2000 > "$work/sim.out" 2> "$work/sim.err" &
sim=$!
relay=
cleanup() { kill $sim $relay 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
for _ in $(seq 1 100); do grep -q '^CRMSYNC_SALESFORCE_CLIENT_SECRET=' "$work/sim.out" 2>/dev/null && break; sleep 0.2; done
set -a; eval "$(grep '^CRMSYNC_' "$work/sim.out")"; set +a
export CRMSYNC_DATA_DIR="$work/relay" CRMSYNC_FLUSH_INTERVAL_SECONDS=120 CRMSYNC_LOG=warn
unset DATABASE_URL CRMSYNC_SECRET_KEY CRMSYNC_CONFIG
crmsync() { target/release/crmsync "$@"; }
relay_url="http://127.0.0.1:$relay_port"
# The binary itself in the background (not the function), so that `kill $relay` stops it.
target/release/crmsync serve --listen "127.0.0.1:$relay_port" > "$work/relay.out" 2> "$work/relay.err" &
relay=$!
for _ in $(seq 1 300); do
  curl -sf "$relay_url/api/v1/status" | python3 -c 'import json,sys; s=json.load(sys.stdin); sys.exit(0 if len(s.get("objects", {})) == 7 else 1)' 2>/dev/null && break
  sleep 0.2
done
rep=$(grep '^# user ' "$work/sim.out" | sed -n 3p | awk '{print $4}')
crmsync seats add --user "$rep" > /dev/null
crmsync writeback enable --user "$rep" > /dev/null
token=$(crmsync token --user "$rep" 2> /dev/null)
sim_token=$(curl -sf -d grant_type=client_credentials -d "client_id=$CRMSYNC_SALESFORCE_CLIENT_ID" -d "client_secret=$CRMSYNC_SALESFORCE_CLIENT_SECRET" "$CRMSYNC_SALESFORCE_LOGIN_URL/services/oauth2/token" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
used() { curl -sf -H "Authorization: Bearer $sim_token" "$CRMSYNC_SALESFORCE_LOGIN_URL/services/data/v66.0/limits" | python3 -c 'import json,sys; d=json.load(sys.stdin)["DailyApiRequests"]; print(d["Max"] - d["Remaining"])'; }
before_setup=$(used)
crmsync setup > /dev/null
setup_calls=$(( $(used) - before_setup - 1 ))
curl -sf -X PUT -H "Authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"kinds": ["inmail", "message", "call", "note", "document_view"]}' "$relay_url/api/v1/me/writeback" > /dev/null
targets=$(curl -sf "$CRMSYNC_SALESFORCE_LOGIN_URL/__sim/records/Contact" | python3 -c 'import json,sys; print(" ".join(r["Id"] for r in json.load(sys.stdin)[:100]))')
# N activities: nine in ten are Tasks of the four kinds, one in ten a Note.
python3 - "$n" "$work/batches" $targets <<'PY'
import json, os, sys, uuid
n, out, targets = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
os.makedirs(out)
kinds = ["inmail", "message", "call", "document_view", "inmail", "message", "call", "document_view", "message", "note"]
batch = []
for i in range(n):
    batch.append({"id": str(uuid.uuid4()), "kind": kinds[i % 10], "subject": f"activity {i}", "body": f"body {i}",
                  "occurred_at": "2026-11-25T14:03:00Z", "profile_id": f"p{i}", "target": targets[i % len(targets)]})
    if len(batch) == 1000 or i == n - 1:
        json.dump(batch, open(f"{out}/{i:08d}.json", "w"))
        batch = []
PY
post_start=$(date +%s.%N)
for f in "$work"/batches/*.json; do
  curl -sf -o /dev/null -H "Authorization: Bearer $token" -H 'content-type: application/json' --data-binary @"$f" "$relay_url/api/v1/activities"
done
post_end=$(date +%s.%N)
before_flush=$(used)
flush_out=$( { /usr/bin/time -f '%e %M' target/release/crmsync flush; } 2>&1 )
flush_calls=$(( $(used) - before_flush - 1 ))
flush_secs=$(echo "$flush_out" | tail -n1 | awk '{print $1}')
flush_mem=$(echo "$flush_out" | tail -n1 | awk '{printf "%.0f", $2 / 1024}')
written=$(echo "$flush_out" | sed -n 's/^written \([0-9]*\),.*/\1/p')
# One click, then the relay's own schedule (every 120 s) writes it.
one=$(python3 -c 'import uuid; print(uuid.uuid4())')
target=$(echo $targets | awk '{print $1}')
click=$(date +%s.%N)
curl -sf -o /dev/null -H "Authorization: Bearer $token" -H 'content-type: application/json' \
  -d "{\"id\": \"$one\", \"kind\": \"call\", \"subject\": \"click\", \"occurred_at\": \"2026-11-25T14:03:00Z\", \"profile_id\": \"p\", \"target\": \"$target\"}" \
  "$relay_url/api/v1/activities"
landed=
for _ in $(seq 1 1300); do
  state=$(curl -sf -H "Authorization: Bearer $token" "$relay_url/api/v1/activities/$one" | python3 -c 'import json,sys; print(json.load(sys.stdin)["state"])')
  if [ "$state" = written ]; then landed=$(date +%s.%N); break; fi
  sleep 0.25
done
relay_age=$(awk -v c="$click" -v s="$(stat -c %Y "$work/relay.out")" 'BEGIN { printf "%.0f", c - s }')
awk -v n="$n" -v w="${written:-0}" -v calls="$flush_calls" -v setup="$setup_calls" -v secs="$flush_secs" -v mem="$flush_mem" \
    -v ps="$post_start" -v pe="$post_end" -v click="$click" -v landed="${landed:-0}" -v age="$relay_age" 'BEGIN {
  printf "| activities logged (API, 1,000 per request) | %d in %.1f s (%.0f/s) |\n", n, pe - ps, n / (pe - ps)
  printf "| written by one `crmsync flush` | %d |\n", w
  printf "| Salesforce API calls of that flush | %d (target ceil(n/200) = %d) |\n", calls, int((n + 199) / 200)
  printf "| API calls of `crmsync setup` (field + 2 record types, on a fresh org) | %d |\n", setup
  printf "| flush wall time | %.1f s (%.0f activities/s), peak memory %s MiB |\n", secs, (secs > 0 ? w / secs : 0), mem
  if (landed > 0) printf "| one click to Salesforce, schedule every 120 s | %.1f s (relay %d s old at the click) |\n", landed - click, age
  else printf "| one click to Salesforce, schedule every 120 s | not written within 325 s |\n"
}'
