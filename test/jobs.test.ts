import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import { openRuntime, type Runtime } from '../src/app/runtime.js';
import { JobRunner } from '../src/jobs/runner.js';
import { TestStore, dialect } from './helpers/server.js';

/** A clock the test moves by hand. */
class FakeClock {
  constructor(public t = 1_700_000_000_000) {}
  now(): number {
    return this.t;
  }
}

describe(`durable jobs (${dialect})`, () => {
  const store = new TestStore();
  let rt: Runtime;
  const silent = pino({ level: 'silent' });

  beforeAll(async () => {
    await store.prepare();
    rt = await openRuntime(store.config(), { logger: silent });
  });
  afterAll(async () => {
    await rt.store.close();
    await store.dispose();
  });

  it('runs a job when it is due, once', async () => {
    const clock = new FakeClock();
    const seen: unknown[] = [];
    const runner = new JobRunner(rt.repos.jobs, silent, { clock }).register('t.once', async (p) => void seen.push(p));
    await rt.repos.jobs.schedule({ kind: 't.once', payload: { n: 1 }, runAt: clock.t + 1000 });
    expect(await runner.runDue()).toBe(0);
    clock.t += 1000;
    expect(await runner.runDue()).toBe(1);
    expect(await runner.runDue()).toBe(0);
    expect(seen).toEqual([{ n: 1 }]);
  });

  it('a job scheduled in a rolled-back transaction does not exist', async () => {
    await expect(
      rt.store.db.transaction().execute(async (trx) => {
        await rt.repos.jobs.schedule({ kind: 't.rollback', payload: {}, runAt: 0, dedupeKey: 't.rollback:1' }, trx);
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(await rt.repos.jobs.byKey('t.rollback:1')).toBeUndefined();
  });

  it('scheduling the same key again moves the pending job; cancel drops it', async () => {
    const clock = new FakeClock();
    const seen: unknown[] = [];
    const runner = new JobRunner(rt.repos.jobs, silent, { clock }).register('t.key', async (p) => void seen.push(p));
    await rt.repos.jobs.schedule({ kind: 't.key', payload: { v: 1 }, runAt: clock.t, dedupeKey: 't.key:a' });
    await rt.repos.jobs.schedule({ kind: 't.key', payload: { v: 2 }, runAt: clock.t + 5000, dedupeKey: 't.key:a' });
    expect(await runner.runDue()).toBe(0);
    clock.t += 5000;
    expect(await runner.runDue()).toBe(1);
    expect(seen).toEqual([{ v: 2 }]);
    await rt.repos.jobs.schedule({ kind: 't.key', payload: { v: 3 }, runAt: clock.t, dedupeKey: 't.key:b' });
    await rt.repos.jobs.cancel('t.key:b');
    expect(await runner.runDue()).toBe(0);
  });

  it('retries a failing job with backoff, then marks it failed', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const runner = new JobRunner(rt.repos.jobs, silent, { clock, maxAttempts: 3 }).register('t.fail', async () => {
      calls++;
      throw new Error(`boom ${calls}`);
    });
    await rt.repos.jobs.schedule({ kind: 't.fail', payload: {}, runAt: clock.t, dedupeKey: 't.fail:1' });
    await runner.runDue();
    expect((await rt.repos.jobs.byKey('t.fail:1'))).toMatchObject({ status: 'pending', attempts: 1, last_error: 'boom 1', run_at: clock.t + 2000 });
    clock.t += 2000;
    await runner.runDue();
    clock.t += 4000;
    await runner.runDue();
    expect(calls).toBe(3);
    expect(await rt.repos.jobs.byKey('t.fail:1')).toMatchObject({ status: 'failed', attempts: 3, last_error: 'boom 3' });
    clock.t += 3600_000;
    await runner.runDue();
    expect(calls).toBe(3);
  });

  it('a job whose process died mid-run is taken over when its lease runs out, and only by one runner', async () => {
    const clock = new FakeClock();
    const done: string[] = [];
    await rt.repos.jobs.schedule({ kind: 't.lease', payload: {}, runAt: clock.t, dedupeKey: 't.lease:1' });
    // The first process claims the job and dies before finishing it.
    const [job] = await rt.repos.jobs.due(clock.t, 10, ['t.lease']);
    expect(await rt.repos.jobs.claim(job!, clock.t, 60_000)).toBe(true);

    const a = new JobRunner(rt.repos.jobs, silent, { clock, leaseMs: 60_000 }).register('t.lease', async () => void done.push('a'));
    const b = new JobRunner(rt.repos.jobs, silent, { clock, leaseMs: 60_000 }).register('t.lease', async () => void done.push('b'));
    expect(await a.runDue()).toBe(0);
    clock.t += 60_001;
    await Promise.all([a.runDue(), b.runDue()]);
    expect(done).toHaveLength(1);
    expect(await rt.repos.jobs.byKey('t.lease:1')).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('rescheduling a running job keeps the new schedule when the old run finishes', async () => {
    const clock = new FakeClock();
    let runs = 0;
    const runner = new JobRunner(rt.repos.jobs, silent, { clock }).register('t.resched', async () => {
      runs++;
      if (runs === 1) await rt.repos.jobs.schedule({ kind: 't.resched', payload: {}, runAt: clock.t + 10_000, dedupeKey: 't.resched:1' });
    });
    await rt.repos.jobs.schedule({ kind: 't.resched', payload: {}, runAt: clock.t, dedupeKey: 't.resched:1' });
    await runner.runDue();
    expect(await rt.repos.jobs.byKey('t.resched:1')).toMatchObject({ status: 'pending', run_at: clock.t + 10_000 });
    clock.t += 10_000;
    await runner.runDue();
    expect(runs).toBe(2);
  });
});
