import { describe, expect, it } from 'vitest';
import { percentile, summarizeChanges } from '../../../src/samloop/change-log.js';
import type { ChangeReport } from '../../../src/samloop/deployer.js';

describe('change summary', () => {
  const change = (seq: number, latencyMs: number, kind: ChangeReport['kind'] = 'code', ok = true): ChangeReport => ({
    seq,
    kind,
    ok,
    latencyMs,
    resources: kind === 'none' ? [] : ['A'],
    stages: { detectMs: 10, syncMs: 5 },
  });

  it('computes p50/p95 over changes that went live, and keeps the last ones', () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 100], 95)).toBe(100);
    const s = summarizeChanges([change(1, 900), change(2, 1100), change(3, 50, 'none'), change(4, 3000, 'code', false), change(5, 1000)], 'start');
    expect(s).toMatchObject({ count: 3, p50Ms: 1000, p95Ms: 1100 });
    expect(s.last.map((c) => c.seq)).toEqual([1, 2, 4, 5]);
  });
});
