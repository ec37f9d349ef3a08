import { originText } from '../settings/render.js';
import type { HostReport, ValueOrigin } from '../ssh/target-explanation.js';
import { escapeControlCharacters } from './untrusted-text.js';

/** `sshpool hosts --json`: the reports as one array, in the order given (inventory order). */
export function renderHostsJson(reports: readonly HostReport[]): string {
  return `${JSON.stringify(reports, null, 2)}\n`;
}

/** The rows shown per host, in this order; a field the report lacks is left out. */
const ROWS = [
  'connection',
  'hostname',
  'port',
  'user',
  'identityFiles',
  'certificateFiles',
  'proxyJump',
  'proxyCommand',
  'userKnownHostsFiles',
  'globalKnownHostsFiles',
  'strictHostKeyChecking',
  'connectTimeout',
  'serverAliveInterval',
  'hostKeyAlias',
] as const;

const BECOME_ROWS = ['enabled', 'method', 'user', 'exe', 'flags'] as const;

/**
 * `sshpool hosts`: a table of host, field, value and origin, one row per
 * field, the host named on its first row. Values from inventories and
 * ssh_config files have their control characters escaped; a become
 * password shows only as set.
 */
export function renderHostsText(reports: readonly HostReport[]): string {
  const rows: string[][] = [['HOST', 'FIELD', 'VALUE', 'FROM']];
  for (const report of reports) {
    const hostRows = fieldRows(report);
    hostRows.forEach((row, index) => rows.push([index === 0 ? report.name : '', ...row].map(escapeControlCharacters)));
  }
  const widths = [0, 1, 2].map((column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map((row) => row.map((cell, column) => (column < 3 ? cell.padEnd(widths[column]!) : cell)).join('  ').trimEnd() + '\n').join('');
}

function fieldRows(report: HostReport): string[][] {
  const rows: string[][] = [];
  const origin = (field: string) => (report.origins[field] ? valueOriginText(report.origins[field]) : '');
  for (const field of ROWS) {
    const value = field === 'connection' ? report.connection : report[field];
    if (value === undefined) continue;
    rows.push([field, valueText(value), origin(field)]);
  }
  if (report.error) rows.push(['error', `${report.error.message} [${report.error.code}]`, '']);
  if (report.become) {
    for (const field of BECOME_ROWS) {
      const value = report.become[field];
      if (value !== undefined) rows.push([`become.${field}`, valueText(value), origin(`become.${field}`)]);
    }
    if (report.become.passwordSet) rows.push(['become.password', '(set, not shown)', origin('become.password')]);
  }
  return rows;
}

function valueText(value: unknown): string {
  if (Array.isArray(value)) return value.join(' ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

/** Where a value came from, in a word and a place: `inventory ansible_user hosts.yaml:3:5`, `ssh_config ~/.ssh/config:12`. */
export function valueOriginText(origin: ValueOrigin): string {
  switch (origin.source) {
    case 'inventory': {
      const place = origin.file === undefined ? '' : ` ${[origin.file, origin.line, origin.column].filter((part) => part !== undefined).join(':')}`;
      return `inventory ${origin.variable}${place}`;
    }
    case 'ssh_config':
      return `ssh_config ${origin.file}:${origin.line}`;
    case 'option':
      return `option ${origin.setting}`;
    case 'file':
      return `settings ${originText(origin)}`;
    case 'env':
    case 'flag':
      return originText(origin);
    case 'default':
      return 'default';
  }
}
