/** Amounts summed per key (milliseconds, samples), largest first on the way out. */
export class Tally {
  readonly amounts = new Map<string, number>();

  add(key: string, amount = 1): void {
    this.amounts.set(key, (this.amounts.get(key) ?? 0) + amount);
  }

  /** The `count` largest (all by default), largest first. */
  top(count = Infinity): Array<[string, number]> {
    return [...this.amounts].sort((a, b) => b[1] - a[1]).slice(0, count);
  }
}
