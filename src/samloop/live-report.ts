// What the loop reports for each batch: whether and when it went live, and
// where its time went; the one-line message a person reads.
import type { StepMarks } from '../sam/runner.js';

export interface DeployReport {
  seq: number;
  kind: 'infra' | 'code';
  resources: string[];
  ok: boolean;
  ms: number;
  cause?: string;
  marks?: StepMarks;
  /** Went live through dsync's npm shortcut instead of SAM's build. */
  shortcut?: boolean;
}

/** Where a change's time went, in ms: detect (quiet period), sync (transfer), queue (waiting for a running SAM step), build, update (code upload and update), ready (waiting for the function to be ready and SAM to finish). */
export interface Stages {
  detectMs: number;
  syncMs: number;
  queueMs?: number;
  buildMs?: number;
  updateMs?: number;
  readyMs?: number;
}

/** One batch's outcome: live (ok), failed (with cause), or nothing to deploy (kind 'none'). */
export interface ChangeReport {
  seq: number;
  kind: 'infra' | 'code' | 'none';
  resources: string[];
  ok: boolean;
  /** First event to live, ms. */
  latencyMs: number;
  stages: Stages;
  cause?: string;
}

const fmt = (ms: number | undefined) => (ms === undefined ? '?' : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

/** "✔ #12 HelloFunction live in 1.3 s (sync 40 ms · build 0.8 s · update 0.4 s)" */
export function liveMessage(c: ChangeReport, stackName: string): string {
  const what = c.kind === 'infra' ? `stack ${stackName}` : c.resources.length > 0 ? c.resources.join(', ') : 'files';
  const s = c.stages;
  if (!c.ok) return `✖ #${c.seq} ${what} not live: ${c.cause ?? 'failed'}`;
  if (c.kind === 'none') return `✔ #${c.seq} synced in ${fmt(s.syncMs)} (no resource affected)`;
  const parts = [`sync ${fmt(s.syncMs)}`];
  if (s.queueMs) parts.push(`queued ${fmt(s.queueMs)}`);
  parts.push(`build ${fmt(s.buildMs)}`, `update ${fmt(s.updateMs)}`);
  if (s.readyMs && s.readyMs >= 50) parts.push(`ready ${fmt(s.readyMs)}`);
  return `✔ #${c.seq} ${what} live in ${fmt(c.latencyMs)} (${parts.join(' · ')})`;
}
