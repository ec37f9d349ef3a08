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

  reveal(): string {
    return this.#text;
  }

  toString(): string {
    return HIDDEN;
  }

  toJSON(): string {
    return HIDDEN;
  }

  [inspect.custom](): string {
    return HIDDEN;
  }
}
