#!/usr/bin/env bash
# Makes sure a Docker engine answers, without disturbing one that runs:
# - an engine that answers (the default socket, DOCKER_HOST or the current
#   docker context) is used as it is: never restarted, never reconfigured;
# - otherwise, on a Debian machine, Debian's docker.io is installed if
#   needed and dockerd is started on its default Unix socket only. No TCP
#   listener is ever added: an unauthenticated Engine API on TCP is root for
#   every local user.
# Also installs debootstrap, which docker/base/build-local-bases.sh needs.
set -euo pipefail

log() { printf '[docker] %s\n' "$*" >&2; }

need_install=()
command -v docker >/dev/null || need_install+=(docker.io)
command -v debootstrap >/dev/null || need_install+=(debootstrap)
if ! docker info >/dev/null 2>&1 && ! command -v dockerd >/dev/null; then need_install+=(docker.io); fi
if [[ ${#need_install[@]} -gt 0 ]]; then
  if [[ $(id -u) -ne 0 ]]; then log "missing: ${need_install[*]}; install them (as root) and run this again"; exit 1; fi
  log "installing ${need_install[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need_install[@]}" >/dev/null
fi

if docker info >/dev/null 2>&1; then
  log "using the running engine ($(docker version --format '{{.Server.Version}}' 2>/dev/null || echo '?'))"
  exit 0
fi

if pgrep -x dockerd >/dev/null; then
  # It runs but does not answer us (starting up, or another socket): wait, never kill it.
  for _ in $(seq 1 100); do docker info >/dev/null 2>&1 && { log "engine is up"; exit 0; }; sleep 0.2; done
  log "dockerd is running but does not answer on the default socket; point DOCKER_HOST at it"
  exit 1
fi

if [[ $(id -u) -ne 0 ]]; then log "no Docker engine runs; start Docker (Docker Desktop, or: sudo dockerd &) and run this again"; exit 1; fi
mkdir -p /var/log/dsync
log "starting dockerd (default Unix socket only)"
nohup dockerd >/var/log/dsync/dockerd.log 2>&1 &
for _ in $(seq 1 150); do
  if docker info >/dev/null 2>&1; then
    log "engine is up ($(docker version --format '{{.Server.Version}}'))"
    exit 0
  fi
  sleep 0.2
done
log "dockerd did not start; last lines of its log:"
tail -n 30 /var/log/dsync/dockerd.log >&2
exit 1
