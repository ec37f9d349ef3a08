interface Waiter {
  grant: () => void;
  fail: (error: unknown) => void;
}

/**
 * A limit on things held at once, with waiters served in turn: the channels
 * one connection may have open (sshd's MaxSessions, which a client cannot ask
 * for, so it starts at sshd's default and is lowered to what the server was
 * seen to accept), or the connections through one jump host to one address
 * not yet authenticated (below that sshd's MaxStartups).
 */
export class WaitingSlots {
  private used = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private limit: number) {}

  get inUse(): number {
    return this.used;
  }

  /** Nothing held and nobody waiting. */
  get idle(): boolean {
    return this.used === 0 && this.waiting.length === 0;
  }

  /**
   * Resolves once a slot is this caller's; `aborted` makes the error when
   * `signal` aborts first. `first`: ahead of the others (a caller handing back
   * a slot the server refused, which has waited its turn already).
   */
  take(signal: AbortSignal | undefined, aborted: () => unknown, first = false): Promise<void> {
    if (this.waiting.length === 0 && this.used < this.limit) {
      this.used += 1;
      return Promise.resolve();
    }
    if (signal?.aborted) return Promise.reject(aborted());
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.waiting.splice(this.waiting.indexOf(waiter), 1);
        reject(aborted());
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        fail: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      if (first) this.waiting.unshift(waiter);
      else this.waiting.push(waiter);
    });
  }

  give(): void {
    this.used -= 1;
    this.serve();
  }

  /** The server refused a channel with `accepted` others open: no more than that from now on (never below one). */
  lowerTo(accepted: number): void {
    this.limit = Math.max(1, Math.min(this.limit, accepted));
  }

  /**
   * Every waiter gets the error `makeError` makes (the connection is gone). It is made only when
   * someone waits: a connection mostly ends with nobody waiting, and an error's stack trace costs
   * more than the rest of its end.
   */
  failWaiting(makeError: () => unknown): void {
    if (this.waiting.length === 0) return;
    const error = makeError();
    for (const waiter of this.waiting.splice(0)) waiter.fail(error);
  }

  private serve(): void {
    while (this.used < this.limit && this.waiting.length > 0) {
      this.used += 1;
      (this.waiting.shift() as Waiter).grant();
    }
  }
}
