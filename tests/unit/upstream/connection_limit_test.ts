import assert from "node:assert/strict";
import { ConnectionLimit } from "../../../src/upstream/connection_limit.ts";

Deno.test("ConnectionLimit hands a released slot to the longest waiter", async () => {
  const limit = new ConnectionLimit(1);
  assert.equal(limit.tryAcquire(), true);
  assert.equal(limit.tryAcquire(), false);
  const order: string[] = [];
  const first = limit.wait(10_000, undefined).then((outcome) => order.push(`first ${outcome}`));
  const second = limit.wait(10_000, undefined).then((outcome) => order.push(`second ${outcome}`));
  limit.release();
  await first;
  assert.deepEqual(order, ["first acquired"]);
  limit.release();
  await second;
  assert.deepEqual(order, ["first acquired", "second acquired"]);
  limit.release();
  // Every slot is back: the next caller takes one without waiting.
  assert.equal(limit.tryAcquire(), true);
});

Deno.test("ConnectionLimit ends a wait at its bound or its signal without taking a slot", async () => {
  const limit = new ConnectionLimit(1);
  assert.equal(limit.tryAcquire(), true);
  assert.equal(await limit.wait(1, undefined), "timeout");
  const controller = new AbortController();
  const aborted = limit.wait(10_000, controller.signal);
  controller.abort();
  assert.equal(await aborted, "aborted");
  // Neither gave-up waiter holds the slot released now.
  limit.release();
  assert.equal(limit.tryAcquire(), true);
  assert.equal(limit.tryAcquire(), false);
});
