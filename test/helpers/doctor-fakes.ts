// Fakes for `dsync doctor`'s probes: an engine that answers from a table, an
// in-memory project, and a context built from them. Unit tests only.
import path from 'node:path';
import { DsyncError } from '../../src/base/errors.js';
import { hostPlatform } from '../../src/base/platform.js';
import { DEFAULTS, type DsyncConfig } from '../../src/config/config.js';
import type { ContainerInfo, ExecResult } from '../../src/docker/container-client.js';
import type { DoctorEngine, DoctorInput, DoctorProbes } from '../../src/doctor/run.js';
import type { HostFs, HostStat } from '../../src/sync/host-fs.js';

export const ROOT = '/work/app';
export const NOW = 1_800_000_000_000;
export const IMAGE_ID = `sha256:${'a'.repeat(64)}`;
export const REPO_DIGEST = `sha256:${'b'.repeat(64)}`;

export const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/, Handler: app.handler, Runtime: nodejs22.x }
  World:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/, Handler: app.world, Runtime: nodejs22.x }
  Table:
    Type: AWS::DynamoDB::Table
`;

export type FakeFile = string | { text: string; mode: number };

/** An in-memory POSIX project under ROOT: files by project path (folders implied). */
export function memFs(files: Record<string, FakeFile>): HostFs {
  const entries = new Map<string, { text: string; mode: number } | 'dir'>([['', 'dir']]);
  for (const [p, f] of Object.entries(files)) {
    const parts = p.split('/');
    for (let i = 1; i < parts.length; i++) entries.set(parts.slice(0, i).join('/'), 'dir');
    entries.set(p, typeof f === 'string' ? { text: f, mode: 0o644 } : f);
  }
  const rel = (p: string) => path.posix.relative(ROOT, p);
  const get = (p: string) => {
    const e = entries.get(rel(p));
    if (e === undefined) throw Object.assign(new Error(`ENOENT: ${p}`), { code: 'ENOENT' });
    return e;
  };
  const stat = (e: ReturnType<typeof get>): HostStat => ({
    isFile: () => e !== 'dir',
    isDirectory: () => e === 'dir',
    isSymbolicLink: () => false,
    mode: e === 'dir' ? 0o40755 : 0o100000 | e.mode,
    size: e === 'dir' ? 0 : e.text.length,
    mtimeMs: NOW,
  });
  return {
    lstat: async (p) => stat(get(p)),
    readdir: async (p) => {
      const dir = rel(p);
      return [...entries.keys()].filter((k) => k !== '' && path.posix.dirname(k) === (dir === '' ? '.' : dir)).map((k) => path.posix.basename(k));
    },
    readlink: async (p) => {
      throw Object.assign(new Error(`EINVAL: ${p}`), { code: 'EINVAL' });
    },
    readFile: async (p) => {
      const e = get(p);
      if (e === 'dir') throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
      return e.text;
    },
    readHead: async (p, n) => {
      const e = get(p);
      if (e === 'dir') throw Object.assign(new Error('EISDIR'), { code: 'EISDIR' });
      return Buffer.from(e.text, 'utf8').subarray(0, n);
    },
  };
}

/** What the fake container answers, by the command's first word. */
export interface ContainerAnswers {
  sam?: Partial<ExecResult>;
  date?: Partial<ExecResult>;
  env?: Partial<ExecResult>;
  df?: Partial<ExecResult>;
  sh?: Partial<ExecResult>;
}

export const DF_32G = 'Filesystem     1024-blocks      Used Available Capacity Mounted on\n/dev/sda1        61255492  26077560  33915488      44% /dsync\n';

export function fakeEngine(answers: ContainerAnswers = {}, over: Partial<DoctorEngine> = {}): DoctorEngine & { execs: string[][] } {
  const execs: string[][] = [];
  const defaults: Required<ContainerAnswers> = {
    sam: { stdout: 'SAM CLI, version 1.142.1\n' },
    date: { stdout: `${(NOW / 1000 + 0.2).toFixed(9)}\n` },
    env: { stdout: 'PATH=/usr/bin\nHOME=/root\n' },
    df: { stdout: DF_32G },
    sh: { stdout: '' },
  };
  return {
    execs,
    endpoint: 'unix:///var/run/docker.sock',
    ping: async () => undefined,
    engineVersion: async () => ({
      version: '27.3.1',
      apiVersion: '1.47',
      os: 'linux',
      arch: 'amd64',
      identity: { kind: 'dockerd', label: 'Docker Engine', rootless: false, gaps: [] },
    }),
    inspectImage: async () => ({ id: IMAGE_ID, repoDigests: [`public.ecr.aws/sam/build-nodejs22.x@${REPO_DIGEST}`], labels: {} }),
    exec: async (_id, options) => {
      execs.push(options.cmd);
      const key = options.cmd[0] as keyof ContainerAnswers;
      const answer = answers[key] ?? defaults[key] ?? { exitCode: 127, stderr: `${options.cmd[0]}: not found` };
      return { exitCode: 0, stdout: '', stderr: '', ...answer };
    },
    ...over,
  };
}

export const RUNNING: ContainerInfo = { id: 'c0ffee', name: 'dsync-app-1234', image: 'public.ecr.aws/sam/build-nodejs22.x', state: 'running', labels: {} };

export interface FakeSetup {
  engine?: DoctorEngine;
  connectError?: Error;
  container?: ContainerInfo | undefined;
  files?: Record<string, FakeFile>;
  credentials?: () => Promise<import('../../src/sam/credentials.js').Credentials>;
  maxUserWatches?: string;
  caFiles?: string[];
}

export function fakeProbes(setup: FakeSetup = {}): DoctorProbes {
  const files = setup.files ?? { 'template.yaml': TEMPLATE, 'src/app.js': 'exports.handler = async () => 1;\n' };
  const fs = memFs(files);
  return {
    connect: () => {
      if (setup.connectError) throw setup.connectError;
      return setup.engine ?? fakeEngine();
    },
    findContainer: async () => ('container' in setup ? setup.container : RUNNING),
    samImageSource: async () => ({ dockerfile: 'FROM x\n', caCertificates: [], baseImage: 'debian:bookworm-slim' }),
    credentials: setup.credentials ?? (async () => ({ accessKeyId: 'AKIA', secretAccessKey: 's', source: 'profile "dev" (from --profile)' })),
    readProject: async (p) => {
      const f = files[p];
      return f === undefined ? undefined : typeof f === 'string' ? f : f.text;
    },
    fs,
    gitIndex: async () => undefined,
    readSystemFile: async () => setup.maxUserWatches ?? '524288\n',
    hostCaFiles: () => setup.caFiles ?? [],
  };
}

export function fakeInput(over: Partial<DoctorInput> = {}, config: Partial<DsyncConfig> = {}): DoctorInput {
  return {
    config: { ...DEFAULTS, root: ROOT, ...config },
    mode: 'aws',
    env: {},
    platform: hostPlatform('linux'),
    now: () => NOW,
    ...over,
  };
}

export const unreachable = () =>
  new DsyncError('ENGINE_UNREACHABLE', 'Cannot reach the Docker engine at unix:///var/run/docker.sock: ENOENT', {
    hint: 'start Docker Desktop or dockerd, or point DOCKER_HOST / DOCKER_CONTEXT at a running engine',
  });
