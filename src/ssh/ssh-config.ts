import { readFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse, type Line } from 'ssh-config';
import { InputError } from '../errors.js';
import { timerDelayMs } from '../timer-delay.js';
import { HostPatternList, hasWildcard, patternToRegExp } from './host-pattern.js';
import { OPENSSH_KEYWORDS } from './openssh-keywords.js';
import { checkProxyCommandTokens } from './proxy-command.js';
import { expandPathTokens, checkPathTokens, homePath } from './path-tokens.js';

export type StrictHostKeyChecking = 'yes' | 'accept-new' | 'no';

export interface ResolvedSshConfig {
  hostname: string;
  port: number;
  user: string;
  /** Already %- and ~-expanded. The OpenSSH defaults are listed whether or not they exist. */
  identityFiles: string[];
  /** CertificateFile, every one given, %- and ~-expanded; absent when unset. */
  certificateFiles?: string[];
  identitiesOnly: boolean;
  /** As written after expansion: a socket path, or 'none' (agent disabled); see agentSocketFor(). */
  identityAgent?: string;
  /** Raw, e.g. "user@jump:2222,jump2". Absent when unset or `ProxyJump none`. */
  proxyJump?: string;
  /**
   * As written, %-tokens unexpanded (they name the final host, port and user); absent when unset
   * or `ProxyCommand none`. Only one of proxyJump and proxyCommand is set: the first obtained.
   */
  proxyCommand?: string;
  connectTimeoutMs?: number;
  serverAliveIntervalMs?: number;
  serverAliveCountMax?: number;
  strictHostKeyChecking?: StrictHostKeyChecking;
  userKnownHostsFiles: string[];
  /** As written: ssh expands neither ~ nor %-tokens here. Empty for `GlobalKnownHostsFile none`. */
  globalKnownHostsFiles: string[];
  hashKnownHosts: boolean;
  hostKeyAlias?: string;
}

export type SshConfigField = keyof ResolvedSshConfig;

/**
 * `values` is complete (file values over OpenSSH's defaults); `fromFile` names the fields
 * the file set, so a caller ranking CLI flags > inventory vars > ssh_config > defaults can
 * let inventory vars override only what the file did not say. A field can be in
 * `fromFile` with an undefined value (`ProxyJump none`): the file decided "no jump host".
 */
export interface SshConfigResolution {
  values: ResolvedSshConfig;
  fromFile: ReadonlySet<SshConfigField>;
  /** The file and line each field of `fromFile` was obtained from (for identityFiles, its first IdentityFile line). */
  origins: ReadonlyMap<SshConfigField, SshConfigLocation>;
}

/** A line of an ssh_config file (or of a file it includes). */
export interface SshConfigLocation {
  /** The file's path. */
  file: string;
  /** 1-based. */
  line: number;
}

/** What a Match line is judged on, besides the alias: `user` as ssh's -l gives it (the inventory's or the flag's), above the file's User. */
export interface ResolveContext {
  user?: string;
}

/** The config file is malformed: names file and line, as `ssh -G` does. */
export class SshConfigError extends InputError {
  constructor(file: string, line: number, message: string, options?: { cause?: unknown }) {
    super('SSH_CONFIG', `${file}:${line}: ${message}`, options);
  }
}

type Condition =
  | { kind: 'host'; patterns: HostPatternList }
  | { kind: 'match'; criteria: readonly Criterion[] }
  | { kind: 'never' };

/** One criterion of a Match line, `!` negating it, as readconf.c's match_cfg_line() judges them. */
type Criterion =
  | { kind: 'all' | 'canonical' | 'final'; negate: boolean }
  | { kind: 'host' | 'originalhost' | 'user' | 'localuser'; negate: boolean; patterns: HostPatternList };

/** What the criteria of a Match line are judged on when the line is reached. */
interface MatchState {
  alias: string;
  hostname: string;
  user: string;
  localUser: string;
  /** ssh's second reading of the file, made when a `Match final` exists: `canonical` and `final` hold only there. */
  final: boolean;
}

interface Setting {
  field: SshConfigField;
  /** Raw strings for the path lists (expanded per host); parsed values otherwise. */
  value: string | string[] | number | boolean | undefined;
  conditions: readonly Condition[];
  /** Order in the file (Includes inlined): first obtained wins. */
  position: number;
  at: SshConfigLocation;
}

const DEFAULT_IDENTITY_FILES = ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa'];
const DEFAULT_KNOWN_HOSTS_FILES = ['known_hosts', 'known_hosts2'];
/** OpenSSH's _PATH_SSH_SYSTEM_HOSTFILE and _PATH_SSH_SYSTEM_HOSTFILE2. */
const DEFAULT_GLOBAL_KNOWN_HOSTS_FILES = ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'];
/** OpenSSH's READCONF_MAX_DEPTH. */
const MAX_INCLUDE_DEPTH = 16;

/** ProxyJump and ProxyCommand exclude each other: the first obtained decides, `none` included (OpenSSH's readconf.c). */
const RIVALS: Partial<Record<SshConfigField, SshConfigField>> = { proxyJump: 'proxyCommand', proxyCommand: 'proxyJump' };

/**
 * ssh_config(5) for the settings sshpool uses: parsed once at load into a flat list of
 * settings, each carrying the Host/Match conditions around it, then resolved per alias
 * with the first obtained value winning. Keywords ssh knows that sshpool does not use are
 * ignored; a keyword ssh does not know either is a warning (ssh would refuse the file).
 */
export class SshConfigResolver {
  /** Things in the file we do not support and treated conservatively; for the CLI to show. */
  readonly warnings: readonly string[];
  /** Settings that may apply to any alias, in file order. */
  private readonly general: readonly Setting[] = [];
  /** Settings under a `Host` line of literal names only, by name: big generated configs are mostly these. */
  private readonly byName = new Map<string, Setting[]>();
  private readonly cache = new Map<string, SshConfigResolution>();
  private readonly localUser: string;
  private readonly home: string;

  /** Whether a `Match final` exists: then ssh reads the file a second time, Host lines matched against the HostName obtained. */
  private readonly finalPass: boolean;

  private constructor(settings: Setting[], warnings: string[], finalPass: boolean) {
    this.finalPass = finalPass;
    const general: Setting[] = [];
    for (const setting of settings) {
      const [condition, ...nested] = setting.conditions;
      const names = condition?.kind === 'host' && nested.length === 0 ? condition.patterns.literalNames() : undefined;
      if (!names) {
        general.push(setting);
        continue;
      }
      for (const name of names) {
        const list = this.byName.get(name);
        if (list) list.push(setting);
        else this.byName.set(name, [setting]);
      }
    }
    this.general = general;
    this.warnings = warnings;
    const info = os.userInfo();
    this.localUser = info.username;
    this.home = info.homedir;
  }

  /** `file` is ssh's -F; by default ~/.ssh/config. A missing file is an empty config. */
  static async load(file?: string): Promise<SshConfigResolver> {
    const loader = new ConfigLoader(homePath());
    await loader.loadFile(file ?? path.join(homePath(), '.ssh', 'config'), [], 0, { mustExist: file !== undefined });
    return new SshConfigResolver(loader.settings, loader.warnings, loader.finalPass);
  }

  /** `context.user`: the user ssh would be given with -l (Match user sees it); the file's User is obtained only without it. */
  resolve(alias: string, context: ResolveContext = {}): SshConfigResolution {
    const key = context.user === undefined ? alias : `${alias}\0${context.user}`;
    let resolution = this.cache.get(key);
    if (!resolution) {
      resolution = this.compute(alias, context);
      this.cache.set(key, resolution);
    }
    return resolution;
  }

  private candidates(name: string): readonly Setting[] {
    const named = this.byName.get(name.toLowerCase());
    return named ? mergeInFileOrder(this.general, named) : this.general;
  }

  private compute(alias: string, context: ResolveContext): SshConfigResolution {
    const obtained = new Map<SshConfigField, Setting['value']>();
    const origins = new Map<SshConfigField, SshConfigLocation>();
    const identityFiles: string[] = [];
    const certificateFiles: string[] = [];
    const currentHostname = () => expandHostname(obtained.get('hostname'), alias);
    const pass = (hostArgument: string, final: boolean) => {
      const matchResults = new Map<Condition, boolean>();
      // Match sees the HostName and User obtained so far, as in OpenSSH's match_cfg_line(),
      // so a Match line is judged once, when reached; Host lines depend on the host argument only.
      const holds = (condition: Condition) => {
        if (condition.kind !== 'match') return condition.kind === 'host' && condition.patterns.matches(hostArgument);
        let result = matchResults.get(condition);
        if (result === undefined) {
          const user = context.user ?? (obtained.get('user') as string | undefined) ?? this.localUser;
          result = matchHolds(condition.criteria, { alias, hostname: currentHostname(), user, localUser: this.localUser, final });
          matchResults.set(condition, result);
        }
        return result;
      };
      // Settings of one block share their conditions array: test it once per block.
      let lastConditions: readonly Condition[] | undefined;
      let lastHolds = false;
      for (const setting of this.candidates(hostArgument)) {
        if (setting.conditions !== lastConditions) {
          lastConditions = setting.conditions;
          lastHolds = lastConditions.every(holds);
        }
        if (!lastHolds) continue;
        if (setting.field === 'identityFiles') {
          // readconf.c's add_identity_file() skips a path already listed.
          if (!identityFiles.includes(setting.value as string)) identityFiles.push(setting.value as string);
          if (!origins.has('identityFiles')) origins.set('identityFiles', setting.at);
        } else if (setting.field === 'certificateFiles') {
          if (!certificateFiles.includes(setting.value as string)) certificateFiles.push(setting.value as string);
          if (!origins.has('certificateFiles')) origins.set('certificateFiles', setting.at);
        } else if (setting.field === 'user' && context.user !== undefined) {
          continue;
        } else if (!obtained.has(setting.field) && !obtained.has(RIVALS[setting.field] as SshConfigField)) {
          obtained.set(setting.field, setting.value);
          origins.set(setting.field, setting.at);
        }
      }
    };
    pass(alias, false);
    // ssh.c re-reads the configuration once more when a `Match final` exists, with the host
    // argument now the HostName obtained; values already obtained stay (first obtained wins).
    if (this.finalPass) pass(currentHostname(), true);
    if (identityFiles.length > 0) obtained.set('identityFiles', identityFiles);
    if (certificateFiles.length > 0) obtained.set('certificateFiles', certificateFiles);

    const hostname = currentHostname();
    const port = (obtained.get('port') as number | undefined) ?? 22;
    const user = (obtained.get('user') as string | undefined) ?? this.localUser;
    const tokens = { h: hostname, p: String(port), r: context.user ?? user, u: this.localUser, d: this.home, n: alias };
    const expand = (raw: string) => expandPathTokens(raw, tokens, this.home);
    const values: ResolvedSshConfig = {
      hostname,
      port,
      user,
      identityFiles: identityFiles.length > 0
        ? identityFiles.map(expand)
        : DEFAULT_IDENTITY_FILES.map((name) => path.join(this.home, '.ssh', name)),
      identitiesOnly: (obtained.get('identitiesOnly') as boolean | undefined) ?? false,
      userKnownHostsFiles: ((obtained.get('userKnownHostsFiles') as string[] | undefined) ?? DEFAULT_KNOWN_HOSTS_FILES.map((name) => `~/.ssh/${name}`)).map(expand),
      globalKnownHostsFiles: [...((obtained.get('globalKnownHostsFiles') as string[] | undefined) ?? DEFAULT_GLOBAL_KNOWN_HOSTS_FILES)],
      hashKnownHosts: (obtained.get('hashKnownHosts') as boolean | undefined) ?? false,
    };
    const identityAgent = obtained.get('identityAgent') as string | undefined;
    if (identityAgent !== undefined) values.identityAgent = expand(identityAgent);
    if (certificateFiles.length > 0) values.certificateFiles = certificateFiles.map(expand);
    for (const field of ['proxyJump', 'proxyCommand', 'connectTimeoutMs', 'serverAliveIntervalMs', 'serverAliveCountMax', 'strictHostKeyChecking', 'hostKeyAlias'] as const) {
      const value = obtained.get(field);
      if (value !== undefined) Object.assign(values, { [field]: value });
    }
    return { values, fromFile: new Set(obtained.keys()), origins };
  }
}

/** All criteria must hold; `exec` never reaches here (such a block is never applied). */
function matchHolds(criteria: readonly Criterion[], state: MatchState): boolean {
  return criteria.every((criterion) => criterionHolds(criterion, state) !== criterion.negate);
}

function criterionHolds(criterion: Criterion, state: MatchState): boolean {
  switch (criterion.kind) {
    case 'all':
      return true;
    case 'canonical':
    case 'final':
      return state.final;
    case 'host':
      return criterion.patterns.matches(state.hostname);
    case 'originalhost':
      return criterion.patterns.matches(state.alias);
    case 'user':
      return criterion.patterns.matches(state.user);
    case 'localuser':
      return criterion.patterns.matches(state.localUser);
  }
}

/** The general settings merged in file order with the ones indexed under this alias. */
function mergeInFileOrder(general: readonly Setting[], named: readonly Setting[]): Setting[] {
  const merged: Setting[] = [];
  let g = 0;
  let n = 0;
  while (g < general.length || n < named.length) {
    const next = n >= named.length || (g < general.length && general[g]!.position < named[n]!.position) ? general[g++]! : named[n++]!;
    merged.push(next);
  }
  return merged;
}

function expandHostname(raw: Setting['value'], alias: string): string {
  if (typeof raw !== 'string') return alias;
  return raw.replace(/%([%h])/g, (_, token: string) => (token === '%' ? '%' : alias));
}

/** Reads a file and its Includes into one ordered list of settings. */
class ConfigLoader {
  readonly settings: Setting[] = [];
  readonly warnings: string[] = [];
  /** Whether a `Match final` was read (ssh then reads the file twice). */
  finalPass = false;
  /** IgnoreUnknown's patterns: unknown keywords they match are not warned about, as ssh does not refuse them. */
  private readonly ignoredUnknown: HostPatternList[] = [];

  constructor(private readonly home: string) {}

  /** `mustExist`: a file named with -F must be there, as ssh insists; ~/.ssh/config may be absent. */
  async loadFile(file: string, outerConditions: readonly Condition[], depth: number, { mustExist = false } = {}): Promise<void> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !mustExist) return;
      throw new SshConfigError(file, 0, `cannot read: ${(error as Error).message}`, { cause: error });
    }
    let conditions = outerConditions;
    const lines = text.split(/\r?\n/);
    for (let index = 0; index < lines.length; index++) {
      const at = { file, line: index + 1 };
      const directive = parseLine(lines[index] ?? '', at);
      if (!directive) continue;
      const keyword = directive.param.toLowerCase();
      const values = valueList(directive.value);
      if (keyword === 'host') {
        conditions = [...outerConditions, { kind: 'host', patterns: new HostPatternList(values) }];
      } else if (keyword === 'match') {
        conditions = [...outerConditions, this.matchCondition(values, at)];
      } else if (keyword === 'include') {
        if (depth >= MAX_INCLUDE_DEPTH) throw new SshConfigError(file, at.line, `Include nested more than ${MAX_INCLUDE_DEPTH} deep`);
        for (const included of await this.includedFiles(values)) await this.loadFile(included, conditions, depth + 1);
      } else if (keyword === 'ignoreunknown') {
        this.ignoredUnknown.push(new HostPatternList((values[0] ?? '').split(',')));
      } else if (Object.hasOwn(interpreters, keyword)) {
        const setting = interpret(keyword, values, argumentText(lines[index] ?? ''), at);
        if (setting) this.settings.push({ ...setting, conditions, position: this.settings.length, at });
      } else if (!OPENSSH_KEYWORDS.has(keyword) && !this.ignoredUnknown.some((patterns) => patterns.matches(keyword))) {
        this.warnings.push(`${at.file}:${at.line}: unknown keyword ${directive.param}; ignored (ssh would refuse the file unless IgnoreUnknown names it)`);
      }
    }
  }

  private matchCondition(words: string[], at: Location): Condition {
    const criteria: Criterion[] = [];
    for (let index = 0; index < words.length; index++) {
      const word = words[index]!;
      const negate = word.startsWith('!');
      const criterion = (negate ? word.slice(1) : word).toLowerCase();
      if (criterion === 'all' || criterion === 'canonical' || criterion === 'final') {
        if (criterion === 'final') this.finalPass = true;
        criteria.push({ kind: criterion, negate });
        continue;
      }
      const argument = words[index + 1];
      if (criterion === 'host' || criterion === 'originalhost' || criterion === 'user' || criterion === 'localuser') {
        if (argument === undefined) throw new SshConfigError(at.file, at.line, `Match ${criterion} needs a pattern list`);
        criteria.push({ kind: criterion, negate, patterns: new HostPatternList(argument.split(',')) });
        index++;
        continue;
      }
      // exec runs a command and tagged/address/localnetwork need what sshpool does not know here: never apply such a block.
      this.warnings.push(`${at.file}:${at.line}: Match ${criterion} is not supported; the block is never applied`);
      return { kind: 'never' };
    }
    return { kind: 'match', criteria };
  }

  /**
   * As ssh's glob(3): relative paths are relative to ~/.ssh, `~` is the home
   * directory, and `*` and `?` may stand in any component; matches come sorted,
   * dot files only where a pattern component starts with a dot. A pattern that
   * matches nothing is no file (ssh reads none either).
   */
  private async includedFiles(patterns: string[]): Promise<string[]> {
    const files: string[] = [];
    for (const pattern of patterns) {
      const absolute = path.resolve(path.join(this.home, '.ssh'), expandPathTokens(pattern, {}, this.home));
      if (!hasWildcard(absolute)) files.push(absolute);
      else files.push(...(await globPath(absolute)));
    }
    return files;
  }
}

/** The paths matching an absolute pattern, component by component, in glob(3)'s sorted order. */
async function globPath(pattern: string): Promise<string[]> {
  const [root, ...components] = pattern.split(path.sep);
  let matches = [root === '' ? path.sep : root!];
  for (const [index, component] of components.entries()) {
    if (component === '') continue;
    const last = index === components.length - 1;
    const next: string[] = [];
    for (const directory of matches) {
      if (!hasWildcard(component)) {
        next.push(path.join(directory, component));
        continue;
      }
      const matcher = patternToRegExp(component, 's');
      const entries = await readdir(directory, { withFileTypes: true }).catch(() => []);
      for (const entry of entries) {
        if (entry.name.startsWith('.') && !component.startsWith('.')) continue;
        if (!matcher.test(entry.name)) continue;
        if (!last && !entry.isDirectory() && !entry.isSymbolicLink()) continue;
        next.push(path.join(directory, entry.name));
      }
    }
    matches = next.sort();
  }
  return matches;
}

interface Location {
  file: string;
  line: number;
}

type Directive = Extract<Line, { param: string }>;

/** ssh-config tokenises one line (quotes, `=`, comments); ssh_config lines are independent. */
function parseLine(text: string, at: Location): Directive | undefined {
  let lines: Line[];
  try {
    lines = parse(text);
  } catch (error) {
    const detail = error instanceof TypeError ? 'a keyword without a value' : (error as Error).message;
    throw new SshConfigError(at.file, at.line, detail, { cause: error });
  }
  return lines.find((line): line is Directive => 'param' in line && line.param !== '');
}

function valueList(value: Directive['value']): string[] {
  return typeof value === 'string' ? [value] : value.map(({ val }) => val);
}

/** `text`: the whole argument as written (ProxyCommand takes it verbatim, quotes and all). */
type Interpreter = (first: string, values: string[], fail: (message: string) => never, text: string) => Pick<Setting, 'field' | 'value'> | undefined;

const interpreters: Record<string, Interpreter> = {
  hostname: (first) => ({ field: 'hostname', value: first }),
  port: (first, _, fail) => ({ field: 'port', value: integerIn(first, 1, 65535) ?? fail(`bad Port '${first}'`) }),
  user: (first) => ({ field: 'user', value: first }),
  identityfile: (first, _, fail) => {
    checkPathTokens(first, (token) => fail(`IdentityFile: unsupported token %${token}`));
    return { field: 'identityFiles', value: first };
  },
  certificatefile: (first, _, fail) => {
    checkPathTokens(first, (token) => fail(`CertificateFile: unsupported token %${token}`));
    return { field: 'certificateFiles', value: first };
  },
  identitiesonly: (first, _, fail) => ({ field: 'identitiesOnly', value: yesNo(first) ?? fail(`bad IdentitiesOnly '${first}'`) }),
  identityagent: (first, _, fail) => {
    checkPathTokens(first, (token) => fail(`IdentityAgent: unsupported token %${token}`));
    return { field: 'identityAgent', value: first };
  },
  proxyjump: (first) => ({ field: 'proxyJump', value: first.toLowerCase() === 'none' ? undefined : first }),
  proxycommand: (_, __, fail, text) => {
    if (text === '-') fail('ProxyCommand - (the session on ssh\'s own stdin and stdout) is not supported');
    checkProxyCommandTokens(text, (token) => fail(`ProxyCommand: unsupported token %${token}`));
    return { field: 'proxyCommand', value: text.toLowerCase() === 'none' ? undefined : text };
  },
  connecttimeout: (first, _, fail) => timeSetting('connectTimeoutMs', 'ConnectTimeout', first, fail),
  serveraliveinterval: (first, _, fail) => timeSetting('serverAliveIntervalMs', 'ServerAliveInterval', first, fail),
  serveralivecountmax: (first, _, fail) => ({ field: 'serverAliveCountMax', value: integerIn(first, 0, 2 ** 31) ?? fail(`bad ServerAliveCountMax '${first}'`) }),
  stricthostkeychecking: (first, _, fail) => ({ field: 'strictHostKeyChecking', value: strictness(first) ?? fail(`bad StrictHostKeyChecking '${first}'`) }),
  userknownhostsfile: (_, values, fail) => {
    for (const value of values) checkPathTokens(value, (token) => fail(`UserKnownHostsFile: unsupported token %${token}`));
    return { field: 'userKnownHostsFiles', value: values };
  },
  globalknownhostsfile: (first, values, fail) => {
    if (values.some((value) => value.toLowerCase() === 'none') && values.length > 1) fail('GlobalKnownHostsFile: "none" must appear alone');
    return { field: 'globalKnownHostsFiles', value: first.toLowerCase() === 'none' ? [] : values };
  },
  hashknownhosts: (first, _, fail) => ({ field: 'hashKnownHosts', value: yesNo(first) ?? fail(`bad HashKnownHosts '${first}'`) }),
  hostkeyalias: (first) => ({ field: 'hostKeyAlias', value: first }),
};

function interpret(keyword: string, values: string[], text: string, at: Location): Pick<Setting, 'field' | 'value'> | undefined {
  const interpreter = interpreters[keyword] as Interpreter;
  const fail = (message: string): never => {
    throw new SshConfigError(at.file, at.line, message);
  };
  const first = values[0] ?? '';
  if (first === '') fail(`${keyword} needs a value`);
  return interpreter(first, values, fail, text);
}

/** What follows the keyword and its separator (spaces, `=`), trailing spaces cut, as ssh's readconf.c takes it. */
function argumentText(line: string): string {
  return line.replace(/^\s*[^\s=]+[\s=]*/, '').replace(/\s+$/, '');
}

/**
 * A time as ssh_config writes it ("90", "1m30s": OpenSSH's convtime) as a timer delay;
 * 0 is "no limit" (ConnectTimeout) or "off" (ServerAliveInterval), as in ssh, and `none`
 * sets nothing, so a later line may.
 */
function timeSetting(field: SshConfigField, keyword: string, text: string, fail: (message: string) => never): Pick<Setting, 'field' | 'value'> | undefined {
  if (text === 'none') return undefined;
  const seconds = convtime(text) ?? fail(`bad ${keyword} '${text}'`);
  return { field, value: timerDelayMs(seconds * 1000, true, (reason) => fail(`${keyword} ${text} ${reason}`)) };
}

const TIME_UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Seconds from OpenSSH's time format: numbers each with an optional unit (s, m, h, d, w), summed. */
function convtime(text: string): number | undefined {
  if (!/^(?:\d+[smhdw]?)+$/i.test(text)) return undefined;
  let total = 0;
  for (const [, count, unit] of text.matchAll(/(\d+)([smhdw]?)/gi)) total += Number(count) * (TIME_UNITS[(unit as string).toLowerCase()] as number);
  return total;
}

function integerIn(text: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

function yesNo(text: string): boolean | undefined {
  const value = text.toLowerCase();
  if (value === 'yes') return true;
  if (value === 'no') return false;
  return undefined;
}

function strictness(text: string): StrictHostKeyChecking | undefined {
  switch (text.toLowerCase()) {
    case 'yes':
    case 'ask':
      return 'yes';
    case 'accept-new':
      return 'accept-new';
    case 'no':
    case 'off':
      return 'no';
    default:
      return undefined;
  }
}
