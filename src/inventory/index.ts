export { Inventory } from './inventory.js';
export type { InventoryGroup, InventoryHost } from './inventory.js';
export { loadInventory } from './load.js';
export { connectionSettings } from './connection.js';
export type { ConnectionSettings } from './connection.js';
export { InventoryError, NoHostsMatchedError, PatternError } from './errors.js';
export type { InventoryLocation } from './errors.js';
export type { AnsibleList } from './ansible-output.js';
export { toAnsibleJson } from './ansible-output.js';
