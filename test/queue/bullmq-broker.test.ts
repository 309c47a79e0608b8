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
    await producer.put("inbound.0", "message", { text: "hi" }, { id: "tg-1" });
    const worker = await producer.work("ingest", () => {
      throw new Error("database down");
    });
    await producer.put("ingest", "feedback", {}, { id: "fb-1" });
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

describe("BullMQ broker, purge", () => {
  let fx: ReturnType<typeof openBullmq> | undefined;
  afterEach(async () => {
    await fx?.cleanup();
    fx = undefined;
  });

  it("forgets the purged jobs' entries in the queue's event stream, and entries whose job id matches", async () => {
    fx = openBullmq();
    const broker = fx.broker;
    await broker.declare("q", { attempts: 1, keepCompletedMs: 0 });
    await broker.work("q", (job) => {
      if (job.name === "fail") throw new Error("no");
    });
    await broker.put("q", "ok", { who: "bruno" }, { id: "c-bruno-3" }); // completed: removed at once
    await waitFor(async () => (await broker.counts("q")).waiting + (await broker.counts("q")).active === 0, "bruno's job ran");
    await broker.put("q", "fail", { who: "amira" }, { id: "f-amira-1" });
    await waitFor(async () => (await broker.counts("q")).failed === 1, "amira's job failed");
    const redis = new Redis(fx.url);
    try {
      // The stream keeps its latest entries (the cap below trims older ones in whole blocks of entries, so
      // whether BullMQ's own entry about the failure is still there depends on where a block ended): one more.
      const key = `${fx.prefix}:q:events`;
      await redis.xadd(key, "*", "event", "failed", "jobId", "f-amira-1", "failedReason", "no");
      await redis.xadd(key, "*", "event", "completed", "jobId", "c-amira-2", "returnvalue", "null");
      const events = async () => (await redis.xrange(key, "-", "+")).map(([, fields]) => fields.join(" "));
      expect(await broker.purge(() => true, (job) => job.id.includes("amira"))).toBe(1);
      expect((await events()).filter((e) => e.includes("amira"))).toEqual([]);
      // What the stream is capped at: nothing here reads it (BullMQ trims it in blocks of about 100 entries).
      expect(await redis.hget(`${fx.prefix}:q:meta`, "opts.maxLenEvents")).toBe("0");
    } finally {
      redis.disconnect();
    }
  });
});

describe("BullMQ broker, keepCompletedData: false", () => {
  let fx: ReturnType<typeof openBullmq> | undefined;
  afterEach(async () => {
    await fx?.cleanup();
    fx = undefined;
  });

  it("a job run again with its data already removed (its worker died after the processor returned) completes without running", async () => {
    fx = openBullmq();
    const broker = fx.broker;
    await broker.declare("q", { keepCompletedData: false });
    await broker.put("q", "msg", { n: 1 }, { id: "done-before" });
    const redis = new Redis(fx.url);
    try {
      await redis.hset(`${fx.prefix}:q:done-before`, "data", "null"); // as the wrapper leaves it before BullMQ records the completion
    } finally {
      redis.disconnect();
    }
    const ran: string[] = [];
    await broker.work("q", (job) => void ran.push(job.id));
    await waitFor(async () => (await broker.counts("q")).completed === 1, "completed");
    expect(ran).toEqual([]);
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
