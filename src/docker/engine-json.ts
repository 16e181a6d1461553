// The Engine API's JSON as dsync writes and reads it: the body that creates
// dsync's container, and a container as inspect and list return it. Pure;
// the dockerode adapter sends and receives these.
import type { ContainerInfo, ContainerSpec } from './container-client.js';

export type ContainerJson = {
  Id: string;
  Names?: string[];
  Name?: string;
  Image?: string;
  Config?: { Image?: string; Labels?: Record<string, string> };
  State?: string | { Status?: string };
  Labels?: Record<string, string>;
};

/** A container as inspect or list describes it, in dsync's terms. */
export function toInfo(c: ContainerJson): ContainerInfo {
  return {
    id: c.Id,
    // Podman's list answers carry "Name": "" beside Names: an empty name is no name.
    name: (c.Name || c.Names?.[0] || '').replace(/^\//, ''),
    image: c.Config?.Image || c.Image || '',
    state: typeof c.State === 'string' ? c.State : (c.State?.Status ?? 'unknown'),
    labels: c.Labels || c.Config?.Labels || {},
  };
}

/** A label map as the Engine API filters it: key=value strings. */
export function labelFilters(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`);
}

/** The Engine API's body for creating dsync's container from a spec. */
export function createBody(spec: ContainerSpec): Record<string, unknown> {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const [containerPort, hostPort] of Object.entries(spec.ports ?? {})) {
    exposed[`${containerPort}/tcp`] = {};
    bindings[`${containerPort}/tcp`] = [{ HostIp: '127.0.0.1', HostPort: hostPort ? String(hostPort) : '' }];
  }
  return {
    name: spec.name,
    Image: spec.image,
    Labels: spec.labels,
    WorkingDir: spec.workingDir,
    Env: spec.env,
    User: spec.user,
    // A shell loop that sleeps until told to stop: works in any image with /bin/sh.
    Entrypoint: ['/bin/sh', '-c'],
    Cmd: ['trap "exit 0" TERM INT; while :; do sleep 3600 & wait $!; done'],
    ExposedPorts: exposed,
    HostConfig: {
      Mounts: spec.mounts.map((m) => ({ Type: 'volume', Source: m.volume, Target: m.target })),
      PortBindings: bindings,
      Init: true,
      ...(spec.hosts ? { ExtraHosts: Object.entries(spec.hosts).map(([name, ip]) => `${name}:${ip}`) } : {}),
    },
  };
}
