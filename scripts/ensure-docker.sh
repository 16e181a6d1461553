#!/usr/bin/env bash
# Makes sure a Docker engine is running on this Debian machine: installs
# Debian's docker.io and debootstrap if missing, then starts dockerd listening
# on the default socket and on tcp://127.0.0.1:2375 (loopback only; the TCP
# listener is what the remote-engine test uses).
set -euo pipefail

log() { printf '[docker] %s\n' "$*" >&2; }

if ! command -v dockerd >/dev/null || ! command -v debootstrap >/dev/null; then
  log "installing docker.io and debootstrap"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq docker.io debootstrap >/dev/null
fi

if docker info >/dev/null 2>&1 && curl -fsS http://127.0.0.1:2375/_ping >/dev/null 2>&1; then
  log "engine already running"
  exit 0
fi

if pgrep -x dockerd >/dev/null; then
  log "restarting dockerd to add the loopback TCP listener"
  pkill -x dockerd || true
  for _ in $(seq 1 50); do pgrep -x dockerd >/dev/null || break; sleep 0.2; done
fi

mkdir -p /var/log/dsync
log "starting dockerd"
nohup dockerd -H unix:///var/run/docker.sock -H tcp://127.0.0.1:2375 >/var/log/dsync/dockerd.log 2>&1 &
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
