import { UnsafeText } from './unsafe.js';
import { VaultText } from './vault.js';

/**
 * Python's str() of a value loaded from YAML, which `ansible-inventory --graph
 * --vars` prints: `True`, `None`, `inf`, `['a', 'b']`, `{'k': 1}`. A `!vault`
 * value shows as `!vault`: Ansible would decrypt it, and a secret is not shown.
 */
export function pythonStr(value: unknown): string {
  if (typeof value === 'string') return value;
  return value instanceof UnsafeText ? value.text : pythonRepr(value);
}

export function pythonRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value instanceof UnsafeText) return quote(value.text);
  if (value instanceof VaultText) return '!vault';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number' && !Number.isFinite(value)) return Number.isNaN(value) ? 'nan' : value > 0 ? 'inf' : '-inf';
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value).map(([key, item]) => `${quote(key)}: ${pythonRepr(item)}`).join(', ')}}`;
  }
  return String(value);
}

function quote(text: string): string {
  const mark = text.includes("'") && !text.includes('"') ? '"' : "'";
  const escaped = text.replace(/[\\\n\r\t]|[\x00-\x1f\x7f]/g, (c) => ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return mark + (mark === "'" ? escaped.replaceAll("'", "\\'") : escaped) + mark;
}

const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
