// The single error type dsync throws for expected failures. The CLI prints
// `message` and `hint` on one line each and maps `code` to an exit status;
// anything that is not a DsyncError is a bug and gets a stack trace.

export type ErrorCode =
  | 'USAGE'
  | 'CONFIG'
  | 'PROJECT'
  | 'ENGINE_UNREACHABLE'
  | 'ENGINE'
  | 'IMAGE_MISSING'
  | 'CONTAINER_GONE'
  | 'NOT_FOUND'
  | 'TRANSFER'
  | 'INTERRUPTED'
  | 'TEMPLATE'
  | 'SAM_MISSING'
  | 'SAM_FAILED'
  | 'CREDENTIALS'
  | 'EMULATOR'
  | 'STACK_IN_USE'
  | 'STACK_PROTECTED'
  | 'STACK_LOST'
  | 'DEVCONTAINER';

export class DsyncError extends Error {
  override readonly name = 'DsyncError';
  readonly code: ErrorCode;
  readonly hint: string | undefined;

  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }
}

export function isDsyncError(error: unknown, code?: ErrorCode): error is DsyncError {
  return error instanceof DsyncError && (code === undefined || error.code === code);
}

/** Exit statuses, documented in the README. */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  engine: 3,
  notFound: 4,
  failed: 5,
  stackRefused: 6,
  interrupted: 130,
} as const;

export function exitCodeFor(error: unknown): number {
  if (!(error instanceof DsyncError)) return EXIT.internal;
  switch (error.code) {
    case 'USAGE':
    case 'CONFIG':
    case 'PROJECT':
    case 'TEMPLATE':
    case 'CREDENTIALS':
    case 'DEVCONTAINER':
      return EXIT.usage;
    case 'ENGINE_UNREACHABLE':
    case 'ENGINE':
    case 'IMAGE_MISSING':
    case 'SAM_MISSING':
      return EXIT.engine;
    case 'NOT_FOUND':
    case 'CONTAINER_GONE':
      return EXIT.notFound;
    case 'STACK_IN_USE':
    case 'STACK_PROTECTED':
    case 'STACK_LOST':
      return EXIT.stackRefused;
    case 'INTERRUPTED':
      return EXIT.interrupted;
    default:
      return EXIT.failed;
  }
}

/** A node system error's code (ENOENT, EBUSY, ...), if it has one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
