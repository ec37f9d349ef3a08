import { UsageError } from '../errors.js';
import { timerDelayMs } from '../timer-delay.js';

/** Seconds as the user writes them ("10", "2.5") to a timer delay in milliseconds; errors name the option. */
export function parseSeconds(text: string, option: string, { allowZero }: { allowZero: boolean }): number {
  const seconds = text.trim() === '' ? Number.NaN : Number(text);
  return timerDelayMs(seconds * 1000, allowZero, (reason) => {
    throw new UsageError(`${option}: "${text}" ${reason}`);
  });
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** A byte count with an optional K/M/G suffix (powers of 1024). */
export function parseBytes(text: string, option: string): number {
  const match = /^(\d+)\s*([kmg]?)i?b?$/i.exec(text.trim());
  if (!match) throw new UsageError(`${option}: "${text}" is not a size (e.g. 1048576, 512K, 1M)`);
  return Number(match[1]) * (SIZE_UNITS[(match[2] as string).toLowerCase()] as number);
}

export function parsePositiveInteger(value: number, option: string): number {
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`${option}: ${value} is not a whole number of at least 1`);
  return value;
}

/** A number as a flag or variable gives it ("32") or as YAML does (32). */
export function numberOf(raw: string | number, option: string): number {
  if (typeof raw === 'number') return raw;
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  if (Number.isNaN(value)) throw new UsageError(`${option}: "${raw}" is not a number`);
  return value;
}

export function parsePort(value: number, option: string): number {
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new UsageError(`${option}: ${value} is not a port number (1-65535)`);
  return value;
}

export function parseCount(value: number, option: string): number {
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`${option}: ${value} is not a whole number of at least 0`);
  return value;
}

/** How many failed hosts a run tolerates: a count, or a percentage of the hosts (Ansible's max_fail_percentage). */
export type FailLimit =
  | {
      /** Hosts that may fail; one more stops the run (0: the first failure does). */
      readonly count: number;
    }
  | {
      /** The percentage (0-100) of the run's hosts that may fail. */
      readonly percent: number;
    };

/** "N" (a count, 0 stops at the first failure) or "P%" (0-100) as `--max-fail` takes it. */
export function parseFailLimit(raw: string | number, option: string): FailLimit {
  const text = String(raw).trim();
  if (!text.endsWith('%')) return { count: parseCount(numberOf(text, option), option) };
  return { percent: parsePercent(text, option, { allowZero: true }) };
}

/** Ansible's `order` values: which host starts first (records still come back in input order). */
export const HOST_ORDERS = ['inventory', 'reverse_inventory', 'sorted', 'reverse_sorted', 'shuffle'] as const;
/** One of HOST_ORDERS. */
export type HostOrder = (typeof HOST_ORDERS)[number];

/** One item of `--batch`: a number of hosts, or a percentage of the run's hosts (Ansible's `serial`). */
export type BatchSize =
  | {
      /** This many hosts. */
      readonly hosts: number;
    }
  | {
      /** This percentage (above 0, at most 100) of the run's hosts, rounded down, at least one. */
      readonly percent: number;
    };

/** `--batch N|P%|LIST` ("1,5,20%"): the batch sizes in turn, the last repeating. */
export function parseBatchSizes(raw: string | number, option: string): BatchSize[] {
  return String(raw)
    .split(',')
    .map((item) => {
      const text = item.trim();
      if (!text.endsWith('%')) return { hosts: parsePositiveInteger(numberOf(text, option), option) };
      return { percent: parsePercent(text, option, { allowZero: false }) };
    });
}

/** "P%" to P, from 0 (or above 0) to 100; the error names the option. */
function parsePercent(text: string, option: string, { allowZero }: { allowZero: boolean }): number {
  const digits = text.slice(0, -1).trim();
  const percent = digits === '' ? Number.NaN : Number(digits);
  if (!((allowZero ? percent >= 0 : percent > 0) && percent <= 100)) {
    throw new UsageError(`${option}: "${text}" is not a percentage ${allowZero ? 'from 0% to 100%' : 'above 0% and at most 100%'}`);
  }
  return percent;
}

/** `--connect-rate`: "N/s" or "N", connections per second (above 0; a fraction spaces them more than a second apart). */
export function parseRate(raw: string | number, option: string): number {
  const text = String(raw).trim();
  const perSecond = numberOf(text.endsWith('/s') ? text.slice(0, -2) : text, option);
  if (!(perSecond > 0) || !Number.isFinite(perSecond)) throw new UsageError(`${option}: "${text}" is not a rate above 0 (N/s)`);
  return perSecond;
}
