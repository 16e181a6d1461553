#!/usr/bin/env bash
# Lint and unit-test dsync's AWS emulator (docker/emulator) and the helpers
# that run beside SAM (docker/sam-tools), in-process, against exactly the moto
# and aws-sam-translator versions docker/Dockerfile pins for the image.
#
# The virtualenv lives outside git (node_modules/.cache, which `npm ci`
# replaces wholesale) and is made once: a second run only checks that its
# recorded requirements still match and goes straight to the checks.
#   DSYNC_EMULATOR_VENV=/some/dir scripts/test-emulator.sh   # another venv folder
#   scripts/test-emulator.sh -k gateway                        # extra args go to pytest
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dockerfile="$root/docker/Dockerfile"
venv="${DSYNC_EMULATOR_VENV:-$root/node_modules/.cache/dsync-emulator-venv}"
PYTEST_VERSION=8.4.2
RUFF_VERSION=0.14.5

# The versions the image pins, read from the Dockerfile's ARG lines (never repeated here).
pinned() { sed -n "s/^ARG $1=\([^[:space:]]*\).*/\1/p" "$dockerfile" | head -n 1; }
moto_version="$(pinned MOTO_VERSION)"
translator_version="$(pinned SAM_TRANSLATOR_VERSION)"
if [ -z "$moto_version" ] || [ -z "$translator_version" ]; then
  echo "test-emulator: no ARG MOTO_VERSION or ARG SAM_TRANSLATOR_VERSION line in $dockerfile" >&2
  exit 1
fi
requirements="moto[server]==$moto_version aws-sam-translator==$translator_version pytest==$PYTEST_VERSION ruff==$RUFF_VERSION"

# Debian ships `venv` without ensurepip unless python3-venv is installed.
ensure_venv_module() {
  if python3 -c 'import ensurepip, venv' 2>/dev/null; then return 0; fi
  if [ "$(id -u)" != 0 ]; then
    echo "test-emulator: python3 cannot make a virtualenv; install python3-venv (as root: apt-get install python3-venv)" >&2
    exit 1
  fi
  echo "test-emulator: installing python3-venv" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
}

if [ "$(cat "$venv/.dsync-requirements" 2>/dev/null)" != "$requirements" ]; then
  ensure_venv_module
  echo "test-emulator: making $venv ($requirements)" >&2
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv"
  # shellcheck disable=SC2086 # one word per requirement
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-cache-dir $requirements
  echo "$requirements" >"$venv/.dsync-requirements"
fi

# Nothing is written into the folders the TypeScript side copies into the container.
export PYTHONDONTWRITEBYTECODE=1 RUFF_CACHE_DIR="$venv/ruff-cache"
cd "$root/docker"
status=0
echo "== ruff check" >&2
"$venv/bin/ruff" check emulator sam-tools || status=1
echo "== ruff format --check" >&2
"$venv/bin/ruff" format --check emulator sam-tools || status=1
echo "== pytest" >&2
"$venv/bin/python" -m pytest -c emulator/pyproject.toml --rootdir . -p no:cacheprovider emulator/tests sam-tools/tests "$@" || status=1
exit "$status"
