/**
 * Calls user code the pool runs on the side (result callbacks, event listeners).
 * Such code must neither change a task's outcome nor be swallowed, so an exception it
 * throws is re-thrown outside the pool's promise chains, where Node reports it as an
 * uncaught exception (as it does for a throwing EventEmitter listener).
 */
export function callHook(hook: () => void): void {
  try {
    hook();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}
