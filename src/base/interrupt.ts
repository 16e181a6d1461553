// Ctrl-C while dsync is still getting ready (building an image, the initial
// sync, starting the emulator): the work in hand stops being awaited, what
// was started is closed, and the command ends with the documented
// "interrupted" status. Work that continues on the engine (a build step) is
// cancelled by the engine when dsync's connection closes.
import { DsyncError } from './errors.js';

export function interrupted(): DsyncError {
  return new DsyncError('INTERRUPTED', 'interrupted');
}

/** Throw the INTERRUPTED error if the signal has fired. */
export function checkInterrupt(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw interrupted();
}

/** Resolve or reject with `work`, or reject with INTERRUPTED as soon as the signal fires. */
export function interruptible<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(interrupted());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(interrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
