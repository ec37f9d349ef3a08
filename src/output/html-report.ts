import { SshpoolError } from '../errors.js';
import type { HostResult, HostStatus } from '../run/host-result.js';
import { writeFileAtomically } from './atomic-file.js';
import { formatDuration, wallTimeMs } from './summary.js';
import { escapeControlCharacters } from './untrusted-text.js';

/** For renderHtmlReport and writeHtmlReport. */
export interface ReportOptions {
  /** Shown in the title, e.g. the command line that was run. */
  title?: string;
  /** Stamped in the report; default now (tests pass a fixed one). */
  generatedAt?: Date;
}

const STATUS_COLORS: Record<HostStatus, string> = {
  ok: '#2e9d4f',
  failed: '#d93f3f',
  unreachable: '#8e44ad',
  timeout: '#e08a00',
  skipped: '#9aa0a6',
};

/** Lines and characters of each stream the details panel shows. */
const HEAD_LINES = 10;
/** Characters of a host's output the report shows at the most (with HEAD_LINES): callers need keep no more. */
export const REPORT_EXCERPT_CHARS = 2000;

/**
 * A self-contained HTML page about a finished run: a timeline with one row
 * per pool slot and one bar per host (coloured by status; click one for its
 * host, duration, exit code and first output lines), and a summary table.
 * Nothing is loaded from anywhere (a Content-Security-Policy forbids it).
 * Host output is untrusted: it reaches the page only as escaped text, or as
 * JSON that the script puts in place with textContent; control and bidi
 * characters in it are shown as escapes too (a browser hides `\r` and lets
 * U+202E show "deliaf" as "failed").
 */
export function renderHtmlReport(results: readonly HostResult[], options: ReportOptions = {}): string {
  const title = options.title ? `sshpool: ${escapeControlCharacters(options.title)}` : 'sshpool run report';
  const ran = results.filter((r) => r.slot >= 0);
  const t0 = ran.reduce((min, r) => Math.min(min, Date.parse(r.startedAt)), Infinity);
  const spanMs = Math.max(1, wallTimeMs(results));
  const slots = ran.reduce((max, r) => Math.max(max, r.slot + 1), 0);
  const percent = (ms: number) => `${((ms / spanMs) * 100).toFixed(3)}%`;

  const bars: string[][] = Array.from({ length: slots }, () => []);
  results.forEach((r, index) => {
    if (r.slot < 0) return;
    const left = percent(Date.parse(r.startedAt) - t0);
    const tip = `${escapeControlCharacters(r.host)}: ${r.status}, ${formatDuration(r.durationMs)}`;
    bars[r.slot]?.push(`<button class="bar s-${r.status}" data-index="${index}" style="left:${left};width:${percent(r.durationMs)}" title="${escapeHtml(tip)}"></button>`);
  });
  const rows = bars.map((lane, slot) => `<div class="row"><span class="slot">slot ${slot}</span><div class="lane">${lane.join('')}</div></div>`);
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => `<span style="left:${f * 100}%">${escapeHtml(formatDuration(Math.round(f * spanMs)))}</span>`);

  const counts = (Object.keys(STATUS_COLORS) as HostStatus[]).map((status) => {
    const count = results.filter((r) => r.status === status).length;
    return `<tr><td><span class="dot s-${status}"></span>${status}</td><td class="num" data-status="${status}">${count}</td></tr>`;
  });
  const batched = results.some((r) => r.batch !== undefined);
  const hostRows = results.map(
    (r, index) =>
      `<tr data-index="${index}">${batched ? `<td class="num">${r.batch ?? ''}</td>` : ''}<td>${escapeHtml(escapeControlCharacters(r.host))}</td><td><span class="dot s-${r.status}"></span>${r.status}</td>` +
      `<td class="num">${r.exitCode ?? ''}</td><td class="num">${escapeHtml(formatDuration(r.durationMs))}</td>` +
      `<td>${r.error ? escapeHtml(escapeControlCharacters(`${r.error.code}: ${r.error.message}`)) : r.signal ? escapeHtml(`signal ${r.signal}`) : ''}${escapeHtml(earlierAttempts(r))}</td></tr>`,
  );
  const details = results.map((r) => ({
    host: escapeControlCharacters(r.host),
    status: r.status,
    exitCode: r.exitCode,
    signal: r.signal,
    durationMs: r.durationMs,
    duration: formatDuration(r.durationMs),
    startedAt: r.startedAt,
    slot: r.slot,
    error: r.error ? escapeControlCharacters(`${r.error.code}: ${r.error.message}`) : null,
    stdout: escapeControlCharacters(head(r.stdout)),
    stderr: escapeControlCharacters(head(r.stderr)),
  }));
  const statusCss = Object.entries(STATUS_COLORS)
    .map(([status, color]) => `.s-${status}{background:${color}}`)
    .join('');
  const generated = (options.generatedAt ?? new Date()).toISOString();

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
h1{font-size:18px;margin:0 0 4px}h2{font-size:15px;margin:24px 0 8px}
.meta{color:#666;margin-bottom:16px}
.timeline{border:1px solid #ddd;padding:8px 8px 24px;position:relative}
.row{display:flex;align-items:center;height:22px}
.slot{width:64px;flex:none;color:#666;font-size:12px}
.lane{position:relative;flex:1;height:16px;background:#f4f4f4}
.bar{position:absolute;top:0;height:16px;min-width:3px;border:0;padding:0;cursor:pointer;border-right:1px solid #fff}
.bar:hover,.bar.selected{outline:2px solid #222;z-index:1}
.axis{position:relative;margin-left:64px;height:16px;font-size:11px;color:#666}
.axis span{position:absolute;transform:translateX(-50%);white-space:nowrap}
.axis span:first-child{transform:none}.axis span:last-child{transform:translateX(-100%)}
#details{border:1px solid #ddd;padding:8px;margin-top:12px;min-height:40px}
#details pre{background:#f7f7f7;padding:6px;max-height:200px;overflow:auto;white-space:pre-wrap;margin:4px 0}
table{border-collapse:collapse}td,th{border-bottom:1px solid #eee;padding:3px 10px;text-align:left;vertical-align:top;white-space:nowrap}td:last-child{white-space:normal}
.num{text-align:right}.dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:6px}
${statusCss}
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<div class="meta">${results.length} hosts, ${escapeHtml(formatDuration(wallTimeMs(results)))}, generated ${escapeHtml(generated)}</div>
<h2>Timeline</h2>
<div class="timeline">
${rows.join('\n')}
<div class="axis">${ticks.join('')}</div>
</div>
<div id="details">Click a bar for its host's details.</div>
<h2>Summary</h2>
<table id="counts"><tbody>${counts.join('')}</tbody></table>
<h2>Hosts</h2>
<table id="hosts"><thead><tr>${batched ? '<th>batch</th>' : ''}<th>host</th><th>status</th><th>exit</th><th>duration</th><th>error</th></tr></thead>
<tbody>${hostRows.join('\n')}</tbody></table>
<script type="application/json" id="sshpool-data">${jsonForScript(details)}</script>
<script>
(function () {
  var hosts = JSON.parse(document.getElementById('sshpool-data').textContent);
  var panel = document.getElementById('details');
  function add(parent, tag, text) {
    var node = document.createElement(tag);
    node.textContent = text;
    parent.appendChild(node);
    return node;
  }
  function show(index) {
    var h = hosts[index];
    panel.textContent = '';
    add(panel, 'strong', h.host);
    add(panel, 'div', h.status + ', ' + h.duration + ', exit code ' + (h.exitCode === null ? '-' : h.exitCode) +
      (h.signal ? ', signal ' + h.signal : '') + ', slot ' + h.slot + ', started ' + h.startedAt);
    if (h.error) add(panel, 'div', h.error);
    if (h.stdout) { add(panel, 'div', 'stdout (first lines):'); add(panel, 'pre', h.stdout).className = 'stdout'; }
    if (h.stderr) { add(panel, 'div', 'stderr (first lines):'); add(panel, 'pre', h.stderr).className = 'stderr'; }
    document.querySelectorAll('.bar.selected').forEach(function (bar) { bar.classList.remove('selected'); });
    var bar = document.querySelector('.bar[data-index="' + index + '"]');
    if (bar) bar.classList.add('selected');
  }
  document.addEventListener('click', function (event) {
    var target = event.target.closest('[data-index]');
    if (target) show(Number(target.getAttribute('data-index')));
  });
})();
</script>
</body>
</html>
`;
}

/** What a retried host's row adds: its attempt and the codes the earlier ones failed with (--retries). */
function earlierAttempts(record: HostResult): string {
  if (!record.previousErrors?.length) return '';
  return ` (attempt ${record.attempt}; before: ${record.previousErrors.map((error) => escapeControlCharacters(error.code)).join(', ')})`;
}

/**
 * renderHtmlReport's page written to `file` atomically (a temporary file renamed over it).
 * @throws SshpoolError with code REPORT_FILE when it cannot be written.
 */
export async function writeHtmlReport(file: string, results: readonly HostResult[], options: ReportOptions = {}): Promise<void> {
  try {
    await writeFileAtomically(file, renderHtmlReport(results, options));
  } catch (error) {
    throw new SshpoolError('REPORT_FILE', `cannot write the report ${file}: ${(error as Error).message}`, { cause: error });
  }
}

function head(text: string): string {
  const whole = text.replace(/\n$/, '');
  const shown = whole.split('\n', HEAD_LINES).join('\n').slice(0, REPORT_EXCERPT_CHARS);
  return shown.length < whole.length ? `${shown}\n…` : shown;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** JSON inside <script>: `<` escaped, so no `</script>` or `<!--` in host output can end or confuse the element. */
function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
