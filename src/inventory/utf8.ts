import { InventoryError } from './errors.js';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** A file's text; a file that is not UTF-8 is refused by name, as Ansible refuses it, rather than read with replacement characters. */
export function decodeUtf8(shown: string, bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch (error) {
    throw new InventoryError('INVENTORY_READ', `cannot read '${shown}': it is not UTF-8 text`, { file: shown }, { cause: error });
  }
}
