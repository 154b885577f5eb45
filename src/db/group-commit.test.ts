import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupCommit } from './group-commit.js';

const recorder = (fail: (items: readonly number[]) => boolean = () => false) => {
  const batches: number[][] = [];
  const write = async (items: readonly number[]) => {
    batches.push([...items]);
    await new Promise((r) => setTimeout(r, 1)); // a commit takes time: newcomers must wait for the next batch
    if (fail(items)) throw new Error('disk on fire');
    return items.map((i) => i * 10);
  };
  return { batches, write };
};

test('items of one event-loop turn share a transaction; each caller gets its own result', async () => {
  const r = recorder();
  const gc = new GroupCommit(r.write, (_i, e) => e, { maxBatch: 4 });
  const results = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => gc.submit(i)));
  assert.deepEqual(results, [10, 20, 30, 40, 50, 60]);
  assert.deepEqual(r.batches, [[1, 2, 3, 4], [5, 6]]);
  assert.deepEqual(gc.stats(), { commits: 2, failedCommits: 0, items: 6, largestBatch: 4 });
});

test('arrivals during a commit form the next batch', async () => {
  const r = recorder();
  const gc = new GroupCommit(r.write, (_i, e) => e);
  const first = gc.submit(1);
  await new Promise((res) => setImmediate(res)); // batch [1] is now being written
  const later = [gc.submit(2), gc.submit(3)];
  await Promise.all([first, ...later]);
  assert.deepEqual(r.batches, [[1], [2, 3]]);
});

test('maxDelayMs waits for more, but a full batch goes at once', async () => {
  const r = recorder();
  const gc = new GroupCommit(r.write, (_i, e) => e, { maxBatch: 3, maxDelayMs: 50 });
  const t = Date.now();
  const a = gc.submit(1);
  setTimeout(() => void gc.submit(2), 5);
  await a;
  assert.ok(Date.now() - t >= 45, 'waited for the window');
  assert.deepEqual(r.batches, [[1, 2]]);
  const t2 = Date.now();
  await Promise.all([gc.submit(3), gc.submit(4), gc.submit(5)]);
  assert.ok(Date.now() - t2 < 40, 'full batch not delayed');
});

test('a failed batch rejects all its callers; isolateFailures retries them one by one', async () => {
  const strict = new GroupCommit(recorder((items) => items.includes(2)).write, (i, e) => new Error(`item ${i}: ${(e as Error).message}`));
  const res = await Promise.allSettled([1, 2, 3].map((i) => strict.submit(i)));
  assert.deepEqual(res.map((x) => x.status), ['rejected', 'rejected', 'rejected']);
  assert.match(String((res[0] as PromiseRejectedResult).reason), /item 1: disk on fire/);

  const r = recorder((items) => items.includes(2));
  const isolated = new GroupCommit(r.write, (i) => new Error(`item ${i}`), { isolateFailures: true });
  const res2 = await Promise.allSettled([1, 2, 3].map((i) => isolated.submit(i)));
  assert.deepEqual(res2.map((x) => x.status), ['fulfilled', 'rejected', 'fulfilled']);
  assert.deepEqual(r.batches, [[1, 2, 3], [1], [2], [3]]);
});

test('close waits for submitted items and refuses new ones', async () => {
  const r = recorder();
  const gc = new GroupCommit(r.write, (_i, e) => e);
  const p = gc.submit(1);
  await gc.close(() => new Error('closed'));
  assert.equal(await p, 10);
  await assert.rejects(gc.submit(2), /closed/);
});

test('maxBatchWeight splits a batch by size, but never below one item', async () => {
  const r = recorder();
  const gc = new GroupCommit(r.write, (_i, e) => e, { maxBatchWeight: 10, weigh: (i: number) => i });
  await Promise.all([4, 5, 3, 20, 1].map((i) => gc.submit(i)));
  assert.deepEqual(r.batches, [[4, 5], [3], [20], [1]]);
});
