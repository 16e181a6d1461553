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
