/**
 * Summarises V8 CPU profiles (.cpuprofile files from `node --cpu-prof`, e.g.
 * `npm run bench -- --profile DIR`): busy time (idle excluded) by file or
 * package, by function (self time), and by function on the stack (inclusive).
 * Run: node build/bench/cpu-profile.js FILE_OR_DIR... [--top 25]
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Tally } from './tally.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}


const IDLE = '(idle)';

/** node_modules/<package>, node:internal/<first dir>, or the project file itself. */
function fileGroup(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native/builtin)';
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch) return `npm:${packageMatch[1]}`;
  const internal = /^node:internal\/([^/]+)/.exec(url);
  if (internal) return `node:internal/${internal[1]}`;
  return url.replace(/^file:\/\/.*?\/build\//, 'build/');
}

function frameName(frame: CallFrame): string {
  const where = frame.url === '' ? '' : ` ${fileGroup(frame.url, frame.functionName)}:${frame.lineNumber + 1}`;
  return `${frame.functionName || '(anonymous)'}${where}`;
}

interface Summary {
  busyMs: number;
  profiles: number;
  byFile: Tally;
  bySelf: Tally;
  byInclusive: Tally;
}

function addProfile(profile: CpuProfile, summary: Summary): void {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // timeDeltas[i] is the time before sample i; the time a sample stands for is the gap after it.
  profile.samples.forEach((id, index) => {
    const ms = (profile.timeDeltas[index + 1] ?? 0) / 1000;
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === IDLE) return;
    summary.busyMs += ms;
    summary.byFile.add(fileGroup(node.callFrame.url, node.callFrame.functionName), ms);
    summary.bySelf.add(frameName(node.callFrame), ms);
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame;
      if (frame) onStack.add(frameName(frame));
    }
    for (const name of onStack) summary.byInclusive.add(name, ms);
  });
}

async function profilePaths(paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    if ((await stat(path)).isDirectory()) {
      found.push(...(await readdir(path)).filter((name) => name.endsWith('.cpuprofile')).map((name) => join(path, name)));
    } else {
      found.push(path);
    }
  }
  return found;
}

function table(title: string, rows: Array<[string, number]>, summary: Summary): string {
  const lines = rows.map(([name, ms]) => `${(ms / summary.profiles).toFixed(1).padStart(8)} ms ${((100 * ms) / summary.busyMs).toFixed(1).padStart(5)}%  ${name}`);
  return `${title}\n${lines.join('\n')}\n`;
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
const files = await profilePaths(positionals);
if (files.length === 0) throw new Error('usage: cpu-profile FILE_OR_DIR... [--top N]');
const summary: Summary = { busyMs: 0, profiles: files.length, byFile: new Tally(), bySelf: new Tally(), byInclusive: new Tally() };
for (const file of files) addProfile(JSON.parse(await readFile(file, 'utf8')) as CpuProfile, summary);
const top = Number(values.top);
process.stdout.write(
  [
    `${files.length} profile(s); busy (non-idle) time per profile: ${(summary.busyMs / files.length).toFixed(1)} ms; per-profile averages below\n`,
    table('By file or package (self time):', summary.byFile.top(top), summary),
    table('By function (self time):', summary.bySelf.top(top), summary),
    table('By function on the stack (inclusive):', summary.byInclusive.top(top), summary),
  ].join('\n'),
);
