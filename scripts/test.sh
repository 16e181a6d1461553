#!/usr/bin/env bash
# The whole test suite from a fresh Debian machine, and quickly again on one
# where it already ran: every step checks first and only does what is
# missing. `npm test` runs this; so does CI (.ci/run).
#   1. npm packages (npm ci when node_modules is missing or older than the lock file)
#   2. a Docker engine (scripts/ensure-docker.sh: a running one is used as is)
#   3. the local base images (debootstrap; no registry is needed), stand-ins
#      for AWS's Lambda Python images (tagged with the official names), dsync's
#      SAM image, and the runtime images the fixture apps need
#   4. Podman's service beside dockerd (scripts/ensure-podman.sh), for its end-to-end test
#   5. a private sshd on loopback for the SSH engine test (scripts/test-sshd.sh)
#   6. build, type-check (src and tests), eslint and prettier --check, the
#      layering check (dependency-cruiser), the emulator's pytest suite and
#      ruff, its Python runtime tests in the image with each Python, then
#      vitest: unit, integration and end-to-end tests
# Extra arguments go to vitest (e.g. a file name to run just that file).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n[test] %s\n' "$*" >&2; }
started=$(date +%s)

if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  step "npm ci"
  npm ci --no-audit --no-fund
fi
step "Docker engine"
bash scripts/ensure-docker.sh
step "local base images"
bash docker/base/build-local-bases.sh
step "Podman beside dockerd (its Docker API on a Unix socket), with the base images, for the Podman end-to-end test"
bash scripts/ensure-podman.sh dsync-local/debian:bookworm dsync-local/busybox:latest
step "build, types (tests too), lint and format, and the layering check"
npm run --silent build
npm run --silent typecheck
npm run --silent lint
npm run --silent check:layers
step "the emulator's own tests (pytest with moto in-process, ruff)"
bash scripts/test-emulator.sh
step "stand-ins for AWS's Lambda Python 3.10 and 3.12 images (from pyenv; no registry here)"
bash docker/base/build-python-standins.sh
step "dsync's SAM image, and the runtimes the fixture apps add (Pythons 3.9, 3.13 and 3.14 build from source: several minutes each, once)"
base="${DSYNC_SAM_BASE_IMAGE:-dsync-local/debian:bookworm}"
node bin/dsync.js image --base "$base" >/dev/null
node bin/dsync.js image --base "$base" --runtime nodejs20.x --runtime nodejs24.x >/dev/null
for python in python3.9 python3.10 python3.12 python3.13 python3.14; do
  if [[ $python == python3.1[02] ]] && ! docker image inspect "public.ecr.aws/lambda/python:${python#python}" >/dev/null 2>&1; then
    echo "[test] no stand-in for AWS's ${python} image: what needs it is skipped" >&2
    continue
  fi
  node bin/dsync.js image --base "$base" --runtime "$python" >/dev/null
done
step "the emulator's Python runtime tests inside dsync's image, with each Python (3.9 to 3.14)"
bash scripts/test-python-runtimes.sh
step "test sshd"
bash scripts/test-sshd.sh
step "set-up done in $(( $(date +%s) - started )) s; running the tests"
exec npx vitest run "$@"
