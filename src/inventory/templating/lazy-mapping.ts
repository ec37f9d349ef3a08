import { Undefined } from './undefined.js';

/**
 * A mapping whose values are worked out when read, as Ansible's HostVars: a
 * template that reads `hostvars['db1'].ansible_host` templates that one var of
 * db1, not every var of every host. Printing or comparing it reads it all.
 */
export abstract class LazyMapping {
  /** As Python's type(x).__name__, for messages. */
  abstract readonly typeName: string;
  abstract keys(): readonly string[];
  abstract has(key: string): boolean;
  /** The value, or an Undefined when reading it fails on an undefined variable. */
  abstract get(key: string): unknown;

  /** What reading a key it does not have gives. */
  missing(key: string): Undefined {
    return new Undefined(`'${this.typeName} object' has no attribute '${key}'`);
  }
}
