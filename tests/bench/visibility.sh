#!/usr/bin/env bash
# Badge visibility benchmark (called by run.sh; prints Markdown table rows): an org of N
# rows (sfsim `--seed-org N`: about 50 roles at 200k) imported by a relay, then the
# index build per visibility group — the whole org under `everyone`, and under
# `role_hierarchy` one rep per role depth (from the top role to a role with none below),
# each rep's first `GET /api/v1/index` (which builds their group's index) and a second one
# (served from the cache). The relay's own log line of each build gives its records and
# seconds. Usage: visibility.sh [N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
n=${1:-200000}
source tests/bench/org_stack.sh
start_org_stack "$n"
for _ in $(seq 1 1200); do
  curl -sf "$relay_url/api/v1/status" > /dev/null 2>&1 && target/release/crmsync status --json 2>/dev/null \
    | python3 -c 'import json,sys; s=json.load(sys.stdin); sys.exit(0 if len(s.get("objects", {})) == 7 and all(o.get("last_sync") for o in s["objects"].values()) else 1)' && break
  sleep 0.5
done
# Reps at each depth of the hierarchy: the users of the role with the largest subtree,
# of a middle role, and of a role with nothing below (as `crmsync roles --json` counts).
target/release/crmsync roles --json > "$work/roles.json"
target/release/crmsync seats list --json > "$work/users.json"
picks=$(python3 - "$work/roles.json" "$work/users.json" <<'PY'
import json, sys
roles, users = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
flat = []
def walk(nodes, depth):
    for n in nodes:
        flat.append((n, depth))
        walk(n["children"], depth + 1)
walk(roles, 0)
def below(n):
    return sum(1 + below(c) for c in n["children"])
by_depth = {}
for n, d in flat:
    by_depth.setdefault(d, []).append(n)
chosen = []
for d in sorted(by_depth):
    n = max(by_depth[d], key=lambda n: (below(n), n["users"]))
    user = next((u for u in users if u["role_id"] == n["id"] and u["is_active"]), None)
    if user:
        chosen.append((user["username"], n["name"], d, below(n)))
leaf = next(((n, d) for n, d in flat if not n["children"] and n["users"]), None)
if leaf and all(c[1] != leaf[0]["name"] for c in chosen):
    user = next((u for u in users if u["role_id"] == leaf[0]["id"] and u["is_active"]), None)
    if user:
        chosen.append((user["username"], leaf[0]["name"], leaf[1], 0))
for c in chosen:
    print("\t".join(map(str, c)))
PY
)
roles_total=$(python3 -c 'import json,sys
def c(n): return sum(1 + c(x["children"]) for x in n)
print(c(json.load(open(sys.argv[1]))))' "$work/roles.json")
users_total=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))))' "$work/users.json")
get_index() { curl -s -o /dev/null -w '%{time_total} %{size_download}' --compressed -H "Authorization: Bearer $1" "$relay_url/api/v1/index"; }
last_build() { grep '"badge index built"' "$work/relay.err" | tail -n1 | python3 -c 'import json,sys; f=json.loads(sys.stdin.read())["fields"]; print(f["people"] + f["companies"], "%.2f" % f["seconds"])'; }
row() { # label role depth below token
  local first second records build
  first=$(get_index "$5")
  read -r records build < <(last_build)
  second=$(get_index "$5")
  awk -v l="$1" -v r="$2" -v d="$3" -v b="$4" -v n="$records" -v s="$build" -v f="$first" -v c="$second" 'BEGIN {
    split(f, a, " "); split(c, k, " ");
    printf "| %s | %s | %s | %s | %d | %s s | %.2f s | %.3f s | %.1f MB |\n", l, r, d, b, n, s, a[1], k[1], a[2] / 1e6 }'
}
first_rep=$(echo "$picks" | head -n1 | cut -f1)
target/release/crmsync seats add --user "$first_rep" > /dev/null
token=$(target/release/crmsync token --user "$first_rep" 2> /dev/null)
row "everyone (the whole org)" "—" "—" "—" "$token"
target/release/crmsync settings set badge_visibility role_hierarchy > /dev/null
while IFS=$'\t' read -r username role depth below; do
  target/release/crmsync seats add --user "$username" > /dev/null
  token=$(target/release/crmsync token --user "$username" 2> /dev/null)
  row "role_hierarchy: $username" "$role" "$depth" "$below" "$token"
done <<< "$picks"
echo "ORG $n rows, $roles_total roles, $users_total active users"
