import { expect } from 'chai';
import { ProgressLine } from '../../src/output/progress.js';
import { capture, record } from '../helpers/records.js';

describe('the progress line', () => {
  it('counts done, failed and running hosts, with a rate and the time left', () => {
    let now = 0;
    const err = capture(false);
    const progress = new ProgressLine(err.stream, 10, { now: () => now, intervalMs: 60_000 });
    expect(progress.render()).to.equal('0/10 done · 0 failed · 0 running · 0.0/s');
    progress.hostStart('a');
    progress.hostStart('b');
    progress.hostStart('c');
    now = 2000;
    progress.hostDone(record({ host: 'a' }));
    progress.hostDone(record({ host: 'b', status: 'failed', exitCode: 1 }));
    progress.hostDone(record({ host: 'x', status: 'skipped', slot: -1 }));
    expect(progress.render()).to.equal('3/10 done · 2 failed · 1 running · 1.5/s · ETA 5s');
    progress.stop();
  });

  it('says the batch in a run of several (--batch), from the first batchStart on', () => {
    const err = capture(false);
    const progress = new ProgressLine(err.stream, 10, { now: () => 0, intervalMs: 60_000 });
    progress.batchStart(1, 5);
    expect(progress.render()).to.equal('batch 1/5 · 0/10 done · 0 failed · 0 running · 0.0/s');
    progress.batchStart(2, 5);
    expect(progress.render()).to.match(/^batch 2\/5 · /);
  });

  it('counts the bytes a copy or fetch moved, with their rate, once there are any', () => {
    let now = 0;
    const progress = new ProgressLine(capture(false).stream, 4, { now: () => now, intervalMs: 60_000 });
    progress.hostStart('a');
    expect(progress.render()).to.not.include('B');
    progress.transferred(3 * 1024 * 1024);
    now = 2000;
    progress.transferred(1024 * 1024);
    expect(progress.render()).to.equal('0/4 done · 0 failed · 1 running · 0.0/s · 4.0 MiB 2.0 MiB/s');
    progress.stop();
  });

  it('redraws in place on a timer, is cleared by guarded writes, and leaves nothing when stopped', async () => {
    const err = capture(true, 200);
    const out = capture(false);
    const progress = new ProgressLine(err.stream, 2, { intervalMs: 10 });
    progress.hostStart('a');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(err.text()).to.match(/^\r\x1b\[2K0\/2 done/);
    progress.guard(out.stream).write('a: line\n');
    expect(err.text().endsWith('\r\x1b[2K')).to.equal(true);
    expect(out.text()).to.equal('a: line\n');
    progress.stop();
    const length = err.text().length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(err.text().length).to.equal(length);
    expect(err.text().endsWith('\r\x1b[2K')).to.equal(true);
  });

  it('cuts the line to the terminal width, keeping colour codes whole', () => {
    const err = capture(true, 12);
    const progress = new ProgressLine(err.stream, 5, { intervalMs: 60_000 });
    progress.hostDone(record({ status: 'failed' }));
    const line = progress.render();
    expect(line.replace(/\x1b\[\d+m/g, '')).to.equal('1/5 done · ');
    expect(line.match(/\x1b\[\d+m/g) ?? []).to.have.length.of.at.most(2);
    progress.stop();
  });

  it('is cleared and not drawn while suspended (a prompt has the terminal), and drawn again after resume', async () => {
    const err = capture(true, 200);
    const progress = new ProgressLine(err.stream, 2, { intervalMs: 10 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    progress.suspend();
    expect(err.text().endsWith('\r\x1b[2K')).to.equal(true);
    const length = err.text().length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(err.text().length).to.equal(length);
    progress.resume();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(err.text().slice(length)).to.match(/^\r\x1b\[2K0\/2 done/);
    progress.stop();
  });
});
