// The pipeline when things break, on real parts: a real PostgreSQL test database, BullMQ on a real
// Redis, workers in their own processes. Each test breaks something mid-run (a worker process killed,
// Redis killed and restarted, the database cut off) and then counts rows: nothing lost, nothing twice.
// (A message delivered five times, and two messages of one person at once: pipeline.test.ts.)
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openDatabase, postgresAdapter } from "../../src/db/database.ts";
import { generateKey } from "../../src/db/index.ts";
import { PrismaClient } from "../../src/generated/prisma/client.ts";
import { sqlOver } from "../../src/db/sql.ts";
import type { IngestJob } from "../../src/jobs/jobs.ts";
import { declareQueues, QUEUES } from "../../src/pipeline/queues.ts";
import { BullmqBroker, MemoryBroker, type Broker } from "../../src/queue/index.ts";
import { seedDemo } from "../../src/repos/seed.ts";
import { deleteKeys, testPrefix } from "../queue/helpers.ts";
import { startDedicatedRedis } from "../queue/redis-server.ts";
import { createTestDatabase, testRedisUrl, type TestDatabase } from "../support/db.ts";
import {
  acceptWithRetries,
  allCounts,
  cuttableProxy,
  faultPipeline,
  killProcess,
  quiet,
  startWorkerProcess,
  talk,
  waitUntil,
  type FaultPipeline,
  type Step,
} from "./faults/support.ts";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  await seedDemo(db.prisma);
});
afterAll(async () => db?.drop());

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) {
    const started = Date.now();
    const watchdog = setInterval(() => console.error(`cleanup still running after ${Date.now() - started} ms: ${cleanup.toString().slice(0, 200)}`), 10_000);
    await cleanup()
      .catch((e: unknown) => console.error("cleanup:", e))
      .finally(() => clearInterval(watchdog));
  }
});

describe("an ingest worker process killed (SIGKILL) in the middle of 10,000 jobs", () => {
  it("another worker finishes: every feedback row and every count once, no job lost or failed", async () => {
    const url = testRedisUrl();
    const prefix = testPrefix();
    // Short lock and stalled check, so the dead worker's jobs come back in seconds rather than 30–60 s.
    const timing = { LOCK_MS: "4000", STALLED_MS: "1000" };
    const broker = new BullmqBroker({ url, prefix, onError: () => {} });
    cleanups.push(async () => {
      await broker.close();
      await deleteKeys(url, prefix);
    });
    await declareQueues(broker, { shards: 1, channels: [] });

    // A few people in the four demo territories; their events, half feedback and half survey starts.
    const territories = ["torino", "valsusa", "cuneo", "asti"];
    const languages = ["en", "it", "ar"];
    const contacts = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        db.prisma.contact.create({ data: { language: languages[i % 3]!, territoryId: territories[i % 4]! }, select: { id: true, territoryId: true, language: true } }),
      ),
    );
    const tag = `kill${randomUUID().slice(0, 8)}`;
    const flows = [0, 1, 2].map((f) => `${tag}-flow${f}`);
    const texts = ["The landlord wants to evict us and the rent doubled", "I need a doctor for my son", "No work since the harvest ended", "Where can I learn Italian?"];
    const TOTAL = 10_000;
    const jobs = Array.from({ length: TOTAL }, (_, i) => {
      const c = contacts[i % contacts.length]!;
      const common = { contactId: c.id, language: c.language, territory: c.territoryId!, run: `${tag}-run${i}`, at: new Date().toISOString() };
      const job: IngestJob =
        i % 2 === 0
          ? { ...common, name: "feedback.submitted", flow: "feedback", data: { text: { kind: "text", text: texts[i % texts.length] } } }
          : { ...common, name: "flow.started", flow: flows[i % flows.length]!, data: {} };
      return { id: `${tag}-${i % 2 === 0 ? "fb" : "st"}${i}`, job };
    });
    const expectedStarted = new Map<string, number>();
    for (const { job } of jobs) {
      if (job.name === "flow.started") expectedStarted.set(`${job.territory}/${job.flow}`, (expectedStarted.get(`${job.territory}/${job.flow}`) ?? 0) + 1);
    }

    const workerEnv = { DATABASE_URL: db.url, REDIS_URL: url, PREFIX: prefix, CONCURRENCY: "24", ...timing };
    const first = await startWorkerProcess("ingest-worker.ts", workerEnv);
    cleanups.push(() => killProcess(first));
    for (let i = 0; i < TOTAL; i += 500) {
      await Promise.all(jobs.slice(i, i + 500).map(({ id, job }) => broker.put(QUEUES.ingest, job.name, job, { id })));
    }

    // Kill it once some thousands are done: whatever it was holding is active in Redis, locked by a dead worker.
    await waitUntil(async () => (await broker.counts(QUEUES.ingest)).completed >= 3000, "3,000 jobs done by the first worker", { timeoutMs: 90_000, intervalMs: 10 });
    await killProcess(first);
    const atKill = await broker.counts(QUEUES.ingest);
    const held = (await broker.queue(QUEUES.ingest).getActive()).map((j) => j.id!);
    expect(held.length).toBeGreaterThan(0);
    expect(atKill.completed).toBeLessThan(TOTAL);

    const second = await startWorkerProcess("ingest-worker.ts", workerEnv);
    cleanups.push(() => killProcess(second));
    let counts = atKill;
    await waitUntil(async () => (counts = await broker.counts(QUEUES.ingest)).completed === TOTAL, "every job completed", { timeoutMs: 180_000, intervalMs: 50 }).catch((e: Error) => {
      throw new Error(`${e.message}; ingest queue: ${JSON.stringify(counts)}`);
    });
    expect(await broker.counts(QUEUES.ingest)).toEqual({ waiting: 0, active: 0, delayed: 0, completed: TOTAL, failed: 0 });
    // The jobs the dead worker held were taken back from it (stalled once) and run again to the end.
    for (const id of held) expect((await broker.queue(QUEUES.ingest).getJob(id))?.stalledCounter, id).toBe(1);

    // The database: 5,000 feedback rows, one per event id; 5,000 receipts; each count exactly its events.
    const ours = { contactId: { in: contacts.map((c) => c.id) } };
    const feedback = await db.prisma.feedback.findMany({ where: ours, select: { sourceEventId: true } });
    expect(feedback).toHaveLength(TOTAL / 2);
    expect(new Set(feedback.map((f) => f.sourceEventId))).toEqual(new Set(jobs.filter((j) => j.job.name === "feedback.submitted").map((j) => j.id)));
    expect(await db.prisma.ingestReceipt.count({ where: { eventId: { startsWith: `${tag}-` } } })).toBe(TOTAL / 2);
    const stats = await db.prisma.territoryStats.findMany({ where: { flowId: { in: flows } } });
    expect(new Map(stats.map((s) => [`${s.territoryId}/${s.flowId}`, s.started]))).toEqual(expectedStarted);
    expect(stats.reduce((n, s) => n + s.started, 0)).toBe(TOTAL / 2);
    // About 30 s on two idle cores; the limits leave room for a machine busy with other work.
  }, 300_000);
});

// ─── Conversations through a fault ───────────────────────────────────────────────────────────────

/** A person's onboarding (territory `t`: 1–4) and the start of the needs survey: nine messages. */
const script = (t: number) => ["/start", "1", "yes", String(t), "yes", "1", "3", "no", "2"];
const VARIANTS = [1, 2, 3, 4];
const chat = () => String(100_000_000 + Math.floor(Math.random() * 800_000_000));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What a conversation leaves in the database, in a form to compare. */
async function recordsOf(contactId: string) {
  const [answers, runs, outbox, contact] = await Promise.all([
    db.prisma.answer.findMany({ where: { contactId }, select: { flowId: true, question: true, kind: true, valueChoices: true, valueText: true, valueNumber: true, skipped: true } }),
    db.prisma.surveyRun.findMany({ where: { contactId }, select: { flowId: true, status: true } }),
    db.prisma.outboxItem.findMany({ where: { contactId }, select: { kind: true } }),
    db.prisma.contact.findUniqueOrThrow({ where: { id: contactId }, select: { language: true, territoryId: true, consentVersion: true, contactPreference: true, status: true } }),
  ]);
  const line = (a: (typeof answers)[number]) => `${a.flowId}.${a.question} ${a.kind} ${a.skipped ? "skipped" : JSON.stringify([a.valueChoices, a.valueText, a.valueNumber])}`;
  return {
    answers: answers.map(line).sort(),
    runs: runs.map((r) => `${r.flowId} ${r.status}`).sort(),
    outbox: { outbound: outbox.filter((o) => o.kind === "outbound").length, ingest: outbox.filter((o) => o.kind === "ingest").length, timer: outbox.filter((o) => o.kind === "timer").length },
    contact,
  };
}
type Records = Awaited<ReturnType<typeof recordsOf>>;

interface Reference {
  steps: Step[];
  texts: string[];
  records: Records;
}

/** Each variant's conversation once, with nothing broken (in-memory queues): what every run must match. */
let references: Promise<Map<number, Reference>> | undefined;
function referenceRuns(): Promise<Map<number, Reference>> {
  references ??= (async () => {
    const ref = await faultPipeline(db, new MemoryBroker());
    try {
      const runs = await Promise.all(
        VARIANTS.map(async (t): Promise<[number, Reference]> => {
          const address = chat();
          const steps: Step[] = [];
          for (const [n, input] of script(t).entries()) {
            await acceptWithRetries(ref.pipeline, address, input, `${address}-${n}`, (e) => {
              throw e;
            });
            await waitUntil(async () => quiet(await allCounts(ref.broker)), "the reference turn to be done");
            steps.push({ input, expectReceived: ref.channel.to(address).length });
          }
          return [t, { steps, texts: ref.channel.to(address), records: await recordsOf(await ref.contactIdOf(address)) }];
        }),
      );
      return new Map(runs);
    } finally {
      await ref.close();
    }
  })();
  return references;
}

interface Fault {
  /** Break something; people who start now (the late ones) start during the outage. */
  begin(): Promise<void>;
  /** Repair it. */
  end(): Promise<void>;
  /** How long it stays broken at least. */
  downMs: number;
  /** And until this holds (checked with a generous bound): what the test needs to have happened during the outage, however slow the machine. */
  until?: (state: { acceptsRefused: number }) => boolean;
}

/**
 * `people` people talk to the pipeline (each waits for the answer before saying the next thing);
 * once a third of the early ones' messages are answered, `fault` breaks something, and the last
 * `late` people start talking while it is broken. Then everything must come out as in the reference
 * runs: every reply sent once and in order, every answer recorded once, no job failed.
 */
async function talkThrough(p: FaultPipeline, { people, late, fault }: { people: number; late: number; fault: Fault }) {
  const refs = await referenceRuns();
  const processedBefore = await db.prisma.processedMessage.count();
  const persons = Array.from({ length: people }, (_, i) => ({ address: chat(), ref: refs.get(VARIANTS[i % VARIANTS.length]!)! }));
  let acceptsRefused = 0;
  const onRefused = () => void acceptsRefused++;
  // Should the test fail half-way, the people stop talking when it cleans up.
  const stop = new AbortController();
  cleanups.push(async () => stop.abort());
  const start = (person: (typeof persons)[number]) => {
    const talking = talk(p.pipeline, () => p.channel.sent.filter((s) => s.address === person.address).map((s) => s.message), person.address, person.ref.steps, onRefused, { signal: stop.signal });
    talking.catch(() => {}); // reported by the Promise.all below, or moot once the test failed
    return talking;
  };

  const early = persons.slice(0, people - late);
  const talking = early.map(start);
  const earlyTotal = early.reduce((n, x) => n + x.ref.texts.length, 0);
  await waitUntil(() => p.channel.sent.length >= earlyTotal / 3, "a third of the replies", { timeoutMs: 30_000 });
  const receivedAtFault = p.channel.sent.length;
  await fault.begin();
  talking.push(...persons.slice(people - late).map(start));
  await sleep(fault.downMs);
  const until = fault.until;
  // Bounded below the people's 60 s wait for a reply.
  if (until) await waitUntil(() => until({ acceptsRefused }), "what the outage must bring about", { timeoutMs: 45_000 });
  await fault.end();
  await Promise.all(talking);
  let counts = await allCounts(p.broker);
  await waitUntil(async () => quiet((counts = await allCounts(p.broker))), "the queues to be quiet", { timeoutMs: 30_000 });

  // Queues: nothing failed; every message and every outbox item ran (once: ids are unique per queue).
  const sum = (pick: (q: string) => boolean, what: "completed" | "failed") =>
    Object.entries(counts).reduce((n, [q, c]) => n + (pick(q) ? c[what] : 0), 0);
  expect(sum(() => true, "failed")).toBe(0);
  const messages = persons.reduce((n, x) => n + x.ref.steps.length, 0);
  expect(sum((q) => q.startsWith("inbound."), "completed")).toBe(messages);

  // Every person: the same replies, in the same order, and the same rows as the reference run.
  const totals = { outbound: 0, ingest: 0 };
  for (const person of persons) {
    expect(p.channel.to(person.address), person.address).toEqual(person.ref.texts);
    const records = await recordsOf(await p.contactIdOf(person.address));
    expect(records, person.address).toEqual(person.ref.records);
    totals.outbound += records.outbox.outbound;
    totals.ingest += records.outbox.ingest;
  }
  expect(sum((q) => q.startsWith("outbound."), "completed")).toBe(totals.outbound);
  expect(sum((q) => q === QUEUES.ingest, "completed")).toBe(totals.ingest);
  expect((await db.prisma.processedMessage.count()) - processedBefore).toBe(messages);

  return { acceptsRefused, receivedAtFault, total: persons.reduce((n, x) => n + x.ref.texts.length, 0) };
}

describe("Redis killed (SIGKILL) and restarted mid-run, AOF with appendfsync always", () => {
  it("every person's answers are recorded once and in order, every reply sent once; refused accepts succeed when retried", async () => {
    const server = await startDedicatedRedis(["--appendonly", "yes", "--appendfsync", "always"]);
    cleanups.push(() => server.stop());
    const errors: Error[] = [];
    // A job Redis had just handed out when it died stays active until its lock expires: 5 s here, not 30 s.
    const broker = new BullmqBroker({ url: server.url, prefix: testPrefix(), lockDurationMs: 5000, stalledIntervalMs: 1000, runRetryDelayMs: 200, onError: (e) => errors.push(e) });
    const p = await faultPipeline(db, broker, { shards: 8 });
    cleanups.push(() => p.close());

    // Down for 4.5 s: longer than an add waits (~3 s), so accepts in flight are refused and retried.
    const result = await talkThrough(p, {
      people: 20,
      late: 4,
      // Down for at least 4.5 s, and until an accept was refused (a busy machine may take longer to get there).
      fault: { begin: () => server.kill(), end: () => server.restart(0), downMs: 4500, until: ({ acceptsRefused }) => acceptsRefused > 0 },
    });
    expect(result.receivedAtFault).toBeLessThan(result.total);
    expect(result.acceptsRefused).toBeGreaterThan(0);
    expect(errors.some((e) => /ECONNREFUSED/.test(e.message))).toBe(true);
  }, 120_000);
});

/** A TCP proxy in front of the test database that can cut it off, and the database's URL through it. */
async function proxiedDatabase() {
  const target = new URL(db.url);
  const proxy = await cuttableProxy({ host: target.hostname, port: Number(target.port) });
  cleanups.push(() => proxy.close());
  const url = new URL(db.url);
  url.host = `127.0.0.1:${proxy.port}`;
  return { proxy, url: url.toString() };
}

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

describe("the database unreachable", () => {
  it("a connection lost inside a transaction goes back to the pool, whether ROLLBACK or COMMIT then fails", async () => {
    const { proxy, url } = await proxiedDatabase();
    // One connection, as the app opens it: were it kept by the broken transaction, the next query would wait forever.
    const database = await openDatabase({ url, migrate: false, maxConnections: 1 });
    cleanups.push(() => within(database.close(), 10_000, "closing the database"));
    const { prisma } = database;

    // Lost between two statements: Prisma sends ROLLBACK, which fails.
    const rollback = prisma.$transaction(async (tx) => {
      await tx.territory.count();
      proxy.cut();
      await tx.territory.count();
    });
    await expect(rollback).rejects.toThrow();
    proxy.restore();
    expect(await within(prisma.territory.count(), 5000, "a query after the failed ROLLBACK")).toBe(4);

    // Lost after the last statement: COMMIT fails.
    const commit = prisma.$transaction(async (tx) => {
      await tx.territory.count();
      proxy.cut();
    });
    await expect(commit).rejects.toThrow();
    proxy.restore();
    expect(await within(prisma.territory.count(), 5000, "a query after the failed COMMIT")).toBe(4);
  });

  describe.each<[string, () => Broker]>([
    ["bullmq", () => new BullmqBroker({ url: testRedisUrl(), prefix: testPrefix(), onError: () => {} })],
    ["memory", () => new MemoryBroker()],
  ])("for 5 s mid-run (%s broker)", (_, makeBroker) => {
    it("inbound jobs wait and retry in place; nothing lost, nothing twice, nothing failed, no connection kept", async () => {
      const { proxy, url } = await proxiedDatabase();
      // The app's adapter on a pool of our own, to look into it afterwards.
      const pool = new pg.Pool({ connectionString: url, max: 10 });
      pool.on("error", () => undefined); // idle connections reset by the cut: the pool replaces them
      cleanups.push(() => pool.end());
      const prisma = new PrismaClient({ adapter: postgresAdapter(pool) });
      cleanups.push(() => prisma.$disconnect());
      const broker = makeBroker();
      if (broker instanceof BullmqBroker) {
        const prefix = broker.prefix;
        cleanups.push(() => deleteKeys(testRedisUrl(), prefix));
      }
      const p = await faultPipeline({ prisma, sql: sqlOver(pool) }, broker, { shards: 8 });
      cleanups.push(() => p.close());

      // At least 5 s, and until an inbound job has failed a third time (it tries again after 1 s and 2 s more,
      // both still cut; however slow the machine, the cut lasts until then). A third failure would make it
      // give up if the error were not taken for "the database is away".
      const thirdTry = () => p.log.some((line) => /^inbound .*: try 3 of 11 failed/.test(line));
      const result = await talkThrough(p, {
        people: 8,
        late: 2,
        fault: {
          // Cut while an inbound job runs: it fails at the cut and retries through it. (Messages accepted during
          // the cut are refused, on the in-memory broker too: it keeps accepted messages in the database.)
          begin: async () => {
            await waitUntil(async () => Object.entries(await allCounts(broker)).some(([q, c]) => q.startsWith("inbound.") && c.active > 0), "an inbound job running", { intervalMs: 1 });
            proxy.cut();
          },
          end: async () => proxy.restore(),
          downMs: 5000,
          until: thirdTry,
        },
      });
      expect(result.receivedAtFault).toBeLessThan(result.total);
      expect(proxy.refused).toBeGreaterThan(0);
      const failedTries = p.log.filter((line) => /^inbound .*: try \d+ of \d+ failed/.test(line));
      expect(failedTries.some((line) => / try 3 of 11 failed/.test(line))).toBe(true);
      // Every connection is back in the pool (none kept by a transaction the cut broke).
      expect(pool.totalCount - pool.idleCount).toBe(0);
    }, 120_000);
  });
});

describe("a turn-processing worker process killed (SIGKILL) between its commit and queueing its outbox", () => {
  it("the retried job finds the receipt and queues the same outbox: every reply once and in order, every answer once", async () => {
    const url = testRedisUrl();
    const prefix = testPrefix();
    // Short lock and stalled check, so the dead worker's job comes back in seconds rather than 30–60 s.
    const timing = { LOCK_MS: "4000", STALLED_MS: "1000" };
    const broker = new BullmqBroker({ url, prefix, onError: () => {} });
    cleanups.push(() => deleteKeys(url, prefix));
    const keys = { hashKey: generateKey(), encryptionKey: generateKey() };
    // This process accepts, sends, ingests and fires timers; turns are processed only in worker processes.
    const p = await faultPipeline(db, broker, { shards: 4, keys, inbound: false });
    cleanups.push(() => p.close());
    const workerEnv = { DATABASE_URL: db.url, REDIS_URL: url, PREFIX: prefix, SHARDS: "4", HASH_KEY: keys.hashKey, ENCRYPTION_KEY: keys.encryptionKey, ...timing };
    const KILLED_AT = 4;
    const first = await startWorkerProcess("turn-worker.ts", { ...workerEnv, EXIT_BEFORE_OUTBOX_OF: String(KILLED_AT) });
    cleanups.push(() => killProcess(first));
    let exiting: string | undefined;
    first.on("message", (m: { exiting?: string }) => void (m.exiting && (exiting = m.exiting)));

    const ref = (await referenceRuns()).get(1) as Reference;
    const address = chat();
    const processedBefore = await db.prisma.processedMessage.count();
    const stop = new AbortController();
    cleanups.push(async () => stop.abort());
    const talking = talk(p.pipeline, () => p.channel.sent.filter((s) => s.address === address).map((s) => s.message), address, ref.steps, () => {}, { signal: stop.signal });
    talking.catch(() => {}); // awaited below

    // The worker dies at the fourth turn, after its commit and before any of its outbox is queued.
    await waitUntil(() => first.signalCode !== null || first.exitCode !== null, "the worker to kill itself", { timeoutMs: 60_000 });
    expect(first.signalCode).toBe("SIGKILL");
    expect(exiting, "it died where the hook is").toBeDefined();
    const contactId = await p.contactIdOf(address);
    // Committed: the four receipts, and the fourth turn's outbox in the database...
    expect((await db.prisma.processedMessage.count()) - processedBefore).toBe(KILLED_AT);
    expect(await db.prisma.outboxItem.count({ where: { contactId, id: { startsWith: `${exiting}/` } } })).toBeGreaterThan(0);
    // ...but not queued: only the first three turns' replies were sent, and nothing of the fourth is in any queue.
    expect(p.channel.to(address)).toEqual(ref.texts.slice(0, ref.steps[KILLED_AT - 2]?.expectReceived));
    for (const q of [QUEUES.outbound("telegram"), QUEUES.ingest, QUEUES.timers]) {
      const ids = (await broker.queue(q).getJobs(["waiting", "active", "delayed", "completed", "failed", "prioritized"])).map((j) => j.id ?? "");
      expect(ids.filter((id) => id.startsWith(`${exiting}/`)), q).toEqual([]);
    }

    // Another worker takes the dead one's job back (stalled), finds the receipt and queues the same outbox.
    const second = await startWorkerProcess("turn-worker.ts", workerEnv);
    cleanups.push(() => killProcess(second));
    await talking;
    let counts = await allCounts(broker);
    await waitUntil(async () => quiet((counts = await allCounts(broker))), "the queues to be quiet", { timeoutMs: 60_000 });

    expect(p.channel.to(address)).toEqual(ref.texts);
    expect(await recordsOf(contactId)).toEqual(ref.records);
    expect((await db.prisma.processedMessage.count()) - processedBefore).toBe(ref.steps.length);
    const sum = (pick: (q: string) => boolean, what: "completed" | "failed") => Object.entries(counts).reduce((n, [q, c]) => n + (pick(q) ? c[what] : 0), 0);
    expect(sum(() => true, "failed")).toBe(0);
    expect(sum((q) => q.startsWith("inbound."), "completed")).toBe(ref.steps.length);
    expect(sum((q) => q.startsWith("outbound."), "completed")).toBe(ref.records.outbox.outbound);
  }, 240_000);
});
