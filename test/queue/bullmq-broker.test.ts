// The shared behaviour on BullMQ and a real Redis, then what only BullMQ has: queues shared between
// processes, and the BullMQ behaviour that made ordered queues retry in place.
import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { BullmqBroker, type BullmqBrokerOptions } from "../../src/queue/bullmq-broker.ts";
import { testRedisUrl } from "../support/db.ts";
import { brokerBehaviour } from "./behaviour.ts";
import { deleteKeys, testPrefix, waitFor } from "./helpers.ts";

function openBullmq(options: Partial<BullmqBrokerOptions> = {}) {
  const url = testRedisUrl();
  const prefix = testPrefix();
  const errors: Error[] = [];
  const brokers: BullmqBroker[] = [];
  const make = () => {
    const broker = new BullmqBroker({ url, prefix, onError: (e) => errors.push(e), ...options });
    brokers.push(broker);
    return broker;
  };
  return {
    url,
    prefix,
    errors,
    broker: make(),
    peer: async () => make(),
    cleanup: async () => {
      await Promise.all(brokers.map((b) => b.close()));
      await deleteKeys(url, prefix);
    },
  };
}

brokerBehaviour("BullMQ", async () => openBullmq());

describe("BullMQ broker, across processes", () => {
  let fx: ReturnType<typeof openBullmq> | undefined;
  afterEach(async () => {
    await fx?.cleanup();
    fx = undefined;
  });

  it("finds the queues under its prefix that another process made, and their failed jobs", async () => {
    fx = openBullmq();
    const producer = fx.broker;
    await producer.declare("inbound.0", { ordered: true });
    await producer.declare("ingest", { attempts: 1 });
    await producer.add("inbound.0", "message", { text: "hi" }, { id: "tg-1" });
    const worker = await producer.work("ingest", () => {
      throw new Error("database down");
    });
    await producer.add("ingest", "feedback", {}, { id: "fb-1" });
    await waitFor(async () => (await producer.counts("ingest")).failed === 1, "failed");
    await worker.close();

    // An operator's CLI: nothing declared, same Redis and prefix.
    const admin = await fx.peer();
    expect(await admin.queues()).toEqual(["inbound.0", "ingest"]);
    expect(await admin.counts("inbound.0")).toMatchObject({ waiting: 1 });
    expect(await admin.failed("ingest")).toMatchObject([{ id: "fb-1", failedReason: "database down", attemptsMade: 1 }]);
    // Another prefix sees none of it.
    const other = new BullmqBroker({ url: fx.url, prefix: testPrefix() });
    expect(await other.queues()).toEqual([]);
    await other.close();
  });
});

describe("BullMQ itself (why ordered queues retry in place)", () => {
  const url = testRedisUrl();
  const prefix = testPrefix();
  afterEach(() => deleteKeys(url, prefix));

  it("lets the next job overtake a job retried with backoff, even with global concurrency 1", async () => {
    const connection = new Redis(url, { maxRetriesPerRequest: null });
    const queue = new Queue("raw", { connection, prefix });
    await queue.setGlobalConcurrency(1);
    const order: string[] = [];
    const worker = new Worker(
      "raw",
      async (job) => {
        if (job.data.n === 1 && job.attemptsMade === 0) {
          order.push("1 failed");
          throw new Error("flaky");
        }
        order.push(`${job.data.n}`);
      },
      { connection: new Redis(url, { maxRetriesPerRequest: null }), prefix },
    );
    await queue.addBulk([1, 2, 3].map((n) => ({ name: "m", data: { n }, opts: { attempts: 2, backoff: { type: "fixed", delay: 100 } } })));
    await waitFor(async () => (await queue.getCompletedCount()) === 3, "3 completed");
    // The retry waits in the delayed set while 2 and 3 run: per-person order would be lost.
    expect(order).toEqual(["1 failed", "2", "3", "1"]);
    await worker.close();
    await queue.close();
    await connection.quit();
  });
});
