import { inspect } from 'node:util';

const HIDDEN = '[secret]';

/**
 * A password from the inventory. Its text comes out only through reveal():
 * printing, logging or serialising anything that holds one shows `[secret]`,
 * so a settings object that ends up in a message or a record cannot leak it.
 */
export class Secret {
  readonly #text: string;

  constructor(text: string) {
    this.#text = text;
  }

  /** The text itself: call it only where the secret is used (the SSH handshake), never to show it. */
  reveal(): string {
    return this.#text;
  }

  /** `[secret]`, so string templates cannot leak it. */
  toString(): string {
    return HIDDEN;
  }

  /** `[secret]`, so records and results files cannot leak it. */
  toJSON(): string {
    return HIDDEN;
  }

  /** `[secret]` in util.inspect and console.log. */
  [inspect.custom](): string {
    return HIDDEN;
  }
}
