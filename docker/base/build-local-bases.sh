#!/usr/bin/env bash
# Builds the base images dsync's tests (and the emulator image) start from,
# without any container registry: Debian via debootstrap, busybox from
# Debian's busybox-static package. Each image is cached by tag; pass
# --force to rebuild.
set -euo pipefail

DEBIAN_TAG="${DSYNC_DEBIAN_BASE:-dsync-local/debian:bookworm}"
BUSYBOX_TAG="${DSYNC_BUSYBOX_BASE:-dsync-local/busybox:latest}"
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

log() { printf '[bases] %s\n' "$*" >&2; }

# The mirror apt on this machine already uses, so the image matches the host's reach.
debian_mirror() {
  local uri
  uri=$(grep -hoE '^URIs:\s*\S+' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
  if [[ -z "$uri" ]]; then
    uri=$(grep -hoE '^deb\s+\S+' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -v security | head -n1 || true)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

have_image() { [[ $FORCE -eq 0 ]] && docker image inspect "$1" >/dev/null 2>&1; }

if have_image "$DEBIAN_TAG"; then
  log "$DEBIAN_TAG already present"
else
  command -v debootstrap >/dev/null || { log "debootstrap is not installed (apt-get install debootstrap)"; exit 1; }
  mirror=$(debian_mirror)
  root=$(mktemp -d /tmp/dsync-debian-root.XXXXXX)
  trap 'rm -rf "$root"' EXIT
  log "debootstrap bookworm from $mirror (about a minute)"
  debootstrap --variant=minbase --include=ca-certificates bookworm "$root" "$mirror" >/tmp/dsync-debootstrap.log 2>&1 \
    || { tail -20 /tmp/dsync-debootstrap.log >&2; exit 1; }
  # Keep the image small and apt usable inside docker build.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$mirror" "$mirror" > "$root/etc/apt/sources.list"
  tar -C "$root" -c . | docker import --change 'CMD ["/bin/bash"]' - "$DEBIAN_TAG" >/dev/null
  rm -rf "$root"; trap - EXIT
  log "built $DEBIAN_TAG"
fi

if have_image "$BUSYBOX_TAG"; then
  log "$BUSYBOX_TAG already present"
else
  work=$(mktemp -d /tmp/dsync-busybox.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  ( cd "$work" && apt-get download busybox-static >/dev/null 2>&1 ) \
    || { apt-get update -qq >/dev/null && ( cd "$work" && apt-get download busybox-static >/dev/null ); }
  dpkg-deb -x "$work"/busybox-static_*.deb "$work/pkg"
  mkdir -p "$work/root/bin" "$work/root/tmp" "$work/root/etc"
  cp "$work/pkg/bin/busybox" "$work/root/bin/busybox"
  for applet in $("$work/root/bin/busybox" --list); do
    [[ "$applet" == busybox ]] || ln -sf busybox "$work/root/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' > "$work/root/etc/passwd"
  echo 'root:x:0:' > "$work/root/etc/group"
  chmod 1777 "$work/root/tmp"
  tar -C "$work/root" -c . | docker import --change 'ENV PATH=/bin' --change 'CMD ["/bin/sh"]' - "$BUSYBOX_TAG" >/dev/null
  rm -rf "$work"; trap - EXIT
  log "built $BUSYBOX_TAG"
fi
