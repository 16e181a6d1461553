import { describe, expect, it } from 'vitest';
import { describeGap, GapLog, standInsOf, type EmulatorGap } from '../../../src/emulator/gaps.js';

const gap = (over: Partial<EmulatorGap>): EmulatorGap => ({
  stack: 'app',
  logicalId: 'ToFeed',
  type: 'AWS::Events::Rule',
  kind: 'inert',
  error: 'the emulator delivers nothing to ToFeed (kinesis)',
  where: '',
  standIn: true,
  time: 1,
  ...over,
});

describe('emulator gaps', () => {
  it('an inert trigger is said as deployed but not run, once per run', () => {
    expect(describeGap(gap({}))).toBe('ToFeed (AWS::Events::Rule) deployed, but the emulator does not run this trigger: the emulator delivers nothing to ToFeed (kinesis)');
    const log = new GapLog();
    expect(log.take([gap({})], 'app').standIns).toHaveLength(1);
    expect(log.take([gap({}), gap({ time: 2 })], 'app').standIns).toHaveLength(0);
  });

  it('status lists stand-ins, not inert triggers', () => {
    const standIn = gap({ logicalId: 'Pipe', type: 'AWS::Pipes::Pipe', kind: 'unsupported', error: 'moto has no CloudFormation support for AWS::Pipes::Pipe' });
    expect(standInsOf([gap({}), standIn], 'app')).toEqual([{ logicalId: 'Pipe', type: 'AWS::Pipes::Pipe', reason: standIn.error }]);
  });
});
