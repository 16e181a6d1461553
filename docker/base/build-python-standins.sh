#!/usr/bin/env bash
# Local stand-ins for AWS's Lambda Python images, for the tests only: no
# registry is reachable on the machines dsync is tested on, so
# public.ecr.aws/lambda/python:3.10 and :3.12 cannot be pulled. Each stand-in
# is Debian (the local base) with a CPython of that version under /var/lang
# and LD_LIBRARY_PATH=/var/lang/lib, the layout of AWS's images, taken from
# this machine's pyenv (these machines have 3.10 and 3.12 there). It is
# tagged with the official name and labelled as a stand-in, so dsync takes
# it exactly as it would take the real image on a laptop.
#
# A version pyenv does not have is skipped with a line on stderr (the tests
# that need it skip too, saying so). --force rebuilds.
set -euo pipefail

BASE="${DSYNC_DEBIAN_BASE:-dsync-local/debian:bookworm}"
PYENV_ROOT="${PYENV_ROOT:-$HOME/.pyenv}"
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1
log() { printf '[python stand-ins] %s\n' "$*" >&2; }

for version in 3.10 3.12; do
  tag="public.ecr.aws/lambda/python:$version"
  if [[ $FORCE -eq 0 ]] && docker image inspect "$tag" >/dev/null 2>&1; then
    log "$tag already present"
    continue
  fi
  home="$(ls -d "$PYENV_ROOT/versions/$version".* 2>/dev/null | sort -V | tail -n1 || true)"
  if [[ -z "$home" || ! -x "$home/bin/python$version" ]]; then
    log "no CPython $version in $PYENV_ROOT/versions: no stand-in for $tag"
    continue
  fi
  log "$tag from $home (a stand-in: no registry here)"
  errors="$(mktemp)"
  docker build -q -t "$tag" --label "dev.dsync.standin=CPython $(basename "$home") from pyenv, standing in for AWS's image" -f - "$home" >/dev/null 2>"$errors" <<DOCKERFILE || { cat "$errors" >&2; exit 1; }
FROM $BASE
COPY . /var/lang
ENV PATH=/var/lang/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LD_LIBRARY_PATH=/var/lang/lib \
    LAMBDA_TASK_ROOT=/var/task
RUN python$version -c "import ssl, zlib, sys; print(sys.version)"
DOCKERFILE
  rm -f "$errors"
done
