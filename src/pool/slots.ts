import { PoolStateError } from './errors.js';

/**
 * Worker slot numbers 0..size-1, as a timeline draws them: a starting task takes the
 * lowest free one, so two running tasks never share a slot and slots are reused.
 */
export class Slots {
  readonly #busy: boolean[];
  #inUse = 0;

  constructor(size: number) {
    this.#busy = new Array<boolean>(size).fill(false);
  }

  get inUse(): number {
    return this.#inUse;
  }

  acquire(): number {
    const slot = this.#busy.indexOf(false);
    // p-queue never runs more than `size` tasks; reaching this is a bug, not a user error.
    if (slot === -1) throw new PoolStateError(`no free slot: more than ${this.#busy.length} tasks are running`);
    this.#busy[slot] = true;
    this.#inUse++;
    return slot;
  }

  release(slot: number): void {
    this.#busy[slot] = false;
    this.#inUse--;
  }
}
