import { existsSync, readFileSync } from 'node:fs';
import { commandLine, pidsInSessions } from '../../test/fleet/proc.js';
import { EXPECTED, KINDS } from './fault-hosts.js';
import type { FaultHost, FaultKind } from './fault-hosts.js';

export interface Check {
  name: string;
  passed: boolean;
  detail: string;
}

export interface RecordSeen {
  host: string;
  status: string;
  error: { code: string } | null;
}

export interface KindRow {
  kind: FaultKind;
  hosts: number;
  matching: number;
}

/** pssh's rule: of 3 (timeout), 4 (ssh error), 5 (remote non-zero), the lowest that any host calls for. */
const EXIT_FOR_STATUS: Readonly<Record<string, number>> = { timeout: 3, unreachable: 4, failed: 5 };

export function expectedExitCode(hosts: readonly FaultHost[]): number {
  const codes = hosts.map((h) => EXIT_FOR_STATUS[EXPECTED[h.kind].status]).filter((code): code is number => code !== undefined);
  return codes.length === 0 ? 0 : Math.min(...codes);
}

/** Each host's one record (ndjson lines or the results file's), and what is wrong with the set of them. */
function byHost(records: readonly RecordSeen[], hosts: readonly FaultHost[]): { map: Map<string, RecordSeen>; problems: string[] } {
  const map = new Map<string, RecordSeen>();
  const problems: string[] = [];
  const known = new Set(hosts.map((h) => h.name));
  for (const record of records) {
    if (!known.has(record.host)) problems.push(`a record for ${record.host}, not a host of the run`);
    else if (map.has(record.host)) problems.push(`${record.host} has more than one record`);
    map.set(record.host, record);
  }
  for (const host of hosts) if (!map.has(host.name)) problems.push(`${host.name} has no record`);
  return { map, problems };
}

function summary(problems: readonly string[]): string {
  return problems.length === 0 ? '' : `${problems.length} problems, e.g. ${problems.slice(0, 3).join('; ')}`;
}

/** The records of ndjson stdout, and the lines that are not JSON. */
export function parseNdjson(text: string): { records: RecordSeen[]; problems: string[] } {
  const records: RecordSeen[] = [];
  const problems: string[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    try {
      records.push(JSON.parse(line) as RecordSeen);
    } catch {
      problems.push(`stdout line ${index + 1} is not JSON`);
    }
  }
  return { records, problems };
}

/** One record per host on stdout, each with its kind's status and code; the rows of the table. */
export function checkRecords(printed: readonly RecordSeen[], hosts: readonly FaultHost[]): { check: Check; rows: KindRow[] } {
  const problems: string[] = [];
  const { map, problems: setProblems } = byHost(printed, hosts);
  problems.push(...setProblems);
  const rows = KINDS.map((kind) => ({ kind, hosts: 0, matching: 0 }));
  for (const host of hosts) {
    const row = rows.find((r) => r.kind === host.kind) as KindRow;
    row.hosts++;
    const record = map.get(host.name);
    const expected = EXPECTED[host.kind];
    if (record && record.status === expected.status && (record.error?.code ?? null) === expected.code) row.matching++;
    else if (record) problems.push(`${host.name} (${host.kind}): ${record.status}/${record.error?.code ?? 'no code'}, expected ${expected.status}/${expected.code ?? 'no code'}`);
  }
  const detail = `${map.size} hosts with records, of ${hosts.length}${problems.length ? `; ${summary(problems)}` : ''}`;
  return { check: { name: 'one ndjson record per host, with its kind\'s status and code', passed: problems.length === 0, detail }, rows };
}

/** The results file parses, says complete, holds every host once with the same outcome as stdout, and its journal is gone. */
export function checkResultsFile(path: string, printed: readonly RecordSeen[], hosts: readonly FaultHost[]): Check {
  const name = 'results file valid JSON, complete, every host once, same outcomes as stdout';
  const problems: string[] = [];
  let document: { complete?: unknown; hosts?: unknown; results?: RecordSeen[] };
  try {
    document = JSON.parse(readFileSync(path, 'utf8')) as typeof document;
  } catch (error) {
    return { name, passed: false, detail: `cannot be read as JSON: ${(error as Error).message}` };
  }
  if (document.complete !== true) problems.push(`complete is ${String(document.complete)}`);
  if (!Array.isArray(document.hosts) || document.hosts.length !== hosts.length) problems.push(`hosts lists ${Array.isArray(document.hosts) ? document.hosts.length : 'no'} hosts`);
  if (existsSync(`${path}.journal`)) problems.push('the journal is still there');
  const results = Array.isArray(document.results) ? document.results : [];
  const { map, problems: setProblems } = byHost(results, hosts);
  problems.push(...setProblems);
  const onStdout = new Map(printed.map((r) => [r.host, r]));
  for (const [host, record] of map) {
    const other = onStdout.get(host);
    if (other && (other.status !== record.status || other.error?.code !== record.error?.code)) problems.push(`${host}: ${record.status} in the file, ${other.status} on stdout`);
  }
  return { name, passed: problems.length === 0, detail: `${results.length} records${problems.length ? `; ${summary(problems)}` : ''}` };
}

/** How long the remote side may take to finish ending the sessions after the run (sshd reaping, a tick's last sleep). */
const SETTLE_MS = 3000;

/**
 * No process is left of any command: every command wrote its `$$`, the id of the
 * session sshd made for it, and no running process is still in one of them
 * (a `sleep` the kill missed would be). The hosts whose command started must all have written one.
 */
export async function checkLeftovers(pidDir: string, hosts: readonly FaultHost[]): Promise<Check> {
  const name = `no remote process left behind (${SETTLE_MS / 1000} s after the run)`;
  const sessions = new Set<number>();
  const missing: string[] = [];
  for (const host of hosts) {
    const started = host.kind === 'ok' || host.kind === 'command timeout' || host.kind === 'sshd killed mid-command';
    const path = `${pidDir}/${host.name}`;
    if (existsSync(path)) sessions.add(Number(readFileSync(path, 'utf8').trim()));
    else if (started) missing.push(host.name);
  }
  const deadline = Date.now() + SETTLE_MS;
  let left = pidsInSessions(sessions);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    left = pidsInSessions(sessions);
  }
  const problems = [...(missing.length ? [`${missing.length} hosts never wrote their pid (e.g. ${missing.slice(0, 3).join(', ')})`] : []), ...(left.length ? [`${left.length} processes still running: ${left.slice(0, 5).map((pid) => `${pid} ${commandLine(pid)}`).join('; ')}`] : [])];
  return { name, passed: problems.length === 0, detail: problems.length ? problems.join('; ') : `${sessions.size} command sessions, none left` };
}
