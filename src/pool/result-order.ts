import type { AsyncResult } from './async-result.js';

/** Yields each value once it and every one before it are done; a failure is thrown at its place. */
export async function* inSubmissionOrder<T>(results: readonly AsyncResult<T>[]): AsyncGenerator<T, void, undefined> {
  for (const result of results) yield await result.get();
}

/**
 * Yields values in the order their tasks settle; a failure is thrown at its place. The
 * order is recorded from the call on, not from the first `next()`, since results that
 * settled before iteration began would otherwise come back in submission order.
 */
export function inCompletionOrder<T>(results: readonly AsyncResult<T>[]): AsyncGenerator<T, void, undefined> {
  const settled: AsyncResult<T>[] = [];
  let wake: (() => void) | undefined;
  for (const result of results) {
    void result.wait().then(() => {
      settled.push(result);
      wake?.();
    });
  }
  return (async function* () {
    for (let position = 0; position < results.length; position++) {
      while (settled.length <= position) await new Promise<void>((resolve) => (wake = resolve));
      yield await settled[position]!.get();
    }
  })();
}
