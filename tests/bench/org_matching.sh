#!/usr/bin/env bash
# Org-wide matching in the relay (called by run.sh; prints Markdown table rows): an org of
# N rows (sfsim `--seed-org N`) imported by a relay on SQLite, then a directory of P
# profiles uploaded as Connections.csv (two thirds the org's own people — a fifth of them
# at another company — and one third strangers), one profile seen on a page, a 1,000-row
# Connections.csv, an incremental import after 1,000 contacts changed, and a full
# re-match. Each pass's own log line ("matching pass finished") gives its seconds and how
# many records it re-scored; the request's wall time is measured around it.
# Usage: org_matching.sh [N] [P]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
n=${1:-200000}
p=${2:-40000}
source tests/bench/org_stack.sh
start_org_stack "$n"
for _ in $(seq 1 3600); do
  grep -q '"matching pass finished"' "$work/relay.err" 2>/dev/null && break
  sleep 0.5
done
rep=$(target/release/crmsync seats list --json | python3 -c 'import json,sys; print(next(u["username"] for u in json.load(sys.stdin) if u["is_active"] and not u["username"].startswith(("admin@", "integration@"))))')
target/release/crmsync seats add --user "$rep" > /dev/null
token=$(target/release/crmsync token --user "$rep" 2> /dev/null)
# The directory: P Connections.csv rows, in chunks the upload limit allows.
curl -s "$sim_url/__sim/records/Contact" > "$work/contacts.json"
curl -s "$sim_url/__sim/records/Account" > "$work/accounts.json"
python3 - "$work" "$p" <<'PY'
import csv, json, random, sys
work, p = sys.argv[1], int(sys.argv[2])
rng = random.Random(17)
accounts = {a["Id"]: a.get("Name") or "" for a in json.load(open(f"{work}/accounts.json"))}
contacts = [c for c in json.load(open(f"{work}/contacts.json")) if c.get("LastName")]
rng.shuffle(contacts)
companies = [n for n in accounts.values() if n]
rows = []
for i in range(p):
    if i % 3 < 2 and contacts:
        c = contacts.pop()
        company = accounts.get(c.get("AccountId") or "", "")
        if rng.random() < 0.2:
            company = rng.choice(companies)
        rows.append([c.get("FirstName") or "", c["LastName"], f"https://www.linkedin.com/in/bench-{i}", "", company, "Buyer", "01 Jan 2026"])
    else:
        rows.append([f"Stranger{i}", f"Nobody{i % 997}", f"https://www.linkedin.com/in/bench-{i}", "", rng.choice(companies), "Owner", "01 Jan 2026"])
def write(name, part):
    with open(f"{work}/{name}", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"])
        w.writerows(part)
chunk = 100_000
for k in range(0, len(rows), chunk):
    write(f"directory-{k // chunk}.csv", rows[k:k + chunk])
extra = [[f"Late{i}", f"Comer{i}", f"https://www.linkedin.com/in/late-{i}", "", rng.choice(companies), "Buyer", "01 Jan 2026"] for i in range(1000)]
for i in range(0, 1000, 3):
    if contacts:
        c = contacts.pop()
        extra[i] = [c.get("FirstName") or "", c["LastName"], f"https://www.linkedin.com/in/late-{i}", "", accounts.get(c.get("AccountId") or "", ""), "Buyer", "01 Jan 2026"]
write("late-1000.csv", extra)
PY
last_pass() { # the newest pass line in the relay's log or a command's
  grep -h '"matching pass finished"' "$@" | tail -n1 | python3 -c 'import json,sys; f=json.loads(sys.stdin.read())["fields"]; print(f["rescored"], f["written"], f["matched"], "%.2f" % f["load_seconds"], "%.2f" % f["score_seconds"], "%.2f" % f["seconds"])'
}
# Runs a command, printing only its wall time in seconds.
timed() { local t0=$EPOCHREALTIME; "$@" > /dev/null; awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }
row() { # label wall-seconds log-file
  local rescored written matched load score seconds
  read -r rescored written matched load score seconds < <(last_pass "$3")
  echo "| $1 | $rescored | $written | $matched | $load s | $score s | $seconds s | $2 s |"
}
row "after the first import (no directory yet)" "—" "$work/relay.err"
for f in "$work"/directory-*.csv; do
  wall=$(timed curl -s -H "Authorization: Bearer $token" --data-binary "@$f" "$relay_url/api/v1/directory/connections")
  row "Connections.csv of $(($(wc -l < "$f") - 1)) profiles ($(basename "$f"))" "$wall" "$work/relay.err"
done
wall=$(timed curl -s -H "Authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"profiles": [{"url": "https://www.linkedin.com/in/one-page-view/", "name": "Page Viewed", "headline": "CTO at Acme"}]}' \
  "$relay_url/api/v1/directory/profiles")
row "one profile seen on a page" "$wall" "$work/relay.err"
wall=$(timed curl -s -H "Authorization: Bearer $token" --data-binary "@$work/late-1000.csv" "$relay_url/api/v1/directory/connections")
row "Connections.csv of 1,000 profiles" "$wall" "$work/relay.err"
curl -s -H 'content-type: application/json' -d '{"object": "Contact", "changed": 1000, "added": 0, "deleted": 0}' "$sim_url/__sim/mutate" > /dev/null
wall=$(timed sh -c "target/release/crmsync import 2> '$work/cli-import.err'")
row "incremental import, 1,000 contacts changed (crmsync import)" "$wall" "$work/cli-import.err"
wall=$(timed sh -c "target/release/crmsync match-report --rematch 2> '$work/cli-rematch.err'")
row "full re-match (crmsync match-report --rematch)" "$wall" "$work/cli-rematch.err"
people=$(target/release/crmsync match-report --json | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["objects"]["Lead"]["records"] + r["objects"]["Contact"]["records"], r["directory"]["people"])')
rss=$(ps -o rss= -p $relay | tr -d ' ')
echo "ORG $n rows ($people CRM people and directory people), relay RSS $((rss / 1024)) MB at the end"
