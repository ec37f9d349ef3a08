/**
 * Sums on-CPU samples of `perf record -g` by where they were spent, for "Where sshpool's client CPU
 * goes" in the README. V8's own profiler samples wall-clock time (a client descheduled for sshd after
 * a loopback write looks busy), so CPU is measured with perf, every thread, and JavaScript frames are
 * named through `node --perf-basic-prof`. The flag changes V8's flag hash, so Node's own modules are
 * compiled from source in such a run (their code cache is rejected): the start-up rows read high.
 *
 *   perf record -F 4000 -g -o run.data -- node --perf-basic-prof dist/sshpool.cjs run ...
 *   perf script -i run.data -F comm,pid,tid,time,ip,sym,dso | node build/bench/perf-categories.js dist/sshpool-bundle.cjs
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Tally } from './tally.js';

interface Frame {
  symbol: string;
  dso: string;
}

/** The bundle's lines, each with the package (or `sshpool` for src/) esbuild's `// path` comments say it came from. */
function bundleSources(bundlePath: string): (line: number) => string {
  const starts: Array<[number, string]> = [];
  readFileSync(bundlePath, 'utf8')
    .split('\n')
    .forEach((text, index) => {
      const origin = /^\/\/ (node_modules\/(?:@[^/]+\/)?[^/]+|src\/[^/]+)/.exec(text)?.[1];
      if (origin) starts.push([index + 1, origin.startsWith('src/') ? 'sshpool' : origin.slice('node_modules/'.length)]);
    });
  return (line) => {
    let low = 0;
    let high = starts.length - 1;
    let found = 'bundle';
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (starts[middle]![0] <= line) {
        found = starts[middle]![1];
        low = middle + 1;
      } else high = middle - 1;
    }
    return found;
  };
}

/** Innermost native frames by what they are; null for V8's builtins and Node's own C++, which are charged to their JavaScript caller. */
const NATIVE: Array<[RegExp, string]> = [
  [/OSSL_DECODER|ossl_decoder|PEM_|d2i_|der2key|pem2der|ossl_namemap|ossl_property|ossl_method_store|EVP_KEYMGMT|ossl_provider/, 'OpenSSL: key decoding and look-ups'],
  [/ed25519|ED25519|ge_|sc_reduce|sc_muladd|fe51|fe_|x25519|X25519|curve25519|bn_|BN_|ecp_|sha256|SHA256|sha512|SHA512|KECCAK|ossl_ec/, 'OpenSSL: curve and hash arithmetic'],
  [/aes|AES|gcm|GCM|ghash/, 'OpenSSL: AES-GCM'],
  [/^(EVP_|ossl_|OPENSSL_|ERR_|CRYPTO_|RAND_|evp_|EC_|ecx_)/, 'OpenSSL: other'],
  [/v8::internal::compiler::|turboshaft|OptimizedCompilationJob|PipelineImpl|InstructionSelector|RegisterAllocator/, "V8's optimising compiler"],
  [/Scavenge|MarkCompact|Sweeper|Heap::|ConcurrentMarking|MarkingVisitor|GCTracer|Evacuat|heap::base|cppgc/, 'GC'],
  [/CodeSerializer|Deserializer|SerializedCodeData|SnapshotByteSource/, 'V8 code cache'],
  [/Parser|Scanner|PreParser|BytecodeGenerator|interpreter::|Compiler::Compile|AstValue|ScopeInfo|DeclarationScope/, 'V8 parsing and bytecode'],
  [/RegExp|irregexp/, 'regular expressions'],
];

function nativeCategory({ symbol, dso }: Frame): string | null {
  if (dso.includes('kernel')) return 'kernel';
  if (/libc\.so|ld-linux/.test(dso)) return 'libc';
  return NATIVE.find(([pattern]) => pattern.test(symbol))?.[1] ?? null;
}

const sourceOfBundleLine = bundleSources(process.argv[2] ?? 'dist/sshpool-bundle.cjs');

/** The package a JavaScript frame of perf-basic-prof's map ran, or null for a native frame. */
function jsSource(symbol: string): string | null {
  const bundleLine = /\/dist\/sshpool-bundle\.cjs:(\d+)/.exec(symbol)?.[1];
  if (bundleLine) return sourceOfBundleLine(Number(bundleLine));
  if (symbol.includes('ssh2-bundle.cjs')) return 'ssh2';
  if (/ node:/.test(symbol)) return 'Node (its JavaScript and the C++ it calls)';
  return null;
}

/** A tally's shares of `total`, largest first, under `title`. */
function printShares(title: string, tally: Tally, total: number): void {
  console.log(`\n${title}`);
  for (const [key, count] of tally.top()) console.log(`${((100 * count) / total).toFixed(1).padStart(6)} %  ${key}`);
}

/** Functions whose frames on a stack say what the sample was for. */
const STACK_MARKS: Array<[RegExp, string]> = [
  [/^JS:\S*verifyOneShot /, 'host key signature checked (verify)'],
  [/^JS:\S*signOneShot /, 'login signature (sign)'],
  [/^JS:\S*generateKeyPairSync /, 'X25519 key pair made'],
  [/^JS:\S*diffieHellman /, 'X25519 shared secret'],
  [/^JS:\S*(handleWriteReq|writeGeneric|writevGeneric) /, 'socket writes'],
  [/^JS:\S*compileForInternalLoader /, "Node's own modules compiled"],
  [/^JS:\S*__(require|init) .*sshpool-bundle/, "the bundle's modules evaluated"],
];

const where = new Tally();
const onStack = new Tally();
const samples: Array<{ pid: string; time: number }> = [];
const firstConnect = new Map<string, number>();

function addSample(header: string, frames: Frame[]): void {
  const [, pidTid = '', time = '0'] = header.trim().split(/\s+/);
  const pid = pidTid.split('/')[0]!;
  samples.push({ pid, time: parseFloat(time) });
  const innermost = frames[0];
  const sources = frames.map((frame) => jsSource(frame.symbol)).filter((source) => source !== null);
  where.add((innermost && nativeCategory(innermost)) ?? (sources.length > 0 ? `JavaScript: ${sources[0]}` : 'V8 and Node runtime (no JavaScript on the stack)'));
  for (const source of new Set(sources)) onStack.add(source);
  for (const [pattern, name] of STACK_MARKS) if (frames.some((frame) => pattern.test(frame.symbol))) onStack.add(name);
  if (!firstConnect.has(pid) && frames.some((frame) => /internalConnect/.test(frame.symbol))) firstConnect.set(pid, parseFloat(time));
}


let header: string | null = null;
let frames: Frame[] = [];
for await (const line of createInterface({ input: process.stdin })) {
  if (line === '' || !/^\s/.test(line)) {
    if (header !== null) addSample(header, frames);
    header = line === '' ? null : line;
    frames = [];
    continue;
  }
  const frame = /^\s+[0-9a-f]+\s+(.*?)\s+\(([^)]*)\)\s*$/.exec(line);
  if (frame) frames.push({ symbol: frame[1]!, dso: frame[2]! });
}
if (header !== null) addSample(header, frames);

const total = samples.length;
console.log(`${total} samples`);
printShares('By the innermost frame (V8 builtins and Node C++ charged to the JavaScript that called them):', where, total);
printShares('On the stack (a sample counts once in each row it matches):', onStack, total);
const beforeConnect = samples.filter(({ pid, time }) => time < (firstConnect.get(pid) ?? Infinity)).length;
console.log(`\nBefore the process's first TCP connect: ${((100 * beforeConnect) / total).toFixed(1)} %`);
