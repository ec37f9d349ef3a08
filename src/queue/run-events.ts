import type { HostResult } from '../run/host-result.js';
import type { OutputStreamName } from '../ssh/remote-command.js';

/** What a worker says on a run's stream about one host's attempt. */
export type RunEvent =
  | { kind: 'output'; index: number; attempt: number; task: number; stream: OutputStreamName; chunk: Buffer }
  | { kind: 'outputEnd'; index: number; attempt: number; task: number }
  | { kind: 'bytes'; index: number; attempt: number; task: number; count: number }
  | { kind: 'done'; index: number; attempt: number; records: HostResult[] };

/** The fields of a stream entry (XADD's field-value list). */
export function runEventFields(event: RunEvent): (string | Buffer)[] {
  const head = ['i', String(event.index), 'a', String(event.attempt)];
  if (event.kind === 'output') return ['t', 'o', ...head, 'c', String(event.task), 's', event.stream, 'd', event.chunk];
  if (event.kind === 'outputEnd') return ['t', 'e', ...head, 'c', String(event.task)];
  if (event.kind === 'bytes') return ['t', 'b', ...head, 'c', String(event.task), 'n', String(event.count)];
  return ['t', 'd', ...head, 'r', JSON.stringify(event.records)];
}

/** An entry read back; undefined for one this version does not know (a newer worker's). */
export function parseRunEvent(fields: readonly Buffer[]): RunEvent | undefined {
  const values = new Map<string, Buffer>();
  for (let at = 0; at + 1 < fields.length; at += 2) values.set(fields[at]!.toString(), fields[at + 1]!);
  const text = (name: string): string => values.get(name)?.toString() ?? '';
  const index = Number(text('i'));
  const attempt = Number(text('a'));
  const task = Number(text('c'));
  switch (text('t')) {
    case 'o':
      return { kind: 'output', index, attempt, task, stream: text('s') === 'stderr' ? 'stderr' : 'stdout', chunk: values.get('d') ?? Buffer.alloc(0) };
    case 'e':
      return { kind: 'outputEnd', index, attempt, task };
    case 'b':
      return { kind: 'bytes', index, attempt, task, count: Number(text('n')) };
    case 'd':
      return { kind: 'done', index, attempt, records: JSON.parse(text('r')) as HostResult[] };
    default:
      return undefined;
  }
}
