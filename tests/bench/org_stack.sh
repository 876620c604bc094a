# Sourced by the org benchmarks: starts sfsim with an org of $1 rows (`--seed-org`) and a
# relay on SQLite against it (release builds), both stopped and their folder removed on
# exit. Sets work, sim_url, relay_url, sim and relay (pids); the relay's log is
# "$work/relay.err" (JSON lines).
start_org_stack() {
  local rows=$1 sim_port relay_port
  work=$(mktemp -d)
  free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
  sim_port=$(free_port)
  relay_port=$(free_port)
  target/release/sfsim --listen "127.0.0.1:$sim_port" --data "$work/sim" --seed-org "$rows" > "$work/sim.out" 2> "$work/sim.err" &
  sim=$!
  relay=
  trap 'kill $sim $relay 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
  for _ in $(seq 1 1800); do grep -q '^CRMSYNC_SALESFORCE_CLIENT_SECRET=' "$work/sim.out" 2>/dev/null && break; sleep 0.5; done
  set -a; eval "$(grep '^CRMSYNC_' "$work/sim.out")"; set +a
  export CRMSYNC_DATA_DIR="$work/relay" CRMSYNC_LOG=info CRMSYNC_LOG_FORMAT=json
  unset DATABASE_URL CRMSYNC_SECRET_KEY CRMSYNC_CONFIG
  sim_url="http://127.0.0.1:$sim_port"
  relay_url="http://127.0.0.1:$relay_port"
  target/release/crmsync serve --listen "127.0.0.1:$relay_port" > "$work/relay.out" 2> "$work/relay.err" &
  relay=$!
}
