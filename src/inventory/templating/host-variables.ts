import { inventoryOf } from '../inventory.js';
import type { InventoryHost } from '../inventory.js';
import type { PatternScope } from '../host-pattern.js';
import { VaultError, VaultSecrets } from '../vault.js';
import { HostVariableError } from './errors.js';
import { HostScope, OMIT, TemplateSession, VariableFailure } from './scope.js';
import { Undefined, UndefinedError } from './undefined.js';
import type { UndefinedStep } from './undefined.js';

/** A host's variables, templated in its own scope (Ansible's variable scope for that host). */
export interface HostVariables {
  /**
   * The var's value, templated; undefined when the host has no such var (or
   * it is `omit`). Throws HostVariableError when its template cannot be
   * evaluated or a `!vault` value it needs cannot be decrypted.
   */
  get(name: string): unknown;
  /** Any value (a command's variables) templated in this host's scope; errors name `what`. */
  template(value: unknown, what: string): unknown;
}

/**
 * The templated variables of the hosts of one run: connection settings now,
 * command variables later. Hosts selected from an inventory see its `groups`
 * and `hostvars`; a host made by hand is a one-host inventory of its own.
 * Nothing is templated until read, and a var read by many hosts through
 * hostvars is templated once.
 */
export class TemplatedVariables {
  private readonly session: TemplateSession;
  private readonly hosts = new WeakMap<InventoryHost, HostVariables>();

  constructor(options: { vault?: VaultSecrets } = {}) {
    this.session = new TemplateSession(options.vault ?? new VaultSecrets([]));
  }

  /** The host's variables, each templated (and decrypted) when first read; errors are HostVariableError, thrown by `get`. */
  of(host: InventoryHost): HostVariables {
    let variables = this.hosts.get(host);
    if (!variables) {
      const scope = new HostScope(host, () => this.session.views(inventoryOf(host) ?? oneHostInventory(host)), { hostvars: true, strict: true });
      variables = {
        get: (name) => {
          const value = evaluate(scope, name, () => scope.lookup(name));
          return value === OMIT ? undefined : value;
        },
        template: (value, what) => evaluate(scope, what, () => scope.template(value)),
      };
      this.hosts.set(host, variables);
    }
    return variables;
  }
}

function evaluate(scope: HostScope, variable: string, read: () => unknown): unknown {
  let value: unknown;
  try {
    value = read();
  } catch (error) {
    const failure = error instanceof VariableFailure ? error : new VariableFailure(error, []);
    throw hostError(scope, variable, failure.cause, withoutSelf(failure.via, variable));
  }
  if (value instanceof Undefined) throw hostError(scope, variable, new UndefinedError(value), withoutSelf(value.via, variable));
  return value;
}

function withoutSelf(via: readonly UndefinedStep[], variable: string): readonly UndefinedStep[] {
  return via[0]?.name === variable ? via.slice(1) : via;
}

/** A !vault failure is INVENTORY_VAULT; anything else the engine met (undefined, syntax, types, a loop, nesting too deep) INVENTORY_TEMPLATE. */
function hostError(scope: HostScope, variable: string, cause: unknown, via: readonly UndefinedStep[]): HostVariableError {
  const where = { host: scope.host.name, variable, origin: scope.origin(variable), via };
  if (cause instanceof VaultError) return new HostVariableError('INVENTORY_VAULT', where, cause.message, { cause });
  const reason = cause instanceof RangeError ? 'templates nested too deeply (a recursive loop?)' : (cause as Error).message;
  return new HostVariableError('INVENTORY_TEMPLATE', where, reason, { cause });
}

function oneHostInventory(host: InventoryHost): PatternScope<InventoryHost> {
  return {
    hosts: [host],
    groupNames: host.groups,
    host: (name) => (name === host.name ? host : undefined),
    hostsOfGroup: (group) => (host.groups.includes(group) ? [host] : []),
  };
}
