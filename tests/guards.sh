#!/usr/bin/env bash
# Guard rails run by ./build.sh test: formatting, clippy with warnings as errors, and the
# core's purity (no I/O, clock, randomness or web crates under src/core, so the relay and
# the browser run the same pure rules). Prints "# pass N" / "# fail N" for the summary.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
passed=0 failed=0
check() {
  local name=$1; shift
  echo "==> guard: $name" >&2
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "guard failed: $name" >&2; fi
}

core_is_pure() {
  # Threads are allowed (parallel matching); nothing that touches the world is.
  local found
  found=$(grep -rnE 'std::(fs|net|io|env|process)\b|SystemTime|Instant::now|\b(tokio|reqwest|sqlx|rand|getrandom|web_sys|js_sys|wasm_bindgen|gloo|yew)::' src/core || true)
  if [ -n "$found" ]; then
    echo "src/core must stay pure; found:" >&2
    echo "$found" >&2
    return 1
  fi
}

check "cargo fmt --all --check" cargo fmt --all --check
check "cargo clippy --workspace --all-targets -- -D warnings" cargo clippy --workspace --all-targets --quiet -- -D warnings
check "the core is pure" core_is_pure
echo "# pass $passed"
echo "# fail $failed"
[ "$failed" -eq 0 ]
