#!/usr/bin/env bash
# One command from a fresh Debian machine to a running `dsync up --emulator`
# on the example SAM app: uses the Docker engine that runs (or installs and
# starts one, on its Unix socket only), installs and builds dsync, builds the
# local Debian base (no registry needed), then deploys
# examples/shop-api to the embedded AWS emulator and keeps it in sync until
# Ctrl-C. The first run also builds dsync's SAM image (a few minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-docker.sh
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then npm ci --no-audit --no-fund; fi
npm run build
bash docker/base/build-local-bases.sh
export DSYNC_SAM_BASE_IMAGE="${DSYNC_SAM_BASE_IMAGE:-dsync-local/debian:bookworm}"
echo "[quickstart] edit a file under examples/shop-api/src and watch it go live; Ctrl-C to stop" >&2
exec node bin/dsync.js up --emulator --cwd examples/shop-api "$@"
