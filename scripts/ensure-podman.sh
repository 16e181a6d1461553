#!/usr/bin/env bash
# Podman for the engine tests (issue 26): Debian's podman serving the Docker
# Engine API on a Unix socket, as Podman Desktop does on a laptop, beside
# dockerd and without touching it. Checks first, does only what is missing:
#   1. podman, the CNI plugins (with dnsname) and catatonit (what `--init`
#      runs) from Debian;
#   2. a containers.conf drop-in, only where this machine needs one (below);
#   3. `podman system service` on $DSYNC_PODMAN_SOCKET (unix:///run/podman/podman.sock);
#   4. the images named as arguments copied from dockerd when Podman lacks
#      them (docker save | podman load: no registry is needed).
# Prints nothing on stdout; progress on stderr.
set -euo pipefail

log() { printf '[podman] %s\n' "$*" >&2; }
socket=${DSYNC_PODMAN_SOCKET:-/run/podman/podman.sock}
socket=${socket#unix://}

answers() { curl -sf --max-time 2 --unix-socket "$socket" http://podman/_ping >/dev/null 2>&1; }

need=()
command -v podman >/dev/null || need+=(podman)
[[ -x /usr/lib/cni/bridge || -x /usr/libexec/cni/bridge ]] || need+=(containernetworking-plugins)
command -v catatonit >/dev/null || [[ -x /usr/libexec/podman/catatonit ]] || need+=(catatonit)
[[ -x /usr/lib/cni/dnsname ]] || need+=(golang-github-containernetworking-plugin-dnsname)
command -v curl >/dev/null || need+=(curl)
if [[ ${#need[@]} -gt 0 ]]; then
  [[ $(id -u) -eq 0 ]] || { log "missing: ${need[*]}; install them (as root) and run this again"; exit 1; }
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
fi

# Two things about machines of this kind that Podman's defaults trip over
# (dockerd's do not): root may lack CAP_SYS_RESOURCE, so the raised
# RLIMIT_NOFILE/NPROC Podman gives every container is refused ("crun:
# setrlimit `RLIMIT_NOFILE`: Operation not permitted"); and cgroups v1 and v2
# are mounted together, which crun refuses ("cgroups in hybrid mode not
# supported"). A drop-in sets limits the host allows and runc, only then.
dropin=/etc/containers/containers.conf.d/50-dsync-test.conf
if [[ ! -f $dropin && $(id -u) -eq 0 ]]; then
  cap_eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
  no_sys_resource=$(( (16#$cap_eff >> 24 & 1) == 0 ))
  hybrid=0
  [[ -d /sys/fs/cgroup/unified && $(stat -fc %T /sys/fs/cgroup) != cgroup2fs ]] && hybrid=1
  if (( no_sys_resource || hybrid )); then
    mkdir -p "$(dirname "$dropin")"
    {
      echo '# Written by dsync scripts/ensure-podman.sh for its tests.'
      if (( no_sys_resource )); then
        echo '[containers]'
        echo "default_ulimits = [\"nofile=$(ulimit -Hn):$(ulimit -Hn)\", \"nproc=8192:8192\"]"
      fi
      if (( hybrid )); then
        echo '[engine]'
        echo 'runtime = "runc"'
      fi
    } >"$dropin"
    log "wrote $dropin (no CAP_SYS_RESOURCE: $no_sys_resource; hybrid cgroups: $hybrid)"
  fi
fi

if answers; then
  log "using the running Podman service at unix://$socket"
else
  [[ $(id -u) -eq 0 ]] || { log "no Podman service at unix://$socket; start one: podman system service --time=0 unix://$socket &"; exit 1; }
  mkdir -p "$(dirname "$socket")" /var/log/dsync
  log "starting podman system service on unix://$socket"
  nohup setsid podman system service --time=0 "unix://$socket" >/var/log/dsync/podman.log 2>&1 &
  for _ in $(seq 1 100); do answers && break; sleep 0.2; done
  answers || { log "the Podman service did not start; its log:"; tail -n 30 /var/log/dsync/podman.log >&2; exit 1; }
  log "Podman $(podman version --format '{{.Server.Version}}' 2>/dev/null || podman --version) is up"
fi

for image in "$@"; do
  if podman image exists "$image" 2>/dev/null; then continue; fi
  log "copying $image from dockerd"
  docker save "$image" | podman load -q >/dev/null
done
