/**
 * Ansible's `parse_address` (lib/ansible/parsing/utils/addresses.py): splits an
 * optional `:port` off a host name, IPv4 address or `[IPv6]`, allowing `[x:y]`
 * ranges inside. Ansible uses the port only when what is left is a valid host
 * identifier; otherwise the whole string is the host name, and so here.
 */

import { madeOnFirstUse } from '../made-on-first-use.js';

const NUMERIC_RANGE = String.raw`\[(?:[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const HEX_RANGE = String.raw`\[(?:[0-9a-f]+:[0-9a-f]+)(?::[0-9]+)?\]`;
const ALNUM_RANGE = String.raw`\[(?:[a-z]:[a-z]|[0-9]+:[0-9]+)(?::[0-9]+)?\]`;
const IPV6_PART = String.raw`(?:[0-9a-f]{1,4}|${HEX_RANGE})`;
const IPV4_PART = String.raw`(?:[01]?[0-9]{1,2}|2[0-4][0-9]|25[0-5]|${NUMERIC_RANGE})`;
const label = (word: string): string => String.raw`(?:${word}|${ALNUM_RANGE})(?:${word}|-|${ALNUM_RANGE})*(?<![_-])`;
const hostname = (word: string, flags: string): RegExp => new RegExp(String.raw`^${label(word)}(?:\.${label(word)})*$`, flags);

const BRACKETED_HOSTPORT = /^\[(.+)\]:([0-9]+)$/s;
const HOSTPORT = /^((?:[^:[\]]|\[[^\]]*\])*):([0-9]+)$/s;
const IPV4 = new RegExp(String.raw`^(?:${IPV4_PART}\.){3}${IPV4_PART}$`, 'i');
const IPV6 = new RegExp(
  '^(?:' +
    [
      `(?:${IPV6_PART}:){7}${IPV6_PART}`,
      `(?:${IPV6_PART}:){1,6}:`,
      `(?:${IPV6_PART}:)(?::${IPV6_PART}){1,6}`,
      `(?:${IPV6_PART}:){2}(?::${IPV6_PART}){1,5}`,
      `(?:${IPV6_PART}:){3}(?::${IPV6_PART}){1,4}`,
      `(?:${IPV6_PART}:){4}(?::${IPV6_PART}){1,3}`,
      `(?:${IPV6_PART}:){5}(?::${IPV6_PART}){1,2}`,
      `(?:${IPV6_PART}:){6}(?::${IPV6_PART})`,
      `:(?::${IPV6_PART}){1,6}`,
      `${IPV6_PART}?::`,
      `(?:0:){6}(?:${IPV6_PART}\\.){3}${IPV6_PART}`,
      `::(?:ffff:)?(?:${IPV6_PART}\\.){3}${IPV6_PART}`,
      `(?:0:){5}ffff:(?:${IPV6_PART}\\.){3}${IPV6_PART}`,
    ].join('|') +
    ')$',
  'i',
);
// Each regular expression is compiled at its first use, a millisecond or more for the large ones
// (the IPv6 one, Unicode classes matched case-insensitively), which every start met on its first
// inventory host: each is tried only where it can match.
const unicodeHostname = madeOnFirstUse(() => hostname(String.raw`[\p{L}\p{N}_]`, 'iu'));
// In ASCII, \p{L}\p{N} is [a-z0-9] (case-insensitively); without a '[', no range can match.
const ASCII_HOSTNAME = hostname('[a-z0-9_]', 'i');
const PLAIN_ASCII_HOSTNAME = /^[a-z0-9_][a-z0-9_-]*(?<![_-])(?:\.[a-z0-9_][a-z0-9_-]*(?<![_-]))*$/i;
const ASCII = /^[\x00-\x7f]*$/;
/** What an IPv4 address (ranges too) is made of; a name has a letter or '_' besides. */
const IPV4_CHARACTERS = /^[0-9.:[\]]+$/;

function isHostname(host: string): boolean {
  if (!ASCII.test(host)) return unicodeHostname().test(host);
  return host.includes('[') ? ASCII_HOSTNAME.test(host) : PLAIN_ASCII_HOSTNAME.test(host);
}

function isIpv4(host: string): boolean {
  return IPV4_CHARACTERS.test(host) && IPV4.test(host);
}

function isIpv6(host: string): boolean {
  return host.includes(':') && IPV6.test(host);
}

export interface ParsedAddress {
  host: string;
  /** The digits after the colon, unchecked: callers decide what a bad port means to them. */
  port?: string;
}

/**
 * Undefined when `address` is no host identifier (with an optional port), in
 * which case Ansible takes the whole string as the host's name.
 * `allowRanges: false` is the comma-separated `-i` host list, where a name with
 * brackets is not an address.
 */
export function parseAddress(address: string, { allowRanges }: { allowRanges: boolean }): ParsedAddress | undefined {
  const withPort = BRACKETED_HOSTPORT.exec(address) ?? HOSTPORT.exec(address);
  const host = withPort ? withPort[1]! : address;
  const valid = isIpv4(host) || isHostname(host) || isIpv6(host);
  if (!valid || (!allowRanges && host.includes('['))) return undefined;
  return withPort ? { host, port: withPort[2]! } : { host };
}

/** Whether a name is an IPv4 or IPv6 address (ranges allowed), as Ansible's patterns['ipv4'] / ['ipv6'] test it. */
export function isIpAddress(name: string): boolean {
  return isIpv4(name) || isIpv6(name);
}
