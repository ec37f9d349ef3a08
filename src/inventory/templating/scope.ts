import { madeOnFirstUse } from '../../made-on-first-use.js';
import { isIpAddress } from '../address.js';
import type { PatternScope } from '../host-pattern.js';
import type { InventoryHost } from '../inventory.js';
import type { VariableOrigin } from '../inventory-data.js';
import { UnsafeText } from '../unsafe.js';
import { VaultText } from '../vault.js';
import type { VaultSecrets } from '../vault.js';
import { renderTemplate } from './engine.js';
import { JinjaError } from './errors.js';
import { LazyMapping } from './lazy-mapping.js';
import { mayBeTemplate } from './markers.js';
import { isDict } from './python.js';
import type { VariableSource } from './runtime.js';
import { Undefined, UndefinedError } from './undefined.js';
import type { UndefinedStep } from './undefined.js';

/** Ansible's omit placeholder: a var set to it (`default(omit)`) counts as not set. */
export const OMIT = '__omit_place_holder__sshpool';

/** Ansible's magic vars that an inventory host has; they win over inventory vars of the same name. */
const MAGIC_NAMES: readonly string[] = ['inventory_hostname', 'inventory_hostname_short', 'group_names', 'groups', 'omit', 'hostvars'];

/** Templar's SINGLE_VAR: `{{ name }}` alone gives that var's number, bool or None as it is. */
const singleVar = madeOnFirstUse(() => /^\{\{\s*([\p{L}\p{N}_]*)\s*\}\}$/u);

/** A failure that is no undefined variable (a syntax error, a loop, a !vault that cannot be decrypted), and the variables it was reached through. */
export class VariableFailure extends Error {
  constructor(
    override readonly cause: unknown,
    readonly via: readonly UndefinedStep[],
  ) {
    super((cause as Error).message);
  }

  static through(error: unknown, step: UndefinedStep): VariableFailure {
    return error instanceof VariableFailure ? new VariableFailure(error.cause, [step, ...error.via]) : new VariableFailure(error, [step]);
  }
}

/**
 * What the hosts of one run share: the `groups` and `hostvars` views of each
 * inventory, and the vault passwords. hostvars['db1'].x is templated once for
 * all the hosts that read it.
 */
export class TemplateSession {
  private readonly inventories = new WeakMap<PatternScope<InventoryHost>, InventoryViews>();

  constructor(readonly vault: VaultSecrets) {}

  views(inventory: PatternScope<InventoryHost>): InventoryViews {
    let views = this.inventories.get(inventory);
    if (!views) {
      views = new InventoryViews(inventory, this);
      this.inventories.set(inventory, views);
    }
    return views;
  }
}

class InventoryViews {
  readonly groups: GroupsMapping;
  readonly hostvars: HostVarsMapping;

  constructor(
    readonly inventory: PatternScope<InventoryHost>,
    readonly session: TemplateSession,
  ) {
    this.groups = new GroupsMapping(inventory);
    this.hostvars = new HostVarsMapping(this);
  }
}

/** The `groups` magic var: every group's hosts, as Ansible's get_groups_dict, read per group. */
class GroupsMapping extends LazyMapping {
  readonly typeName = 'dict';
  private readonly names = new Map<string, string[]>();

  constructor(private readonly inventory: PatternScope<InventoryHost>) {
    super();
  }

  keys(): readonly string[] {
    return this.inventory.groupNames;
  }

  has(key: string): boolean {
    return this.inventory.groupNames.includes(key);
  }

  get(key: string): unknown {
    let names = this.names.get(key);
    if (!names) {
      names = this.inventory.hostsOfGroup(key).map((host) => host.name);
      this.names.set(key, names);
    }
    return names;
  }
}

/** The `hostvars` magic var: each host's vars, templated in that host's own scope when read. */
class HostVarsMapping extends LazyMapping {
  readonly typeName = 'HostVars';
  private readonly hosts = new Map<string, HostVarsView>();

  constructor(private readonly views: InventoryViews) {
    super();
  }

  keys(): readonly string[] {
    return this.views.inventory.hosts.map((host) => host.name);
  }

  has(key: string): boolean {
    return this.views.inventory.host(key) !== undefined;
  }

  get(key: string): unknown {
    const host = this.views.inventory.host(key);
    if (!host) return new Undefined(`"hostvars['${key}']" is undefined`);
    let view = this.hosts.get(key);
    if (!view) {
      view = new HostVarsView(new HostScope(host, this.views, { hostvars: false, strict: false }));
      this.hosts.set(key, view);
    }
    return view;
  }

  override missing(key: string): Undefined {
    return this.get(key) as Undefined;
  }
}

class HostVarsView extends LazyMapping {
  readonly typeName = 'HostVarsVars';

  constructor(private readonly scope: HostScope) {
    super();
  }

  keys(): readonly string[] {
    return this.scope.names();
  }

  has(key: string): boolean {
    return this.scope.raw(key) !== undefined;
  }

  get(key: string): unknown {
    return this.scope.lookup(key);
  }
}

/**
 * One host's variables as a template sees them (Ansible's AnsibleJ2Vars): its
 * merged vars, templated when read and then kept, and the magic vars
 * (inventory_hostname, inventory_hostname_short, group_names, groups,
 * hostvars, omit), which win over inventory vars of the same name.
 *
 * A strict scope is a host's own: a var whose template reads an undefined
 * variable is an Undefined, which fails where it is used. The lenient scopes
 * behind `hostvars` leave such a value untemplated and have no `hostvars` of
 * their own, as Ansible's HostVarsVars.
 */
export class HostScope implements VariableSource {
  private readonly values = new Map<string, unknown>();
  /** The vars being templated, innermost last: reading one of them again is a loop. */
  private readonly resolving: string[] = [];

  private inventoryViews: InventoryViews | undefined;

  /** `views` is asked for only when a template reads groups or hostvars, or a !vault value is decrypted. */
  constructor(
    readonly host: InventoryHost,
    private readonly viewsOf: InventoryViews | (() => InventoryViews),
    private readonly options: { hostvars: boolean; strict: boolean },
  ) {}

  private get views(): InventoryViews {
    this.inventoryViews ??= typeof this.viewsOf === 'function' ? this.viewsOf() : this.viewsOf;
    return this.inventoryViews;
  }

  origin(name: string): VariableOrigin | undefined {
    return this.host.origins?.[name];
  }

  names(): string[] {
    return [...new Set([...Object.keys(this.host.vars), ...this.magicNames()])];
  }

  /** The value as written (magic vars as they are), or undefined for no such var. */
  raw(name: string): unknown {
    if (this.isMagic(name)) return this.magic(name);
    return Object.hasOwn(this.host.vars, name) ? this.host.vars[name] : undefined;
  }

  lookup(name: string): unknown {
    if (this.isMagic(name)) return this.magic(name);
    if (!Object.hasOwn(this.host.vars, name)) return undefined;
    if (this.values.has(name)) return this.values.get(name);
    const start = this.resolving.indexOf(name);
    if (start >= 0) throw new JinjaError(`recursive loop detected in template string: ${[...this.resolving.slice(start), name].join(' -> ')}`);
    const step = { name, origin: this.origin(name) };
    this.resolving.push(name);
    let value: unknown;
    try {
      value = this.template(this.host.vars[name]);
    } catch (error) {
      if (!(error instanceof UndefinedError)) throw VariableFailure.through(error, step);
      value = error.undefinedValue.through(step);
    } finally {
      this.resolving.pop();
    }
    this.values.set(name, value);
    return value;
  }

  /** Ansible's Templar.template: strings with a template are rendered, lists and dicts item by item, `!unsafe` never. */
  template(value: unknown): unknown {
    if (typeof value === 'string') return mayBeTemplate(value) ? this.templateString(value) : value;
    if (value instanceof UnsafeText) return value.text;
    if (value instanceof VaultText) return this.template(this.views.session.vault.decrypt(value));
    if (Array.isArray(value)) return value.map((item) => this.template(item));
    if (isDict(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.template(item)]));
    return value;
  }

  private templateString(text: string): unknown {
    const single = singleVar().exec(text);
    if (single) {
      const raw = this.raw(single[1]!);
      if (typeof raw === 'number' || typeof raw === 'boolean' || raw === null) return raw;
    }
    try {
      return renderTemplate(text, this);
    } catch (error) {
      if (error instanceof UndefinedError && !this.options.strict) return text;
      throw error;
    }
  }

  private magicNames(): readonly string[] {
    return this.options.hostvars ? MAGIC_NAMES : MAGIC_NAMES.filter((name) => name !== 'hostvars');
  }

  private isMagic(name: string): boolean {
    return MAGIC_NAMES.includes(name) && (name !== 'hostvars' || this.options.hostvars);
  }

  /** Worked out when read: most hosts' connection settings read none of them. */
  private magic(name: string): unknown {
    const { name: host, groups } = this.host;
    switch (name) {
      case 'inventory_hostname':
        return host;
      case 'inventory_hostname_short':
        return isIpAddress(host) ? host : host.split('.')[0];
      case 'group_names':
        return groups.filter((group) => group !== 'all').sort();
      case 'groups':
        return this.views.groups;
      case 'omit':
        return OMIT;
      default:
        return this.views.hostvars;
    }
  }
}
