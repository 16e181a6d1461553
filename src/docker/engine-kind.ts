// Which product serves the Docker Engine API dsync talks to, told from the
// engine's own answers to GET /version and GET /info, and what dsync knows
// that differs on it. Pure: the adapter fetches the two payloads.
//
// The signs, as the engines answer them:
// - Podman's /version lists a component "Podman Engine" (its Platform.Name is
//   "linux/amd64/<distro>"); its /info has BuildahVersion and Rootless.
// - Docker Desktop's /info has OperatingSystem "Docker Desktop", Name
//   "docker-desktop" and a com.docker.desktop.address label; its /version's
//   Platform.Name is "Docker Desktop 4.33.0 (160616)".
// - Rancher Desktop (moby) on Windows runs in a WSL distro whose
//   OperatingSystem is "Rancher Desktop WSL Distribution"; on macOS and Linux
//   its Lima VM is named "lima-rancher-desktop".
// - Colima's VM is named "colima" ("colima-<profile>" for other profiles).
// - A plain dockerd lists a component "Engine" and reports its host's distro.

export type EngineKind = 'docker-desktop' | 'podman' | 'rancher-desktop' | 'colima' | 'dockerd' | 'unknown';

/** Something that works differently on this engine: one line of fact, one of what to do. */
export interface EngineGap {
  fact: string;
  hint: string;
}

export interface EngineIdentity {
  kind: EngineKind;
  /** The product as a user knows it: "Podman", "Docker Desktop 4.33.0", "Docker Engine". */
  label: string;
  /** Containers run in a user namespace of an unprivileged user (rootless Podman or dockerd). */
  rootless: boolean;
  gaps: EngineGap[];
}

/** The parts of GET /version dsync reads. */
export interface VersionPayload {
  Version?: string;
  ApiVersion?: string;
  Platform?: { Name?: string };
  Components?: Array<{ Name?: string; Version?: string }> | null;
}

/** The parts of GET /info dsync reads (undefined when the engine refused it). */
export interface InfoPayload {
  Name?: string;
  OperatingSystem?: string;
  Labels?: string[] | null;
  SecurityOptions?: string[] | null;
  /** Podman only. */
  Rootless?: boolean;
  /** Podman only. */
  BuildahVersion?: string;
}

const LABELS: Record<EngineKind, string> = {
  'docker-desktop': 'Docker Desktop',
  podman: 'Podman',
  'rancher-desktop': 'Rancher Desktop',
  colima: 'Colima',
  dockerd: 'Docker Engine',
  unknown: 'Unidentified engine',
};

export function identifyEngine(version: VersionPayload, info: InfoPayload | undefined): EngineIdentity {
  const kind = kindOf(version, info ?? {});
  const rootless = info?.Rootless === true || (info?.SecurityOptions ?? []).some((o) => /(^|,)name=rootless(,|$)/.test(o));
  return { kind, label: labelOf(kind, version), rootless, gaps: gapsOf(kind) };
}

function kindOf(version: VersionPayload, info: InfoPayload): EngineKind {
  const components = (version.Components ?? []).map((c) => c.Name ?? '');
  const os = info.OperatingSystem ?? '';
  const name = info.Name ?? '';
  if (components.some((c) => /^Podman Engine/i.test(c)) || info.BuildahVersion !== undefined) return 'podman';
  const desktopLabel = (info.Labels ?? []).some((l) => l.startsWith('com.docker.desktop.address='));
  if (/^Docker Desktop/i.test(os) || /^Docker Desktop/i.test(version.Platform?.Name ?? '') || name === 'docker-desktop' || desktopLabel) return 'docker-desktop';
  if (/Rancher Desktop/i.test(os) || name === 'lima-rancher-desktop') return 'rancher-desktop';
  if (name === 'colima' || name.startsWith('colima-')) return 'colima';
  if (components.includes('Engine')) return 'dockerd';
  return 'unknown';
}

/** Docker Desktop names its release in Platform.Name ("Docker Desktop 4.33.0 (160616)"): keep the version, drop the build. */
function labelOf(kind: EngineKind, version: VersionPayload): string {
  if (kind !== 'docker-desktop') return LABELS[kind];
  const release = /^Docker Desktop\s+(\d+(?:\.\d+)+)/i.exec(version.Platform?.Name ?? '');
  return release ? `Docker Desktop ${release[1]}` : LABELS[kind];
}

/** What dsync knows to differ, by engine; few, each with its source. */
function gapsOf(kind: EngineKind): EngineGap[] {
  if (kind === 'podman') return podmanGaps();
  if (kind === 'unknown') {
    return [
      {
        fact: 'dsync does not recognise this engine from its /version and /info answers; it works where the engine follows the Docker Engine API',
        hint: 'if `dsync up` fails, report it with the output of `dsync doctor --json`',
      },
    ];
  }
  // Docker Desktop, Rancher Desktop (moby) and Colima run dockerd itself: nothing differs for dsync.
  return [];
}

/**
 * Podman serves the Docker API well enough for everything dsync does (the
 * Podman end-to-end test runs up --sync-only and up --emulator through it).
 * What its hosts can lack (catatonit for --init, rlimits or cgroups crun
 * refuses) shows up as the engine's refusal, which engine-errors.ts turns into
 * the fix; nothing here is a gap every Podman user would see.
 */
function podmanGaps(): EngineGap[] {
  return [];
}
