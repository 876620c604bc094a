#!/usr/bin/env bash
# crmsync's one entry point.
#
#   ./build.sh [build]   wasm module (release, size-optimised), dist/extension{,-firefox},
#                        dist/www, and the release `crmsync` and `sfsim` binaries
#   ./build.sh run       build, then start sfsim (demo org) and the relay on :8787
#   ./build.sh test      install test needs, then Rust, wasm (Chromium) and e2e tests
#   ./build.sh bench     run the benchmarks and rewrite BENCHMARKS.md
#   ./build.sh fuzz      the parsers' fuzz test for longer (CRMSYNC_FUZZ_SECONDS per target,
#                        default 60) and schemathesis for longer (ST_MAX_TIME, default 600)
#
# Whatever is missing (rustup target, wasm-bindgen-cli, npm packages, Chromium) is
# installed and announced.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------- installs

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "installing the Rust target wasm32-unknown-unknown (rustup)"
    rustup target add wasm32-unknown-unknown
  fi
}

# The wasm-bindgen CLI must be exactly the version of the crate in Cargo.lock.
wasm_bindgen_version() {
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

ensure_wasm_bindgen() {
  local want have
  want=$(wasm_bindgen_version)
  [ -n "$want" ] || die "Cargo.lock has no wasm-bindgen entry"
  have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [ "$have" != "$want" ]; then
    say "installing wasm-bindgen-cli $want (found: ${have:-none}); this takes a few minutes once"
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

ensure_npm_packages() {
  command -v npm >/dev/null || die "npm is required (Debian: apt-get install nodejs npm)"
  if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm packages from package-lock.json (npm ci)"
    npm ci --no-audit --no-fund --loglevel=error
  fi
}

apt_install() {
  say "installing Debian packages: $*"
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  fi
}

# Chromium and its driver, and Firefox ESR, for browser tests; openssl makes the e2e
# fixtures' certificate.
ensure_test_packages() {
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
  [ -x /usr/bin/firefox-esr ] || missing+=(firefox-esr)
  command -v openssl >/dev/null || missing+=(openssl)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# ---------------------------------------------------------------------------- build

WASM_PROFILE=wasm-release
PKG_DIR=target/wasm-pkg

build_wasm() {
  ensure_wasm_target
  ensure_wasm_bindgen
  ensure_npm_packages
  say "building the wasm module (profile $WASM_PROFILE)"
  cargo build --lib --target wasm32-unknown-unknown --features web --profile "$WASM_PROFILE"
  rm -rf "$PKG_DIR"
  wasm-bindgen --target web --no-typescript --out-dir "$PKG_DIR" --out-name crmsync \
    "target/wasm32-unknown-unknown/$WASM_PROFILE/crmsync.wasm"
  if [ -x node_modules/.bin/wasm-opt ]; then
    say "optimising the wasm module (wasm-opt -Oz)"
    node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
      --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue \
      "$PKG_DIR/crmsync_bg.wasm" -o "$PKG_DIR/crmsync_bg.wasm"
  else
    say "wasm-opt not available: shipping the module unoptimised"
  fi
}

# dist/www: the relay's pages. dist/extension: Chromium MV3. dist/extension-firefox: Firefox.
assemble_dist() {
  say "assembling dist/www, dist/extension and dist/extension-firefox"
  rm -rf dist && mkdir -p dist/www dist/extension
  cp -r www/. dist/www/
  cp -r "$PKG_DIR" dist/www/pkg
  # The Lightning Design System parts the widget, popup and console use (tools/slds.mjs).
  node tools/slds.mjs dist/www/slds.css
  cp -r extension/. dist/extension/
  cp www/widget.html www/widget.js www/crmsync.css dist/www/slds.css dist/extension/
  cp -r "$PKG_DIR" dist/extension/pkg
  cp -r dist/extension dist/extension-firefox
  node -e '
    const fs = require("fs");
    const path = "dist/extension-firefox/manifest.json";
    const m = JSON.parse(fs.readFileSync(path, "utf8"));
    m.background = { scripts: [m.background.service_worker], type: "module" };
    // What leaves the browser, and only for the org'"'"'s own relay: the sign-in, the messages a
    // rep logs, and (when the rep shares them) the profiles the rep views.
    m.browser_specific_settings = { gecko: { id: "crmsync@crmsync.dev", strict_min_version: "140.0",
      data_collection_permissions: { required: ["authenticationInfo", "personalCommunications", "websiteContent"] } },
      gecko_android: { strict_min_version: "142.0" } };
    fs.writeFileSync(path, JSON.stringify(m, null, 2) + "\n");'
}

# Native binaries: `release` for build/run/bench, the test profile's `dev` for tests,
# so `./build.sh test` compiles each crate once.
build_native() {
  local profile=$1
  say "building the crmsync and sfsim binaries ($profile)"
  if [ "$profile" = release ]; then
    cargo build --release -p crmsync-relay -p sfsim
  else
    cargo build -p crmsync-relay -p sfsim
  fi
}

cmd_build() {
  build_wasm
  assemble_dist
  build_native release
  say "built: dist/www, dist/extension (Chromium), dist/extension-firefox, target/release/{crmsync,sfsim}"
}

# ---------------------------------------------------------------------------- run

cmd_run() {
  cmd_build
  mkdir -p data
  local pids=()
  stop() {
    trap - INT TERM EXIT
    say "stopping"
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
  }
  trap stop INT TERM EXIT

  if [ -z "${CRMSYNC_SALESFORCE_LOGIN_URL:-}" ]; then
    local sim_listen=${CRMSYNC_SFSIM_LISTEN:-127.0.0.1:8788}
    say "starting sfsim (demo org in data/sfsim) on $sim_listen"
    : > data/sfsim.env
    target/release/sfsim --listen "$sim_listen" --data data/sfsim > data/sfsim.env &
    pids+=($!)
    for _ in $(seq 1 100); do grep -q '^CRMSYNC_SALESFORCE_CLIENT_SECRET=' data/sfsim.env && break; sleep 0.1; done
    grep -q '^CRMSYNC_SALESFORCE_CLIENT_SECRET=' data/sfsim.env || die "sfsim did not start (see above)"
    grep '^#' data/sfsim.env >&2 || true
    set -a; eval "$(grep '^CRMSYNC_' data/sfsim.env)"; set +a
    # The demo's admin signs in to the console; its first rep gets a seat and write-back
    # once the first import has brought the users in.
    demo_admin=$(awk '$1 == "#" && $2 == "user" && $4 ~ /^admin@/ {print $4 " (password " $6 ")"; exit}' data/sfsim.env)
    demo_rep=$(awk '$1 == "#" && $2 == "user" && $4 !~ /^(admin|integration)@/ {print $4; exit}' data/sfsim.env)
    demo_rep_password=$(awk -v u="$demo_rep" '$1 == "#" && $4 == u {print $6; exit}' data/sfsim.env)
    export CRMSYNC_ADMIN_USERNAMES=${CRMSYNC_ADMIN_USERNAMES:-${demo_admin%% *}}
  else
    say "connecting to the org at $CRMSYNC_SALESFORCE_LOGIN_URL (no simulator)"
  fi

  local listen=${CRMSYNC_LISTEN:-127.0.0.1:8787}
  CRMSYNC_DATA_DIR=${CRMSYNC_DATA_DIR:-data} CRMSYNC_WWW_DIR=${CRMSYNC_WWW_DIR:-$ROOT/dist/www} \
    target/release/crmsync serve --listen "$listen" &
  pids+=($!)
  sleep 0.5
  if [ -n "${demo_rep:-}" ]; then
    (
      for _ in $(seq 1 120); do
        if CRMSYNC_DATA_DIR=${CRMSYNC_DATA_DIR:-data} target/release/crmsync seats add --user "$demo_rep" > /dev/null 2>&1; then
          CRMSYNC_DATA_DIR=${CRMSYNC_DATA_DIR:-data} target/release/crmsync writeback enable --user "$demo_rep" > /dev/null 2>&1 || true
          say "demo rep $demo_rep has a seat and write-back: sign in from the extension with password $demo_rep_password"
          exit 0
        fi
        sleep 1
      done
      say "the demo rep could not be given a seat (is the first import done?): crmsync seats add --user $demo_rep"
    ) &
    say "the console's admin is $demo_admin (CRMSYNC_ADMIN_USERNAMES)"
  fi
  cat >&2 <<EOF

  admin console:       http://$listen/admin/
  unpacked extension:  $ROOT/dist/extension   (chrome://extensions → Developer mode → Load unpacked)
  Firefox build:       $ROOT/dist/extension-firefox
  Ctrl-C stops everything.

EOF
  wait -n "${pids[@]}" || true
}

# ---------------------------------------------------------------------------- test

LOG_DIR=target/test-logs

# A throw-away PostgreSQL server for the store tests: a private cluster in a temp folder,
# on a free port, stopped on exit. As root it runs as the `postgres` user (the server
# refuses root); as anyone else, as that user. Says what is missing when it cannot start.
PG_DIR=""
PG_BIN=""
as_pg_owner() {
  if [ "$(id -u)" = 0 ]; then su postgres -c "$*"; else sh -c "$*"; fi
}
start_test_postgres() {
  local port
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n1)
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    say "PostgreSQL is not installed: the store suite on PostgreSQL needs Debian's postgresql package (initdb, pg_ctl)"
    return 1
  fi
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  PG_DIR=$(mktemp -d)
  if [ "$(id -u)" = 0 ]; then chown postgres "$PG_DIR"; fi
  say "starting a throw-away PostgreSQL on 127.0.0.1:$port"
  if ! as_pg_owner "$PG_BIN/initdb -D $PG_DIR/data -A trust -U postgres" >/dev/null \
    || ! as_pg_owner "$PG_BIN/pg_ctl -D $PG_DIR/data -l $PG_DIR/log -o '-p $port -k $PG_DIR -c listen_addresses=127.0.0.1' -w start" >/dev/null; then
    say "PostgreSQL did not start (its log: $PG_DIR/log)"
    return 1
  fi
  export CRMSYNC_TEST_POSTGRES="postgres://postgres@127.0.0.1:$port"
  trap stop_test_postgres EXIT
}

stop_test_postgres() {
  if [ -n "$PG_DIR" ]; then
    as_pg_owner "$PG_BIN/pg_ctl -D $PG_DIR/data -m fast stop" >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
    PG_DIR=""
    unset CRMSYNC_TEST_POSTGRES
  fi
}

# Runs one suite, keeping its output for the summary; never stops the others. A suite
# that hangs (a browser that never starts, a server left running) is stopped, with every
# process it started, after CRMSYNC_SUITE_LIMIT seconds and counts as failed, so that CI
# always ends with a summary.
FAILED_SUITES=()
run_suite() {
  local name=$1; shift
  local limit=${CRMSYNC_SUITE_LIMIT:-1200} rc
  say "test suite: $name"
  set +e
  timeout --kill-after=30 "$limit" "$@" 2>&1 | tee "$LOG_DIR/$name.log"
  rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    say "test suite $name did not finish in ${limit}s; stopped" | tee -a "$LOG_DIR/$name.log"
  fi
  [ "$rc" -eq 0 ] || FAILED_SUITES+=("$name")
}

# Adds up "N passed; M failed" (cargo, wasm-bindgen-test) and "pass N"/"fail N" (node).
count_tests() {
  cat "$LOG_DIR"/*.log | awk '
    /^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
    /^(ℹ|#) pass [0-9]+$/ { p += $NF }
    /^(ℹ|#) fail [0-9]+$/ { f += $NF }
    END { printf "%d %d\n", p, f }'
}

cmd_test() {
  local started=$SECONDS
  ensure_test_packages
  # Installs (and PATH changes) happen here, so the suites below see them too.
  ensure_wasm_target
  ensure_wasm_bindgen
  ensure_npm_packages
  # The build runs as its own process so that its first failing step stops it (errexit
  # does not apply inside an `if`), and the summary line is printed all the same.
  if ! "$ROOT/build.sh" build-for-tests; then
    say "the build failed (see above); no suite ran"
    echo "summary: 0 passed, 1 failed"
    return 1
  fi
  local built=$SECONDS
  say "built in $((built - started))s; running the suites"
  rm -rf "$LOG_DIR" && mkdir -p "$LOG_DIR"
  run_suite guards tests/guards.sh
  run_suite rust cargo test --workspace
  run_suite quality python3 tests/quality/gate.py "$ROOT/target/debug/crmsync"
  if start_test_postgres; then
    run_suite postgres cargo test -p crmsync-relay --test it
    stop_test_postgres
  else
    FAILED_SUITES+=(postgres)
  fi
  run_suite wasm cargo test --target wasm32-unknown-unknown --features web --test web
  run_suite firefox-lint node_modules/.bin/web-ext lint --source-dir dist/extension-firefox --no-config-discovery
  run_suite e2e env CRMSYNC_BIN_DIR="$ROOT/target/debug" CRMSYNC_DIST="$ROOT/dist" \
    node --test --test-reporter=spec tests/e2e/
  run_suite clients env CRMSYNC_BIN_DIR="$ROOT/target/debug" node --test --test-reporter=spec tests/clients/
  run_suite api env CRMSYNC_BIN_DIR="$ROOT/target/debug" tests/api/schemathesis.sh
  read -r passed failed < <(count_tests)
  local elapsed=$((SECONDS - started))
  say "timing: build $((built - started))s, suites $((SECONDS - built))s, total ${elapsed}s"
  if [ ${#FAILED_SUITES[@]} -gt 0 ]; then
    say "failed suites: ${FAILED_SUITES[*]} (logs in $LOG_DIR)"
    [ "$failed" -gt 0 ] || failed=${#FAILED_SUITES[@]}
    echo "summary: $passed passed, $failed failed"
    return 1
  fi
  say "all suites passed in ${elapsed}s"
  echo "summary: $passed passed, $failed failed"
}

# ---------------------------------------------------------------------------- bench

# Longer runs of what `test` runs briefly: the mutation fuzzer over every parser of
# outside input, then schemathesis against the OpenAPI document.
cmd_fuzz() {
  build_native dev
  say "fuzzing every parser of outside input for ${CRMSYNC_FUZZ_SECONDS:-60} s each"
  CRMSYNC_FUZZ_SEED=${CRMSYNC_FUZZ_SEED:-random} CRMSYNC_FUZZ_SECONDS=${CRMSYNC_FUZZ_SECONDS:-60} \
    cargo test -p crmsync-relay --test it fuzz -- --nocapture
  [ -d dist/www ] || { build_wasm; assemble_dist; }
  say "schemathesis for ${ST_MAX_TIME:-600} s"
  ST_SEED=${ST_SEED:-random} ST_MAX_TIME=${ST_MAX_TIME:-600} tests/api/schemathesis.sh
}

cmd_bench() {
  exec bash tests/bench/run.sh "$@"
}

case "${1:-build}" in
  build) cmd_build ;;
  run) cmd_run ;;
  test) cmd_test ;;
  build-for-tests) build_wasm; assemble_dist; build_native dev ;;
  bench) shift; cmd_bench "$@" ;;
  fuzz) cmd_fuzz ;;
  -h|--help|help) sed -n '2,14p' "$0" ;;
  *) die "unknown command '$1' (build, run, test, bench, fuzz)" ;;
esac
