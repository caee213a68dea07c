// Cancellation for long calls. JS loops check the signal between batches; native work that runs
// entirely in C++ (kinosons, trajectory scans) gets a native CancelToken that its loops poll, so
// an abort stops the worker thread instead of leaving it burning CPU after the promise rejected.
import { native, NativeCancelToken } from './native';

/** Throws `signal.reason` (an 'AbortError' DOMException unless the caller gave another reason). */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  signal?.throwIfAborted();
}

/** Whether an error is the rejection of an aborted call (name 'AbortError'). */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/**
 * Runs a native call that accepts a cancel token. The token is cancelled when the signal aborts;
 * the native loops notice within milliseconds and the call rejects. Where the signal aborted, the
 * rejection is `signal.reason`, whatever error the native side reported for stopping.
 */
export async function withNativeCancel<T>(signal: AbortSignal | undefined, run: (token: NativeCancelToken | undefined) => Promise<T>): Promise<T> {
  signal?.throwIfAborted();
  if (!signal) return run(undefined);
  const token = new (native().CancelToken)();
  const cancel = () => token.cancel();
  signal.addEventListener('abort', cancel, { once: true });
  try {
    return await run(token);
  } catch (error) {
    signal.throwIfAborted();
    throw error;
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}
