import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { escapeHtml, renderHtmlReport, writeHtmlReport } from '../../src/output/html-report.js';
import type { HostResult } from '../../src/run/host-result.js';
import { CHROMIUM, openChromium } from './chromium.js';
import { record } from '../helpers/records.js';

/** The one DOM global these checks use (the tests compile without the DOM lib). */
type Dom = { getComputedStyle(element: unknown): { backgroundColor: string } };

const start = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(start + ms).toISOString();
/** Output a page must show as text and never act on. */
const HOSTILE = '<img src="http://127.0.0.1:9/pixel.png" onerror="window.pwned=1"></script><script>window.pwned=2</script>';

export const REPORT_RECORDS: HostResult[] = [
  record({ host: 'web01', slot: 0, startedAt: at(0), durationMs: 400, stdout: 'line 1\nline 2\n' }),
  record({ host: 'web02', slot: 1, startedAt: at(0), durationMs: 900, stdout: `${HOSTILE}\n` }),
  record({ host: 'web03', slot: 0, startedAt: at(400), durationMs: 300, status: 'failed', exitCode: 3, stderr: 'disk full\n' }),
  record({ host: 'db1', slot: 1, startedAt: at(900), durationMs: 100, status: 'unreachable', exitCode: null, error: { code: 'AUTH_FAILED', message: 'db1: <no> key accepted' } }),
  record({ host: 'db2', slot: 0, startedAt: at(700), durationMs: 500, status: 'timeout', exitCode: null, signal: 'SIGKILL', error: { code: 'COMMAND_TIMEOUT', message: 'killed' } }),
  record({ host: 'db3', slot: -1, startedAt: at(1200), durationMs: 0, status: 'skipped', exitCode: null, error: { code: 'SKIPPED', message: 'stopped' } }),
];

describe('the HTML report (in headless Chromium)', function () {
  this.timeout(60_000);
  let browser: { context: BrowserContext; close: () => Promise<void> };
  let dir: string;
  let page: Page;
  let requests: string[];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      process.stderr.write(`      ${CHROMIUM} is not installed (apt-get install chromium): skipping the browser test of the report\n`);
      this.skip();
    }
    browser = await openChromium();
    dir = await mkdtemp(path.join(tmpdir(), 'sshpool-report-'));
    const file = path.join(dir, 'report.html');
    await writeHtmlReport(file, REPORT_RECORDS, { title: 'uptime <&>' });
    page = await browser.context.newPage();
    requests = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(pathToFileURL(file).href);
  });
  after(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('draws one bar per host that ran, in its slot row, coloured by status', async () => {
    expect(await page.locator('.row').count()).to.equal(2);
    expect(await page.locator('.bar').count()).to.equal(5);
    expect(await page.locator('.row').nth(0).locator('.bar').count()).to.equal(3);
    const colour = (status: string) => page.locator(`.bar.s-${status}`).first().evaluate((el) => (globalThis as unknown as Dom).getComputedStyle(el).backgroundColor);
    expect(await colour('ok')).to.equal('rgb(46, 157, 79)');
    expect(await colour('failed')).to.equal('rgb(217, 63, 63)');
    expect(await colour('unreachable')).to.equal('rgb(142, 68, 173)');
    expect(await colour('timeout')).to.equal('rgb(224, 138, 0)');
    const widths = await page.locator('.row').nth(1).locator('.bar').evaluateAll((bars) => bars.map((bar) => parseFloat((bar as unknown as { style: { width: string } }).style.width)));
    expect(widths).to.deep.equal([75, 8.333]);
  });

  it('shows a host’s details when its bar is clicked', async () => {
    await page.locator('.bar[data-index="2"]').click();
    const details = await page.locator('#details').innerText();
    expect(details).to.include('web03');
    expect(details).to.include('failed, 300 ms, exit code 3');
    expect(details).to.include('disk full');
    expect(await page.locator('.bar.selected').getAttribute('data-index')).to.equal('2');
    await page.locator('.bar[data-index="4"]').hover();
    expect(await page.locator('.bar[data-index="4"]').getAttribute('title')).to.equal('db2: timeout, 500 ms');
  });

  it('shows host output as text, never as markup, and makes no request of its own', async () => {
    await page.locator('.bar[data-index="1"]').click();
    expect(await page.locator('#details pre.stdout').innerText()).to.equal(HOSTILE);
    expect(await page.evaluate('typeof window.pwned')).to.equal('undefined');
    expect(await page.locator('#details img').count()).to.equal(0);
    expect(await page.title()).to.equal('sshpool: uptime <&>');
    expect(requests.filter((url) => !url.startsWith('file:'))).to.deep.equal([]);
    expect(requests).to.have.length(1);
  });

  it('counts hosts by status and lists every host, the skipped one too', async () => {
    const count = (status: string) => page.locator(`#counts td[data-status="${status}"]`).innerText();
    expect([await count('ok'), await count('failed'), await count('unreachable'), await count('timeout'), await count('skipped')]).to.deep.equal(['2', '1', '1', '1', '1']);
    const rows = await page.locator('#hosts tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).to.have.length(6);
    expect(rows[3]).to.deep.equal(['db1', 'unreachable', '', '100 ms', 'AUTH_FAILED: db1: <no> key accepted']);
    expect(rows[5]?.[1]).to.equal('skipped');
  });

  it('cannot be made to show other text than was sent: `\\r`, ESC and bidi overrides appear as escapes', async () => {
    const file = path.join(dir, 'controls.html');
    const controls = [
      record({ host: 'evil\u202eko', status: 'failed', exitCode: 1, stdout: 'real\rFAKE \x1b[2J \u202eok deliat\n', error: { code: 'CONNECTION_LOST', message: 'server: \u202edeliaf' } }),
    ];
    await writeHtmlReport(file, controls, { title: 'echo \u202e' });
    const other = await browser.context.newPage();
    try {
      await other.goto(pathToFileURL(file).href);
      await other.locator('.bar').click();
      expect(await other.locator('#details pre.stdout').innerText()).to.equal('real\\rFAKE \\x1b[2J \\u202eok deliat');
      expect(await other.locator('#details strong').innerText()).to.equal('evil\\u202eko');
      const cells = await other.locator('#hosts tbody td').allInnerTexts();
      expect(cells[0]).to.equal('evil\\u202eko');
      expect(cells[4]).to.equal('CONNECTION_LOST: server: \\u202edeliaf');
      expect(await other.title()).to.equal('sshpool: echo \\u202e');
    } finally {
      await other.close();
    }
  });
});

describe('the HTML report (as text)', () => {
  it('escapes everything it puts in markup, and keeps `<` out of the embedded JSON', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).to.equal('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
    const html = renderHtmlReport(REPORT_RECORDS);
    expect(html).not.to.include('<img');
    expect(html.match(/<script/g)).to.have.length(2);
    expect(html).not.to.match(/(src|href)=["']?https?:/);
  });
});

describe('the HTML report of a run with batches and retries (markup)', () => {
  it('has a batch column only when records have batches, and says a retried host’s attempt and earlier errors', () => {
    const batched = [
      record({ host: 'a', batch: 1, startedAt: at(0) }),
      record({ host: 'b', batch: 2, startedAt: at(10), attempt: 3, previousErrors: [{ code: 'CONNECT_RESET', message: 'x' }, { code: 'HANDSHAKE_FAILED', message: 'y' }] }),
    ];
    const html = renderHtmlReport(batched);
    expect(html).to.include('<th>batch</th><th>host</th>');
    expect(html).to.include('<tr data-index="1"><td class="num">2</td><td>b</td>');
    expect(html).to.include(' (attempt 3; before: CONNECT_RESET, HANDSHAKE_FAILED)</td></tr>');
    expect(renderHtmlReport(REPORT_RECORDS)).to.include('<thead><tr><th>host</th>');
  });
});
