#!/usr/bin/env bash
# The emulator's Python runtime tests (docker/emulator/tests/test_python_runtime.py)
# inside dsync's image, once per Python it has or adds (3.9 to 3.14): each
# interpreter runs the Runtime API client with the boto3 the image gives it.
# The images must be built already (scripts/test.sh builds them); a version
# whose image is missing is skipped with a line on stderr.
#   scripts/test-python-runtimes.sh [3.12 ...]     # only these versions
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="${DSYNC_SAM_BASE_IMAGE:-dsync-local/debian:bookworm}"
pytest_version="$(sed -n 's/^PYTEST_VERSION=\(.*\)$/\1/p' "$root/scripts/test-emulator.sh")"
versions=("$@")
[[ ${#versions[@]} -gt 0 ]] || versions=(3.9 3.10 3.11 3.12 3.13 3.14)
base_tag="$(node "$root/bin/dsync.js" image --base "$base" 2>/dev/null)" || { echo "[python runtimes] dsync's SAM image cannot be had" >&2; exit 1; }
failed=0
for version in "${versions[@]}"; do
  if [[ $version == 3.11 ]]; then
    tag="$base_tag"
    interpreter=/usr/bin/python3.11
  else
    # Only an image that is there already (on this SAM image): never a build of minutes from here.
    # The newest such image: an older one (before a change of its Dockerfile) may still be listed.
    tag="$(docker images --format '{{.CreatedAt}}|{{.Repository}}:{{.Tag}}' | grep -F "|$base_tag-py${version/./}-" | sort -r | head -n1 | cut -d'|' -f2 || true)"
    interpreter="/opt/python$version/bin/python$version"
  fi
  if [[ -z "$tag" ]]; then
    echo "[python runtimes] no image with Python $version: skipped" >&2
    continue
  fi
  echo "[python runtimes] Python $version in $tag" >&2
  if ! docker run --rm -v "$root/docker:/src:ro" -e DSYNC_TEST_PYTHON="$interpreter" "$tag" sh -c "
      cp -r /src /tmp/docker && cd /tmp/docker \
      && /opt/moto/bin/pip install --quiet --disable-pip-version-check pytest==$pytest_version \
      && /opt/moto/bin/python -m pytest -c emulator/pyproject.toml emulator/tests/test_python_runtime.py -q -p no:cacheprovider"; then
    failed=1
  fi
done
exit $failed
