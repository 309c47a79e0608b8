// The behaviour every broker must have, run against the in-memory broker and against BullMQ on a real
// Redis (memory-broker.test.ts, bullmq-broker.test.ts). Each test opens a fresh broker (for BullMQ: a
// fresh prefix) and closes it after.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import {
  InvalidJobError,
  PermanentJobError,
  RetryLaterError,
  UndeclaredQueueError,
  validated,
  type Broker,
  type Job,
  type JobCounts,
  type Processor,
} from "../../src/queue/index.ts";
import { gate, waitFor } from "./helpers.ts";

export interface BrokerFixture {
  broker: Broker;
  /** Another broker on the same queues (BullMQ: same Redis and prefix; memory: the same broker). */
  peer(): Promise<Broker>;
  cleanup(): Promise<void>;
}

type Payload = { n: number; sent?: number };

export function brokerBehaviour(kind: string, open: () => Promise<BrokerFixture>): void {
  describe(`${kind} broker`, () => {
    let fx: BrokerFixture;
    let broker: Broker;
    beforeEach(async () => {
      fx = await open();
      broker = fx.broker;
    });
    afterEach(async () => {
      await fx.cleanup();
    });

    const countsOf = (queue: string) => broker.counts(queue);
    const until = (queue: string, test: (c: JobCounts) => boolean, what: string) =>
      waitFor(async () => test(await countsOf(queue)), `${queue}: ${what}`);

    describe("dedupe by id", () => {
      it("processes a job put 5 times with the same id once, with the first put's data", async () => {
        await broker.declare("q");
        for (let i = 0; i < 5; i++) await broker.put<Payload>("q", "msg", { n: i }, { id: "tg-1001" });
        expect(await countsOf("q")).toMatchObject({ waiting: 1, active: 0, delayed: 0 });
        // Puts at once, as a turn's outbox is handed over: still one job per id.
        await Promise.all([
          broker.put<Payload>("q", "msg", { n: 9 }, { id: "tg-1001" }),
          broker.put<Payload>("q", "msg", { n: 10 }, { id: "tg-1002" }),
        ]);
        await broker.put<Payload>("q", "msg", { n: 11 }, { id: "tg-1002" });
        expect(await countsOf("q")).toMatchObject({ waiting: 2, active: 0, delayed: 0 });

        const seen: Array<[string, number]> = [];
        await broker.work<Payload>("q", (job) => void seen.push([job.id, job.data.n]));
        await until("q", (c) => c.completed === 2, "2 completed");
        expect(seen.sort()).toEqual([
          ["tg-1001", 0],
          ["tg-1002", 10],
        ]);
      });

      it("ignores the same id while the first job is running, and after it completed within retention", async () => {
        await broker.declare("q", { keepCompletedMs: 60_000 });
        const running = gate();
        const release = gate();
        let runs = 0;
        await broker.work("q", async () => {
          runs++;
          running.open();
          await release.wait;
        });
        await broker.put("q", "msg", { n: 1 }, { id: "wa-abc" });
        await running.wait;
        for (let i = 0; i < 4; i++) await broker.put("q", "msg", { n: 1 }, { id: "wa-abc" });
        expect(await countsOf("q")).toMatchObject({ waiting: 0, active: 1, delayed: 0, completed: 0 });
        release.open();
        await until("q", (c) => c.completed === 1, "completed");
        await broker.put("q", "msg", { n: 1 }, { id: "wa-abc" });
        // A put of a taken id adds nothing, so nothing can run again.
        expect(await countsOf("q")).toMatchObject({ waiting: 0, active: 0, delayed: 0, completed: 1 });
        expect(runs).toBe(1);
      });

      it("adds one job per id while the first ones run, and none for a completed id within retention", async () => {
        await broker.declare("q", { keepCompletedMs: 60_000 });
        const release = gate();
        const seen: number[] = [];
        await broker.work<Payload>("q", async (job) => {
          seen.push(job.data.n);
          await release.wait;
        });
        for (let n = 1; n <= 5; n++) await broker.put<Payload>("q", "msg", { n }, { id: "tg-77" });
        await broker.put<Payload>("q", "msg", { n: 6 }, { id: "tg-78" });
        release.open();
        await until("q", (c) => c.completed === 2, "2 completed");
        await broker.put<Payload>("q", "msg", { n: 7 }, { id: "tg-77" });
        expect(await countsOf("q")).toMatchObject({ waiting: 0, active: 0, delayed: 0, completed: 2 });
        expect(seen.sort()).toEqual([1, 6]);
      });

      it("takes the id again once the completed job is past its retention", async () => {
        await broker.declare("q", { keepCompletedMs: 1000 });
        const ids: string[] = [];
        await broker.work("q", (job) => void ids.push(job.id));
        await broker.put("q", "msg", {}, { id: "tg-1" });
        await until("q", (c) => c.completed === 1, "first completed");
        const doneAt = Date.now();
        await waitFor(() => Date.now() > doneAt + 1100, "retention to pass", { intervalMs: 50 });
        // BullMQ forgets old completed jobs when another job completes, so complete one.
        await broker.put("q", "msg", {}, { id: "tg-2" });
        await until("q", (c) => c.completed >= 1 && c.waiting === 0 && c.active === 0, "second completed");
        await broker.put("q", "msg", {}, { id: "tg-1" });
        await waitFor(() => ids.length === 3, "tg-1 to run again");
        expect(ids).toEqual(["tg-1", "tg-2", "tg-1"]);
      });

      it("keeps only the latest completed ids when a count is set: older ids can be used again, recent ones still dedupe", async () => {
        await broker.declare("q", { keepCompletedMs: 60_000, keepCompletedCount: 2 });
        const ids: string[] = [];
        await broker.work("q", (job) => void ids.push(job.id));
        for (const id of ["tg-1", "tg-2", "tg-3"]) {
          await broker.put("q", "msg", {}, { id });
          await until("q", (c) => c.waiting === 0 && c.active === 0 && ids.includes(id), `${id} completed`);
        }
        expect((await countsOf("q")).completed).toBe(2);
        await broker.put("q", "msg", {}, { id: "tg-3" });
        await broker.put("q", "msg", {}, { id: "tg-1" });
        await waitFor(() => ids.length === 4, "tg-1 to run again");
        await until("q", (c) => c.waiting === 0 && c.active === 0, "drained");
        expect(ids).toEqual(["tg-1", "tg-2", "tg-3", "tg-1"]);
      });

      it("refuses a count of completed jobs that is not a whole number ≥ 1", async () => {
        await expect(broker.declare("q", { keepCompletedCount: 0 })).rejects.toBeInstanceOf(InvalidJobError);
      });

      it("refuses ids BullMQ cannot take, and undeclared queues", async () => {
        await broker.declare("q");
        await expect(broker.put("q", "msg", {}, { id: "12345" })).rejects.toBeInstanceOf(InvalidJobError);
        await expect(broker.put("q", "msg", {}, { id: "tg:1" })).rejects.toBeInstanceOf(InvalidJobError);
        await expect(broker.put("q", "msg", {}, { id: "all" })).rejects.toBeInstanceOf(InvalidJobError);
        await expect(broker.put("nope", "msg", {})).rejects.toBeInstanceOf(UndeclaredQueueError);
        await expect(broker.work("nope", () => {})).rejects.toBeInstanceOf(UndeclaredQueueError);
        await expect(broker.declare("bad:name")).rejects.toBeInstanceOf(InvalidJobError);
      });
    });

    it("runs a delayed job no sooner than its delay", async () => {
      await broker.declare("timers");
      let ranAt = 0;
      await broker.work("timers", () => void (ranAt = Date.now()));
      const addedAt = Date.now();
      await broker.put("timers", "remind", {}, { delayMs: 300 });
      expect((await countsOf("timers")).delayed).toBe(1);
      await until("timers", (c) => c.completed === 1, "completed");
      expect(ranAt - addedAt).toBeGreaterThanOrEqual(295);
      expect(ranAt - addedAt).toBeLessThan(3000);
    });

    it("runs unprioritized jobs first, then lower priority numbers first, FIFO among equals", async () => {
      await broker.declare("outbound.telegram");
      const jobs: Array<[string, number | undefined]> = [
        ["broadcast-a", 10],
        ["reply-a", 1],
        ["digest", 5],
        ["plain", undefined],
        ["reply-b", 1],
        ["broadcast-b", 10],
      ];
      for (const [name, priority] of jobs) await broker.put("outbound.telegram", name, {}, priority ? { priority } : {});
      const order: string[] = [];
      await broker.work("outbound.telegram", (job) => void order.push(job.name));
      await until("outbound.telegram", (c) => c.completed === 6, "all completed");
      expect(order).toEqual(["plain", "reply-a", "reply-b", "digest", "broadcast-a", "broadcast-b"]);
    });

    describe("failures", () => {
      it("retries with exponential backoff, then keeps the job failed and visible with its reason", async () => {
        await broker.declare("q", { attempts: 3, backoffMs: 60 });
        const tries: Array<{ attempt: number; max: number; at: number }> = [];
        await broker.work("q", (job) => {
          tries.push({ attempt: job.attempt, max: job.maxAttempts, at: Date.now() });
          throw new Error(`boom ${job.attempt}`);
        });
        await broker.put("q", "msg", { n: 1 }, { id: "tg-7" });
        await until("q", (c) => c.failed === 1, "failed");
        expect(tries.map((t) => [t.attempt, t.max])).toEqual([
          [1, 3],
          [2, 3],
          [3, 3],
        ]);
        expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(55);
        expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(115);
        const [failed] = await broker.failed("q");
        expect(failed).toMatchObject({ queue: "q", id: "tg-7", name: "msg", failedReason: "boom 3", attemptsMade: 3, data: { n: 1 } });
        expect(failed!.failedAt).toBeGreaterThanOrEqual(failed!.timestamp);
        expect(await countsOf("q")).toMatchObject({ waiting: 0, active: 0, delayed: 0, completed: 0, failed: 1 });
      });

      it("completes a job that succeeds on a later try, resuming from the data it recorded", async () => {
        await broker.declare("outbound.whatsapp", { attempts: 3, backoffMs: 10 });
        const sent: number[] = [];
        await broker.work<Payload>("outbound.whatsapp", async (job) => {
          for (let i = job.data.sent ?? 0; i < 3; i++) {
            if (i === 2 && job.attempt === 1) throw new Error("network");
            sent.push(i);
            await job.updateData({ ...job.data, sent: i + 1 });
            expect(job.data.sent).toBe(i + 1);
          }
        });
        await broker.put("outbound.whatsapp", "reply", { n: 1 });
        await until("outbound.whatsapp", (c) => c.completed === 1, "completed");
        expect(sent).toEqual([0, 1, 2]);
      });

      it("fails a PermanentJobError at once, with no retries", async () => {
        await broker.declare("q", { attempts: 5, backoffMs: 10 });
        let runs = 0;
        await broker.work("q", () => {
          runs++;
          throw new PermanentJobError("chat not found");
        });
        await broker.put("q", "msg", {});
        await until("q", (c) => c.failed === 1, "failed");
        expect(runs).toBe(1);
        expect((await broker.failed("q"))[0]).toMatchObject({ failedReason: "chat not found", attemptsMade: 1 });
      });

      it("waits after a RetryLaterError without using up a try", async () => {
        await broker.declare("q", { attempts: 1 });
        const runs: Array<{ attempt: number; at: number }> = [];
        await broker.work("q", (job) => {
          runs.push({ attempt: job.attempt, at: Date.now() });
          if (runs.length < 3) throw new RetryLaterError(120, "429 Too Many Requests");
        });
        await broker.put("q", "msg", {});
        await until("q", (c) => c.completed === 1 || c.failed === 1, "finished");
        expect(await countsOf("q")).toMatchObject({ completed: 1, failed: 0 });
        expect(runs.map((r) => r.attempt)).toEqual([1, 1, 1]);
        expect(runs[1]!.at - runs[0]!.at).toBeGreaterThanOrEqual(115);
        expect(runs[2]!.at - runs[1]!.at).toBeGreaterThanOrEqual(115);
      });

      it("fails an invalid payload for good, with zod's message", async () => {
        await broker.declare("ingest", { attempts: 3, backoffMs: 10 });
        const schema = z.object({ contactId: z.string(), text: z.string().max(10) });
        const seen: Array<z.infer<typeof schema>> = [];
        await broker.work("ingest", validated(schema, (job) => void seen.push(job.data)));
        await broker.put("ingest", "feedback", { contactId: "c1", text: "hello" });
        await broker.put("ingest", "feedback", { contactId: 42 }, { id: "bad-1" });
        await until("ingest", (c) => c.completed === 1 && c.failed === 1, "one done, one failed");
        expect(seen).toEqual([{ contactId: "c1", text: "hello" }]);
        const [failed] = await broker.failed("ingest");
        expect(failed).toMatchObject({ id: "bad-1", attemptsMade: 1 });
        expect(failed!.failedReason).toContain("invalid payload for ingest job bad-1 (feedback)");
        expect(failed!.failedReason).toMatch(/expected string, received number\s+→ at contactId/);
        expect(failed!.failedReason).toMatch(/expected string, received undefined\s+→ at text/);
      });
    });

    describe("ordered queues", () => {
      /** Runs `count` jobs through an ordered queue with two workers; returns what happened. */
      async function runOrdered(count: number, process: (job: Job<Payload>, n: number) => Promise<void>) {
        await broker.declare("inbound.3", { ordered: true, attempts: 3, backoffMs: 40 });
        const log: string[] = [];
        let running = 0;
        let maxRunning = 0;
        const processor: Processor<Payload> = async (job) => {
          running++;
          maxRunning = Math.max(maxRunning, running);
          log.push(`start ${job.data.n}`);
          try {
            await new Promise((resolve) => setTimeout(resolve, (job.data.n * 7) % 5));
            await process(job, job.data.n);
            log.push(`done ${job.data.n}`);
          } finally {
            running--;
          }
        };
        // Two workers (two BullMQ Worker instances), each asking for more than one job at a time.
        await broker.work("inbound.3", processor, { concurrency: 3 });
        const peer = await fx.peer();
        await peer.declare("inbound.3", { ordered: true, attempts: 3, backoffMs: 40 });
        await peer.work("inbound.3", processor, { concurrency: 3 });
        for (let n = 1; n <= count; n++) await broker.put("inbound.3", "message", { n });
        await until("inbound.3", (c) => c.completed + c.failed === count, "all finished");
        return { log, maxRunning };
      }

      it("runs one job at a time across two workers, in the order added", async () => {
        const { log, maxRunning } = await runOrdered(12, async () => {});
        expect(maxRunning).toBe(1);
        expect(log).toEqual(Array.from({ length: 12 }, (_, i) => [`start ${i + 1}`, `done ${i + 1}`]).flat());
      });

      it("retries a failing job in place, before anything behind it", async () => {
        let asked = false;
        const { log, maxRunning } = await runOrdered(5, async (job, n) => {
          if (n === 2 && job.attempt < 3) throw new Error(`flaky ${job.attempt}`);
          if (n === 4 && !asked) {
            asked = true;
            throw new RetryLaterError(60);
          }
        });
        expect(maxRunning).toBe(1);
        expect(log).toEqual([
          "start 1", "done 1",
          "start 2", "start 2", "start 2", "done 2",
          "start 3", "done 3",
          "start 4", "start 4", "done 4",
          "start 5", "done 5",
        ]);
      });

      it("lets the next job run once a job failed for good", async () => {
        const { log } = await runOrdered(4, async (_job, n) => {
          if (n === 2) throw new PermanentJobError("bad message");
          if (n === 3) throw new Error("always broken");
        });
        expect(log).toEqual(["start 1", "done 1", "start 2", "start 3", "start 3", "start 3", "start 4", "done 4"]);
        const failed = await broker.failed("inbound.3");
        expect(failed.map((f) => [f.failedReason, f.attemptsMade]).sort()).toEqual([
          ["always broken", 3],
          ["bad message", 1],
        ]);
      });

      it("on close, cuts a retry wait short and puts the job back first in line", async () => {
        await broker.declare("inbound.5", { ordered: true, attempts: 3, backoffMs: 10_000 });
        const waiting = gate();
        let askedToWait = false;
        const first = await broker.work<Payload>("inbound.5", (job) => {
          if (job.data.n === 1) throw new Error("database down"); // then 10 s of backoff, in place
          if (job.data.n === 2 && !askedToWait) {
            askedToWait = true;
            throw new RetryLaterError(10_000);
          }
        });
        for (let n = 1; n <= 3; n++) await broker.put("inbound.5", "message", { n });
        await until("inbound.5", (c) => c.active === 1, "job 1 in its backoff");
        const startedClosing = Date.now();
        await first.close();
        expect(Date.now() - startedClosing).toBeLessThan(5000);
        expect(await countsOf("inbound.5")).toMatchObject({ waiting: 3, active: 0, failed: 0 });

        const log: string[] = [];
        const second = await broker.work<Payload>("inbound.5", async (job) => {
          log.push(`${job.data.n}#${job.attempt}`);
          if (job.data.n === 2 && log.length === 2) {
            waiting.open();
            throw new RetryLaterError(10_000);
          }
        });
        await waiting.wait;
        await second.close();
        await broker.work<Payload>("inbound.5", (job) => void log.push(`${job.data.n}#${job.attempt}`));
        await until("inbound.5", (c) => c.completed === 3, "all done");
        // Job 1 kept the try it had used; job 2's wait did not use one.
        expect(log).toEqual(["1#2", "2#1", "2#1", "3#1"]);
      });

      it("takes no priority", async () => {
        await broker.declare("inbound.0", { ordered: true });
        await expect(broker.put("inbound.0", "message", {}, { priority: 1 })).rejects.toBeInstanceOf(InvalidJobError);
      });
    });

    it("starts at most `max` jobs per window of the rate limit", async () => {
      await broker.declare("outbound.telegram", { rateLimit: { max: 3, durationMs: 300 } });
      const starts: number[] = [];
      await broker.work("outbound.telegram", () => void starts.push(Date.now()), { concurrency: 5 });
      await Promise.all(Array.from({ length: 9 }, (_, n) => broker.put("outbound.telegram", "broadcast", { n })));
      await until("outbound.telegram", (c) => c.completed === 9, "all sent");
      // Windows are fixed: the i-th start is at least floor(i / max) windows after the first.
      const first = starts[0]!;
      starts.forEach((at, i) => expect(at - first, `start ${i}`).toBeGreaterThanOrEqual(Math.floor(i / 3) * 300 - 25));
      expect(starts[8]! - first).toBeLessThan(3000);
    });

    it("close() lets the running job finish and leaves the waiting one for later", async () => {
      await broker.declare("q");
      const running = gate();
      const release = gate();
      const done: number[] = [];
      const worker = await broker.work<Payload>("q", async (job) => {
        running.open();
        await release.wait;
        done.push(job.data.n);
      });
      await broker.put("q", "msg", { n: 1 });
      await broker.put("q", "msg", { n: 2 });
      await running.wait;
      let closed = false;
      const closing = worker.close().then(() => (closed = true));
      await Promise.resolve();
      expect(closed).toBe(false);
      release.open();
      await closing;
      expect(done).toEqual([1]);
      expect(await countsOf("q")).toMatchObject({ waiting: 1, active: 0, completed: 1 });

      await broker.work<Payload>("q", (job) => void done.push(job.data.n));
      await until("q", (c) => c.completed === 2, "the waiting job done by a new worker");
      expect(done).toEqual([1, 2]);
    });

    it("retry(id) and retry('all') run failed jobs again with all their tries", async () => {
      await broker.declare("q", { attempts: 2, backoffMs: 10 });
      let healthy = false;
      const runs: Array<[string, number]> = [];
      await broker.work("q", (job) => {
        runs.push([job.id, job.attempt]);
        if (!healthy || job.attempt === 1) throw new Error("down");
      });
      for (const id of ["f-1", "f-2", "f-3"]) await broker.put("q", "msg", {}, { id });
      await until("q", (c) => c.failed === 3, "3 failed");
      expect((await broker.failed("q", { limit: 2 })).length).toBe(2);

      healthy = true;
      runs.length = 0;
      expect(await broker.retry("q", "f-2")).toBe(1);
      await until("q", (c) => c.completed === 1, "f-2 completed");
      expect(runs).toEqual([
        ["f-2", 1],
        ["f-2", 2],
      ]);
      expect(await broker.retry("q", "f-2")).toBe(0);
      expect(await broker.retry("q", "no-such-job")).toBe(0);
      expect(await broker.retry("q", "all")).toBe(2);
      await until("q", (c) => c.completed === 3, "all completed");
      expect(await broker.failed("q")).toEqual([]);
    });

    describe("purge", () => {
      it("removes the matching jobs in every state but active, from the chosen queues, and keeps the rest", async () => {
        await broker.declare("p", { attempts: 1, keepCompletedMs: 60_000 });
        await broker.declare("other", {});
        const running = gate();
        const release = gate();
        await broker.work<{ who: string; n: number }>("p", async (job) => {
          if (job.data.n === 1) throw new Error("no");
          if (job.data.n === 3) {
            running.open();
            await release.wait;
          }
        });
        await broker.put("p", "msg", { who: "amira", n: 1 }, { id: "failed-1" });
        await broker.put("p", "msg", { who: "amira", n: 2 }, { id: "done-1" });
        await until("p", (c) => c.failed === 1 && c.completed === 1, "one failed, one completed");
        await broker.put("p", "msg", { who: "amira", n: 3 }, { id: "running-1" });
        await running.wait;
        await broker.put("p", "msg", { who: "amira", n: 4 }, { id: "waiting-1" });
        await broker.put("p", "msg", { who: "amira", n: 5 }, { id: "delayed-1", delayMs: 60_000 });
        await broker.put("p", "msg", { who: "bruno", n: 6 }, { id: "delayed-2", delayMs: 60_000 });
        await broker.put("p", "msg", { who: "nobody", n: 7 }, { id: "x-amira-8", delayMs: 60_000 });
        await broker.put("other", "msg", { who: "amira", n: 8 }, { id: "elsewhere-1" });

        const seen: string[] = [];
        const removed = await broker.purge(
          (queue) => queue === "p",
          (job) => {
            seen.push(`${job.queue}/${job.name}`);
            return job.id.includes("amira") || (job.data as { who?: string } | undefined)?.who === "amira";
          },
        );
        expect(removed).toBe(5); // failed-1, done-1, waiting-1, delayed-1, x-amira-8
        expect(seen.length).toBeGreaterThan(0);
        expect(seen.every((s) => s.startsWith("p/"))).toBe(true);
        expect(await countsOf("p")).toEqual({ waiting: 0, active: 1, delayed: 1, completed: 0, failed: 0 });
        expect(await countsOf("other")).toMatchObject({ waiting: 1 });
        // Removed ids are free again.
        await broker.put("p", "msg", { who: "amira", n: 9 }, { id: "done-1", delayMs: 60_000 });
        expect(await countsOf("p")).toMatchObject({ delayed: 2 });
        release.open();
        await until("p", (c) => c.active === 0 && c.completed === 1, "the running job ends by itself");
      });

      it("keepCompletedData: false: a completed job keeps its id, for dedupe, and loses its data", async () => {
        await broker.declare("q", { keepCompletedData: false });
        const ran: unknown[] = [];
        await broker.work("q", (job) => void ran.push(job.data));
        await broker.put("q", "msg", { text: "my name is Amira" }, { id: "m-1" });
        await until("q", (c) => c.completed === 1, "completed");
        expect(ran).toEqual([{ text: "my name is Amira" }]);
        await broker.put("q", "msg", { text: "again" }, { id: "m-1" });
        expect(await countsOf("q")).toEqual({ waiting: 0, active: 0, delayed: 0, completed: 1, failed: 0 });
        const stored: unknown[] = [];
        await broker.purge(
          () => true,
          (job) => {
            stored.push([job.id, job.data]);
            return false;
          },
        );
        expect(stored).toEqual([["m-1", null]]);
        expect(ran).toHaveLength(1);
      });

      it("removes a job added with keepFailed: false once it fails for good", async () => {
        await broker.declare("q", { attempts: 1 });
        await broker.work("q", () => {
          throw new Error("no");
        });
        await broker.put("q", "msg", { n: 1 }, { id: "gone-1", keepFailed: false });
        await broker.put("q", "msg", { n: 2 }, { id: "kept-1" });
        await until("q", (c) => c.failed === 1 && c.waiting + c.active === 0, "both tried");
        expect((await broker.failed("q")).map((j) => j.id)).toEqual(["kept-1"]);
        await broker.put("q", "msg", { n: 3 }, { id: "gone-1", delayMs: 60_000 });
        expect(await countsOf("q")).toMatchObject({ delayed: 1, failed: 1 });
      });
    });

    it("counts jobs in every state", async () => {
      await broker.declare("q", { attempts: 1 });
      const running = gate();
      const release = gate();
      await broker.work<Payload>("q", async (job) => {
        if (job.data.n === 1) throw new Error("no");
        running.open();
        await release.wait;
      });
      await broker.put("q", "msg", { n: 1 });
      await until("q", (c) => c.failed === 1, "failed");
      await broker.put("q", "msg", { n: 2 });
      await running.wait;
      await broker.put("q", "msg", { n: 3 });
      await broker.put("q", "msg", { n: 4 }, { delayMs: 60_000 });
      expect(await countsOf("q")).toEqual({ waiting: 1, active: 1, delayed: 1, completed: 0, failed: 1 });
      release.open();
      await until("q", (c) => c.completed === 2, "completed");
      expect(await countsOf("q")).toEqual({ waiting: 0, active: 0, delayed: 1, completed: 2, failed: 1 });
      expect(await broker.queues()).toContain("q");
    });
  });
}
