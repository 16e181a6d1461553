#!/usr/bin/env bash
# npm run test:windows: dsync's own code running as win32, in CI.
#
#   1. the Windows tier (setup.sh): Wine, node.exe, the helper programs;
#   2. a copy of this repository in $DSYNC_WINTIER/repo with the win32 builds
#      of the npm packages (npm ci --os=win32 --cpu=x64; redone only when
#      package-lock.json changes), and dsync built into it;
#   3. the unit tests, run by node.exe (vitest as win32);
#   4. the end-to-end smoke (test/windows/): the built CLI as node.exe against
#      the real engine over loopback TCP and a named pipe: `up --sync-only`,
#      and the quick start's flow (`up --emulator`, invoke, logs, doctor). Its tests run in
#      Linux Node.js, so they need the engine and the local base image
#      (the same steps as `npm test`).
# Extra arguments go to both vitest runs (e.g. -t 'a test name').
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo"
# shellcheck source=env.sh
source "$here/env.sh"
started=$(date +%s)
step() { printf '\n[windows-tier] %s\n' "$*" >&2; }

step "Wine and node.exe"
bash "$here/setup.sh"
# One Wine server for the whole run (starting it costs about 1 s per node.exe);
# stopping it at the end also ends any node.exe a failed test left behind.
# (-p refuses when a server already runs, for instance the one setup.sh's
# probe started, which ends by itself: node.exe then starts a new one.)
"$WINESERVER" -p 2>/dev/null || true
trap '"$WINESERVER" -k 2>/dev/null || true' EXIT

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  step "npm ci (Linux packages, for the build and the smoke's test runner)"
  npm ci --no-audit --no-fund
fi
step "build"
npm run --silent build

step "a win32 copy of the repository in $DSYNC_WINTIER/repo"
copy=$DSYNC_WINTIER/repo
mkdir -p "$copy"
# Everything but node_modules and .git, replacing what an earlier run left.
find "$copy" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
tar -C "$repo" --exclude=./node_modules --exclude=./.git -cf - . | tar -C "$copy" -xf -
lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ $(cat "$copy/node_modules/.dsync-win32-lock" 2>/dev/null) != "$lock_sum" ]]; then
  step "npm ci --os=win32 --cpu=x64 (the win32 builds of native packages)"
  (cd "$copy" && npm ci --os=win32 --cpu=x64 --no-audit --no-fund --ignore-scripts)
  echo "$lock_sum" >"$copy/node_modules/.dsync-win32-lock"
fi

step "unit tests as win32 (node.exe $DSYNC_NODE_WIN_VERSION under Wine)"
unit_log=$DSYNC_WINTIER/unit.log
unit_started=$(date +%s)
set +e
(cd "$copy" && NO_COLOR=1 "$here/wnode" node_modules/vitest/vitest.mjs run --project unit --reporter=verbose "$@") | tee "$unit_log"
unit_rc=${PIPESTATUS[0]}
set -e
unit_seconds=$(( $(date +%s) - unit_started ))
# Nothing is skipped silently: name every test that did not run as win32.
skipped=$(grep -E '^\s*↓ ' "$unit_log" || true)
if [[ -n $skipped ]]; then
  step "unit tests that do not run as win32 (each names its reason):"
  printf '%s\n' "$skipped" >&2
fi
[[ $unit_rc -eq 0 ]] || { step "unit tests failed as win32 (exit $unit_rc); log: $unit_log"; exit "$unit_rc"; }

step "the engine and the local base image, for the smoke"
bash scripts/ensure-docker.sh
bash docker/base/build-local-bases.sh
step "dsync's SAM image, for the quick start's flow as win32 (built once, as by npm test)"
node bin/dsync.js image --base "${DSYNC_SAM_BASE_IMAGE:-dsync-local/debian:bookworm}" >/dev/null

step "end-to-end smoke: the CLI as node.exe"
smoke_started=$(date +%s)
DSYNC_WINDOWS_TIER=1 DSYNC_WIN_REPO="$copy" npx vitest run --project windows "$@"
step "Windows tier passed in $(( $(date +%s) - started )) s (unit tests as win32: ${unit_seconds} s; smoke: $(( $(date +%s) - smoke_started )) s)"
