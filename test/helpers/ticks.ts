/**
 * Resolves after every microtask queued so far has run (and the ones those queue), which
 * lets promise chains and p-queue advance without waiting on wall-clock time.
 */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Whether `promise` has settled once pending microtasks have run; attaches its own handlers. */
export async function hasSettled(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(
    () => (settled = true),
    () => (settled = true),
  );
  await nextMacrotask();
  return settled;
}
