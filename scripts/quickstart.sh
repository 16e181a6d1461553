#!/usr/bin/env bash
# One command from a fresh Debian machine to a running `dsync up`: installs
# and starts Docker, installs and builds dsync, builds the local base image,
# then mirrors examples/hello-sync into its container until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-docker.sh
[[ -d node_modules ]] || npm ci --no-audit --no-fund
npm run build
bash docker/base/build-local-bases.sh
exec node bin/dsync.js up --sync-only --cwd examples/hello-sync "$@"
