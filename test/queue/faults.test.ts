// What BullMQ does when things break: a worker process killed mid-job, and Redis restarted mid-run.
import { fork } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterEach, describe, expect, it } from "vitest";
import { BullmqBroker } from "../../src/queue/bullmq-broker.ts";
import { testRedisUrl } from "../support/db.ts";
import { deleteKeys, testPrefix, waitFor } from "./helpers.ts";
import { startDedicatedRedis, type DedicatedRedis } from "./redis-server.ts";
import { logInto } from "../support/log.ts";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("a worker process killed mid-job", () => {
  it("loses the job to another worker after the stall interval; it runs to the end once, still first in line", async () => {
    const url = testRedisUrl();
    const prefix = testPrefix();
    const queue = "inbound.1";
    const redis = new Redis(url);
    cleanups.push(async () => {
      redis.disconnect();
      await deleteKeys(url, prefix);
    });

    const child = fork(join(import.meta.dirname, "fixtures", "worker-process.ts"), {
      env: { ...process.env, REDIS_URL: url, PREFIX: prefix, QUEUE: queue },
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    cleanups.push(async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
    const messages: Array<{ ready?: true; started?: string }> = [];
    child.on("message", (m: { ready?: true; started?: string }) => messages.push(m));
    await waitFor(() => messages.some((m) => m.ready), "the child worker to start", { timeoutMs: 15_000 });

    const broker = new BullmqBroker({ url, prefix, lockDurationMs: 1000, stalledIntervalMs: 500, onError: () => {} });
    cleanups.push(() => broker.close());
    await broker.declare(queue, { ordered: true, attempts: 3, backoffMs: 50 });
    for (let n = 1; n <= 5; n++) await broker.put(queue, "message", { n }, { id: `m-${n}` });
    await waitFor(() => messages.some((m) => m.started === "m-1"), "the child to take m-1");

    // A second worker, here: the queue is ordered, so it waits while m-1 is active in the child.
    const order: string[] = [];
    await broker.work(queue, async (job) => {
      order.push(job.id);
      await redis.rpush(`${prefix}:test:started`, `parent ${job.id}`);
      await redis.hincrby(`${prefix}:test:done`, job.id, 1);
    });
    const killedAt = Date.now();
    child.kill("SIGKILL");
    await once(child, "exit");

    await waitFor(async () => (await broker.counts(queue)).completed === 5, "all 5 completed", { timeoutMs: 15_000 });
    const pickedUpAfter = Date.now() - killedAt;
    expect(order).toEqual(["m-1", "m-2", "m-3", "m-4", "m-5"]);
    expect(await redis.lrange(`${prefix}:test:started`, 0, -1)).toEqual(["child m-1", "parent m-1", "parent m-2", "parent m-3", "parent m-4", "parent m-5"]);
    expect(await redis.hgetall(`${prefix}:test:done`)).toEqual({ "m-1": "1", "m-2": "1", "m-3": "1", "m-4": "1", "m-5": "1" });
    expect(pickedUpAfter).toBeLessThan(10_000);
  });
});

describe("Redis restarted mid-run", () => {
  let server: DedicatedRedis;

  it("workers reconnect; every job added before the restart completes, none twice", async () => {
    server = await startDedicatedRedis(["--appendonly", "yes", "--appendfsync", "always"]);
    cleanups.push(() => server.stop());
    const errors: Error[] = [];
    // A job moved to active just as Redis died never reaches its worker: it stays active until its lock
    // expires and a stalled check puts it back. Shorter than the 30 s + 30 s defaults, to keep the test short.
    const broker = new BullmqBroker({
      url: server.url,
      prefix: testPrefix(),
      lockDurationMs: 3000,
      stalledIntervalMs: 1000,
      runRetryDelayMs: 200,
      onError: (e) => errors.push(e),
    });
    cleanups.push(() => broker.close());
    await broker.declare("ingest", { attempts: 3, backoffMs: 50 });
    await broker.declare("inbound.0", { ordered: true, attempts: 3, backoffMs: 50 });

    const runs = new Map<string, number>();
    const order: number[] = [];
    const processor = async (job: { id: string; data: unknown }) => {
      await new Promise((resolve) => setTimeout(resolve, 15));
      runs.set(job.id, (runs.get(job.id) ?? 0) + 1);
    };
    await broker.work("ingest", processor, { concurrency: 3 });
    await broker.work<{ n: number }>("inbound.0", async (job) => {
      await processor(job);
      order.push(job.data.n);
    });
    await Promise.all(Array.from({ length: 40 }, (_, n) => broker.put("ingest", "feedback", { n }, { id: `fb-${n}` })));
    for (let n = 0; n < 40; n++) await broker.put("inbound.0", "message", { n }, { id: `in-${n}` }); // one after another: the order checked below

    const runId = async () => {
      const admin = new Redis(server.url);
      try {
        return /run_id:(\w+)/.exec(await admin.info("server"))?.[1];
      } finally {
        admin.disconnect();
      }
    };
    const before = await runId();
    await waitFor(() => runs.size >= 10, "some jobs done");
    await server.restart(500); // SIGKILL, half a second down, then the same port and folder
    const doneAtRestart = runs.size;
    expect(await runId()).not.toBe(before);

    await waitFor(() => runs.size === 80, "every job done", { timeoutMs: 20_000 });
    expect(doneAtRestart).toBeLessThan(80);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(order).toEqual(Array.from({ length: 40 }, (_, n) => n));
    await waitFor(async () => (await broker.counts("ingest")).completed === 40 && (await broker.counts("inbound.0")).completed === 40, "40 + 40 completed in Redis");
    expect(await broker.counts("ingest")).toMatchObject({ waiting: 0, active: 0, delayed: 0, failed: 0 });
    expect(errors.some((e) => /ECONNREFUSED/.test(e.message))).toBe(true); // the outage was seen
  }, 40_000);
});

describe("Redis down for a few seconds", () => {
  it("is logged once when it begins, now and then with a count while it lasts, and once when it ends: not once per error", async () => {
    const server = await startDedicatedRedis();
    cleanups.push(() => server.stop());
    const lines: string[] = [];
    // The reminder every 300 ms instead of every minute, so that the test needn't wait a minute.
    const broker = new BullmqBroker({ url: server.url, prefix: testPrefix(), runRetryDelayMs: 50, outageReportEveryMs: 300, log: logInto(lines) });
    cleanups.push(() => broker.close());
    // Several queues, workers and connections, as a process has: each reports every failed reconnect.
    for (const q of ["inbound.0", "inbound.1", "ingest", "outbound.telegram"]) {
      await broker.declare(q, { attempts: 3 });
      await broker.work(q, async () => undefined, { concurrency: 2 });
    }
    await broker.put("ingest", "before", { n: 1 });
    // Done before the outage: a job held by a worker when Redis dies may come back missing (not yet on disk),
    // and its worker then says so in a line of its own, which is not what this test is about.
    await waitFor(async () => (await broker.counts("ingest")).completed === 1, "the job before the outage done");

    await server.kill();
    await waitFor(() => lines.filter((l) => l.includes("still unreachable")).length >= 3, "a few reminders", { timeoutMs: 20_000 });
    // Adds fail meanwhile (and are counted, not logged one by one).
    await expect(broker.put("ingest", "during", { n: 2 })).rejects.toThrow();
    await server.restart(0);
    await waitFor(() => lines.some((l) => l.includes("reachable again")), "the end of the outage", { timeoutMs: 30_000 });
    await broker.put("ingest", "after", { n: 3 });

    const begun = lines.filter((l) => / unreachable \(E[A-Z]+\)/.test(l));
    const reminders = lines.filter((l) => l.includes("still unreachable"));
    const ended = lines.filter((l) => l.includes("reachable again"));
    expect(begun).toEqual([expect.stringMatching(/^queue: Redis at redis:\/\/127\.0\.0\.1:\d+ unreachable \(E[A-Z]+\); reconnecting/)]);
    expect(ended).toEqual([expect.stringMatching(/^queue: Redis at redis:\/\/127\.0\.0\.1:\d+ reachable again after \d+ m?s \(\d+ connection errors\)$/)]);
    expect(reminders[0]).toMatch(/still unreachable after \d+ m?s \(\d+ connection errors so far\)$/);
    // Nothing else: no line per failed reconnect or command.
    expect(lines.filter((l) => !begun.includes(l) && !reminders.includes(l) && !ended.includes(l))).toEqual([]);
    const errors = Number(/\((\d+) connection errors\)/.exec(ended[0]!)?.[1]);
    expect(errors).toBeGreaterThan(lines.length);
  }, 90_000);
});
