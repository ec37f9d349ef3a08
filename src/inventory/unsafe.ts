/**
 * A `!unsafe` string: used as it is, never templated. `ansible-inventory --list`
 * prints it as `{"__ansible_unsafe": text}`, and so does JSON.stringify here.
 */
export class UnsafeText {
  constructor(
    /** The string as written in the inventory, `{{ }}` left as it is. */
    readonly text: string,
  ) {}

  /** As `ansible-inventory --list` prints it. */
  toJSON(): {
    /** The string as written. */
    __ansible_unsafe: string;
  } {
    return { __ansible_unsafe: this.text };
  }

  /** The string as written, for use in a command. */
  toString(): string {
    return this.text;
  }
}

/**
 * Ansible's wrap_var for `!unsafe` on a list or mapping: every string in it
 * becomes unsafe, other scalars stay as they are.
 */
export function markUnsafe(value: unknown): unknown {
  if (typeof value === 'string') return new UnsafeText(value);
  if (Array.isArray(value)) return value.map(markUnsafe);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, markUnsafe(item)]));
  }
  return value;
}
