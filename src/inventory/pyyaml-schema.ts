import { YAMLMap, YAMLSeq } from 'yaml';
import type { CollectionTag, ScalarTag, Tags } from 'yaml';
import { markUnsafe, UnsafeText } from './unsafe.js';
import { VaultText } from './vault.js';

/**
 * PyYAML's implicit scalar types (yaml/resolver.py), which Ansible loads
 * inventories with, where they differ from the yaml package's YAML 1.1 schema.
 * They decide whether a git hash `1234e56` or a MAC address `00:11:22:33:44:55`
 * stays a string (in PyYAML it does) or becomes a number.
 */
const PYYAML_TESTS: ReadonlyMap<string, RegExp> = new Map([
  // `y` and `n` stay strings.
  ['bool:true', /^(?:yes|Yes|YES|true|True|TRUE|on|On|ON)$/],
  ['bool:false', /^(?:no|No|NO|false|False|FALSE|off|Off|OFF)$/],
  // No leading zeros (`08` is a string, `017` octal), no sexagesimal from 0 (`00:11`).
  ['int:', /^[-+]?(?:0|[1-9][0-9_]*)$/],
  ['int:TIME', /^[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+$/],
  // A float needs a dot and a digit beside it; an exponent needs the dot and a sign (`1e3` is a string).
  ['float:', /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)$/],
  ['float:EXP', /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*|\.[0-9][0-9_]*)[eE][-+][0-9]+$/],
]);

const DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
const DATE_TIME =
  /^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]*))?(?:[ \t]*(?:(Z)|([-+])([0-9]{1,2})(?::([0-9]{2}))?))?$/;

/**
 * PyYAML makes a Python date or datetime of a timestamp, which Ansible prints
 * with isoformat(): kept here as that string (`2024-01-31`,
 * `2024-01-31T10:20:30+00:00`), where the yaml package would make a Date in UTC.
 */
const timestamp: ScalarTag = {
  tag: 'tag:yaml.org,2002:timestamp',
  default: true,
  identify: () => false,
  test: new RegExp(`${DATE.source}|${DATE_TIME.source}`),
  resolve(text, onError) {
    const iso = isoTimestamp(text);
    if (iso === undefined) onError(`'${text}' looks like a timestamp but is no valid date and time`);
    return iso ?? text;
  },
};

/** `!unsafe` on a list or mapping makes every string in it unsafe (Ansible's wrap_var). */
class UnsafeSeq extends YAMLSeq {
  override toJSON(...args: Parameters<YAMLSeq['toJSON']>): unknown[] {
    return markUnsafe(super.toJSON(...args)) as unknown[];
  }
}

class UnsafeMap extends YAMLMap {
  override toJSON(...args: Parameters<YAMLMap['toJSON']>): ReturnType<YAMLMap['toJSON']> {
    return markUnsafe(super.toJSON(...args)) as ReturnType<YAMLMap['toJSON']>;
  }
}

/**
 * Ansible's own tags (parsing/yaml/constructor.py): `!unsafe` takes a scalar's
 * text as it is written (`!unsafe 5` is the string "5"), and `!vault` (or
 * `!vault-encrypted`) keeps the ciphertext until a host needs the value.
 */
const ANSIBLE_TAGS: Array<ScalarTag | CollectionTag> = [
  { tag: '!unsafe', resolve: (text) => new UnsafeText(text) },
  { tag: '!unsafe', collection: 'seq', nodeClass: UnsafeSeq },
  { tag: '!unsafe', collection: 'map', nodeClass: UnsafeMap },
  { tag: '!vault', resolve: (text) => new VaultText(text) },
  { tag: '!vault-encrypted', resolve: (text) => new VaultText(text) },
];

/** The yaml package's YAML 1.1 tags with PyYAML's implicit resolution, and Ansible's tags. */
export function pyYamlTags(tags: Tags): Tags {
  const pyYaml = tags.map((tag) => {
    if (typeof tag !== 'object' || !('test' in tag) || !tag.test) return tag;
    if (tag.tag === timestamp.tag) return timestamp;
    const test = PYYAML_TESTS.get(tagKey(tag as ScalarTag & { test: RegExp }));
    return test ? { ...tag, test } : tag;
  });
  return [...pyYaml, ...ANSIBLE_TAGS];
}

function tagKey(tag: ScalarTag & { test: RegExp }): string {
  const type = tag.tag.slice(tag.tag.lastIndexOf(':') + 1);
  if (type === 'bool') return `bool:${tag.test.test('true')}`;
  if (type === 'float' && tag.test.test('.inf')) return 'float:INF';
  return `${type}:${tag.format ?? ''}`;
}

function isoTimestamp(text: string): string | undefined {
  const date = DATE.exec(text);
  if (date) return isoDate(date[1]!, date[2]!, date[3]!);
  const match = DATE_TIME.exec(text)!;
  const [, year, month, day, hour, minute, second, fraction, utc, sign, tzHour, tzMinute] = match;
  const day0 = isoDate(year!, month!, day!);
  if (day0 === undefined || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59) return undefined;
  let iso = `${day0}T${two(hour!)}:${minute}:${second}`;
  const micros = (fraction ?? '').slice(0, 6).padEnd(6, '0');
  if (Number(micros) !== 0) iso += `.${micros}`;
  if (utc) iso += '+00:00';
  if (sign) {
    const offset = Number(tzHour) * 60 + Number(tzMinute ?? 0);
    if (offset >= 24 * 60) return undefined;
    iso += `${offset === 0 ? '+' : sign}${two(String(Math.floor(offset / 60)))}:${two(String(offset % 60))}`;
  }
  return iso;
}

function isoDate(year: string, month: string, day: string): string | undefined {
  const [y, m, d] = [Number(year), Number(month), Number(day)];
  const check = new Date(Date.UTC(y, m - 1, d));
  // Python's date() rejects year 0 and days past the month's end; Date.UTC would roll them over.
  if (y < 1 || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return undefined;
  return `${year}-${two(month)}-${two(day)}`;
}

function two(digits: string): string {
  return digits.padStart(2, '0');
}
