/** Inventory warnings, each said once: one per cause, not one per host that shares it. */
export class InventoryWarnings {
  readonly messages: string[] = [];
  private readonly keys = new Set<string>();

  /** `key` names the cause when the message itself differs per occurrence (it carries a location). */
  add(message: string, key: string = message): void {
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.messages.push(message);
  }
}
