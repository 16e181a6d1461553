import { describe, expect, it } from 'vitest';
import { describeFired } from '../../../src/emulator/trigger.js';

describe('what dsync trigger says it fired', () => {
  it('names the trigger, its kind and where it went', () => {
    expect(describeFired({ fired: 'HeartbeatEvery5', kind: 'rule', targets: ['arn:aws:lambda:us-east-1:123456789012:function:app-Heartbeat-ABC'] })).toBe(
      'fired rule HeartbeatEvery5 -> function:app-Heartbeat-ABC',
    );
    expect(describeFired({ fired: 'Nightly', kind: 'schedule', targets: [] })).toBe('fired schedule Nightly -> no targets');
  });
});

describe('the triggers dsync status lists', () => {
  it('one line each: kind, id, what it reacts to, where it goes, its last run and error', async () => {
    const { describeTriggers } = await import('../../../src/emulator/triggers.js');
    expect(
      describeTriggers([
        {
          id: 'TickEvery',
          kind: 'rule',
          source: 'rate(1 minute)',
          targets: ['function:app-Tick'],
          target: 'function:app-Tick',
          state: 'ENABLED',
          lastRunAt: '2026-12-03T15:00:00Z',
          lastError: null,
        },
        {
          id: 'Orders',
          kind: 'rule',
          source: 'events on orders-bus',
          targets: ['function:app-Record'],
          target: 'function:app-Record',
          state: 'DISABLED',
          lastRunAt: null,
          lastError: 'ResourceNotFoundException: gone',
        },
        { id: 'Jobs', kind: 'mapping', source: 'app-jobs', targets: ['function:app-Worker'], target: 'function:app-Worker', state: 'ENABLED', lastRunAt: null, lastError: null },
      ]),
    ).toEqual([
      'rule TickEvery: rate(1 minute) -> function:app-Tick; last run 2026-12-03T15:00:00Z',
      'rule Orders (disabled): events on orders-bus -> function:app-Record; not run yet, last error: ResourceNotFoundException: gone',
      'mapping Jobs: app-jobs -> function:app-Worker; runs as messages come',
    ]);
  });
});
