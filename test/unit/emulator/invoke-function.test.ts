import { describe, expect, it } from 'vitest';
import { failureLine } from '../../../src/emulator/invoke-function.js';

describe('a failed invocation in one line', () => {
  it('says the error type and message the runtime gave', () => {
    expect(failureLine('OrdersFunction', JSON.stringify({ errorType: 'ValueError', errorMessage: 'bad order\nmore', stackTrace: [] }))).toBe(
      'dsync: OrdersFunction failed: ValueError: bad order (its logs: dsync invoke --logs, or dsync logs)',
    );
  });

  it('names the runtime the emulator cannot run, never just "Unhandled"', () => {
    const payload = JSON.stringify({
      errorType: 'Runtime.Unavailable',
      errorMessage: 'ruby3.3: the emulator runs Node.js, Python and provided (bootstrap) functions, not this runtime',
    });
    expect(failureLine('Fn', payload)).toBe(
      'dsync: Fn failed: Runtime.Unavailable: ruby3.3: the emulator runs Node.js, Python and provided (bootstrap) functions, not this runtime (the emulator cannot run it)',
    );
  });

  it('copes with a payload that is not JSON', () => {
    expect(failureLine('Fn', 'oops')).toBe('dsync: Fn failed: an error (its logs: dsync invoke --logs, or dsync logs)');
  });
});
