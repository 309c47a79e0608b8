// Pipeline benchmarks, on PostgreSQL and Redis as in production, the platform faked at the channel
// contract (a ChannelSender that only records).
// - Ingest: feedback.submitted and flow.started jobs processed into the stakeholder tables by the real
//   ingest worker, against a no-op BullMQ worker over the same jobs, at a couple of concurrencies.
// - Inbound end to end (accept → shard → engine turn and transaction → outbox → outbound job → reply
//   sent): 500 people answering the needs survey, all accepted as fast as possible (saturation), then
//   a light load and a steady 200 messages/s for latency — on BullMQ with 16 and 32 shards, with the
//   workers in this process and also in a second one (pipeline/worker.ts), and on the in-memory broker.
//   All on the terminal channel, whose outbound queue has no rate limit: the pipeline's own figures.
// - Telegram-shaped: replies through outbound.telegram with its production queue settings (a bot is capped by its flood control, in the sender).
// Also printed: statements per message, and where the CPU goes (node, Prisma's query compile,
// PostgreSQL, Redis). BENCH_PIPELINE_SETUPS=text|… runs only the inbound setups whose label contains
// one of them ("ingest": the ingest part, "telegram": the Telegram-shaped case, each of which otherwise runs
// only when no filter is given);
// BENCH_CPU_PROF_DIR=folder writes CPU profiles of the worker processes, BENCH_SATURATION_PROFILE=folder one
// of this process over each saturation phase alone
// (profile this one with `node --cpu-prof --import tsx test/bench/run.ts pipeline`).
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { Session as InspectorSession } from "node:inspector/promises";
import { randomUUID } from "node:crypto";
import { availableParallelism, loadavg } from "node:os";
import { join } from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import type { Inbound } from "../../src/channel/contract.ts";
import { Conversations } from "../../src/conversation/conversations.ts";
import type { Address } from "../../src/conversation/store.ts";
import { generateKey } from "../../src/db/index.ts";
import { resume, type Input, type Session } from "../../src/engine/index.ts";
import { PrismaClient } from "../../src/generated/prisma/client.ts";
import { ingestProcessor } from "../../src/ingest/ingest.ts";
import type { IngestJob, OutboundJob } from "../../src/jobs/jobs.ts";
import { outboundProcessor } from "../../src/pipeline/outbound.ts";
import { outboxPlanner } from "../../src/effects/registry.ts";
import { INGEST_CONCURRENCY } from "../../src/config/pipeline.ts";
import { Pipeline } from "../../src/pipeline/pipeline.ts";
import { QUEUES, queueSettings, shardOf } from "../../src/pipeline/queues.ts";
import { BullmqBroker } from "../../src/queue/index.ts";
import type { Broker, Job } from "../../src/queue/types.ts";
import { DatabaseConversationStore } from "../../src/repos/conversations.ts";
import { sqlOver } from "../../src/db/sql.ts";
import { countingPool } from "./statements.ts";
import { eventsForStart } from "../../src/repos/events-for-start.ts";
import { fmt, heading, table, verdict } from "./measure.ts";
import {
  addBreakdown,
  ALL_CHANNELS,
  CHANNEL,
  clock,
  compileTime,
  emptyBreakdown,
  RecordingSender,
  startBenchApp,
  TimedBroker,
  withCompileTime,
  WORKER_CONCURRENCY,
  type BenchApp,
  type BenchAppOptions,
  type Breakdown,
} from "./pipeline/app.ts";
import { silentLog } from "../../src/log/log.ts";
import { benchDatabase, benchRedis, cpuBetween, machineCpuSeconds, postgresCpu, redisCommands, redisCpuSeconds, type BenchDatabase, type BenchRedis } from "./pipeline/services.ts";
import type { FromWorker, ToWorker } from "./pipeline/worker.ts";

// ─── Settings ────────────────────────────────────────────────────────────────────────────────────

// People per inbound setup, all waiting at the first needs-survey question before anything is timed.
// Each setup gets people of its own (and a Redis prefix of its own): a backlog left by an overloaded
// steady run is abandoned with them instead of being waited out.
const PEOPLE = 500;
// /start, English, consent, Val di Susa, contact preference yes, menu → needs.
const TO_NEEDS = ["/start", "1", "yes", "2", "1", "1"];
// From the first needs question on, round and round: the whole survey (18 answers, the last one free
// text, which completes it), then MENU and "1" to start it again. Every message gets a reply.
const CYCLE = ["shelter", "yes", "looking for work", "1, 4", "y", "2", "two", "no", "1 and 2", "3", "1", "2", "1 3", "1", "2", "4,5", "1", "I need help with the rent", "menu", "1"];
// Per setup: a warm-up (JIT, pools; not timed), saturation, a light steady load, the goal's steady load.
// Warm-up: every person says two answers, as fast as taken (JIT-compiled code and full pools before anything is timed;
// with a hundred messages the first setup measured still ran partly unoptimized code, and its JIT on other threads).
const WARM_STEPS = 2;
const SATURATION_RUNS = 3; // the fastest counts (see runSetup)
const SATURATION_STEPS: number = 4; // messages per person, everybody at once: 2,000 messages (a second or more: the machine's slow spells average out)
const LIGHT_RATE = 10; // messages/s: the latency of a message that finds the pipeline idle
const LIGHT_SECONDS = 6;
const STEADY_RATE = 200;
const STEADY_SECONDS = 10;
// After the last steady message was due, replies are awaited this long at most; later ones count as unanswered.
const GRACE_S = 2;
// Ingest: jobs per run (feedback.submitted and flow.started in turn) and the concurrencies tried.
const INGEST_JOBS = 3000;
// Runs per worker kind and concurrency, no-op and ingest taking turns; each kind's fastest counts (a
// run lasts about a second, and one disturbed by the machine says nothing about the worker).
const INGEST_TRIALS = 3;
// The default, and around it: bigger batches with more jobs at once.
const INGEST_CONCURRENCIES = [...new Set([WORKER_CONCURRENCY, 32, 64, INGEST_CONCURRENCY, 256])].sort((a, b) => a - b);
// No reply (or job) for this long: something is stuck; fail instead of waiting for ever.
const STUCK_S = 30;

// The Telegram-shaped case: this many new people each send /start at once on channel "telegram", whose
// outbound queue keeps its production settings (src/pipeline/queues.ts); every turn's reply is one job.
const TELEGRAM_PEOPLE = 120;

// Goals, from the issue.
const INGEST_RATIO_GOAL = 0.5;
const SATURATION_GOAL = 1000;
const P99_GOAL_MS = 50;

interface Setup {
  label: string;
  broker: "bullmq" | "memory";
  shards: number;
  /** `inloco worker` processes besides this one (which accepts and works too, as `inloco start` does). */
  workerProcesses: number;
  /** What `inloco start` runs with no settings: the p99 goal is judged on it. */
  isDefault?: boolean;
}

const SETUPS: Setup[] = [
  { label: "BullMQ, 16 shards, 1 process", broker: "bullmq", shards: 16, workerProcesses: 0 },
  { label: "BullMQ, 32 shards (default), 1 process", broker: "bullmq", shards: 32, workerProcesses: 0, isDefault: true },
  { label: "BullMQ, 32 shards, 2 processes", broker: "bullmq", shards: 32, workerProcesses: 1 },
  { label: "in-memory, 32 shards, 1 process", broker: "memory", shards: 32, workerProcesses: 0 },
];

// ─── Small helpers ───────────────────────────────────────────────────────────────────────────────

/** A line on stderr saying what runs now (the section takes minutes). */
let began = performance.now();
const progress = (what: string) => console.error(`  pipeline ${fmt((performance.now() - began) / 1000, 0)} s: ${what}`);

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The value below which a share `p` of the values lie (nearest rank). */
function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] as number;
}

const inputOf = (text: string): Input => (text === "/start" ? { type: "start", params: {} } : { type: "text", text });

/** Waits until no job waits, runs or is delayed in the named queues. */
async function idle(broker: Broker, queues: readonly string[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await Promise.all(queues.map((q) => broker.counts(q)));
    if (counts.every((c) => c.waiting + c.active + c.delayed === 0)) return;
    if (Date.now() > deadline) {
      const busy = queues.flatMap((q, i) => (counts[i] && counts[i].waiting + counts[i].active + counts[i].delayed > 0 ? [`${q} ${JSON.stringify(counts[i])}`] : []));
      throw new Error(`queues still busy after ${timeoutMs / 1000} s: ${busy.join("; ")}`);
    }
    await sleep(25);
  }
}

/** Queues that must be empty between runs (timers hold 20-hour reminders: not counted). */
function pipelineQueues(shards: number): string[] {
  return [...Array.from({ length: shards }, (_, i) => QUEUES.inbound(i)), QUEUES.ingest, ...ALL_CHANNELS.map((c) => QUEUES.outbound(c))];
}

// ─── CPU accounting ──────────────────────────────────────────────────────────────────────────────

/** Where CPU time went, at one moment (cumulative). */
interface Snapshot {
  at: number;
  selfMs: number;
  /** The kernel's part of selfMs (system calls: sockets, mostly). */
  selfSystemMs: number;
  workersMs: number;
  postgres: Map<number, number>;
  redisS: number;
  redisCommands: number;
  machine: { busy: number; total: number };
  breakdown: Breakdown;
}

interface Usage {
  seconds: number;
  /** CPU milliseconds per item (message or job) of each part. */
  selfMs: number;
  selfSystemMs: number;
  workersMs: number;
  postgresMs: number;
  redisMs: number;
  /** Share of the whole machine (all cores) busy, whoever ran. */
  machineBusy: number;
  /** Share of the whole machine used by processes other than this benchmark's (node, PostgreSQL, Redis). */
  othersShare: number;
  /** Prisma's query compile, ms and calls per item. */
  compileMs: number;
  compiles: number;
  redisCommands: number;
  breakdown: Breakdown;
}

function usage(a: Snapshot, b: Snapshot, items: number): Usage {
  const breakdown = emptyBreakdown();
  addBreakdown(breakdown, b.breakdown);
  for (const k of Object.keys(breakdown) as Array<keyof Breakdown>) {
    if (typeof breakdown[k] === "number") (breakdown as unknown as Record<string, number>)[k] = (breakdown[k] as number) - (a.breakdown[k] as number);
  }
  breakdown.failures = b.breakdown.failures.slice(a.breakdown.failures.length);
  const pg = cpuBetween(a.postgres, b.postgres);
  const ours = (b.selfMs - a.selfMs + b.workersMs - a.workersMs) / 1000 + (Number.isNaN(pg) ? 0 : pg) + (b.redisS - a.redisS);
  const machineTotal = b.machine.total - a.machine.total;
  return {
    seconds: (b.at - a.at) / 1000,
    selfMs: (b.selfMs - a.selfMs) / items,
    selfSystemMs: (b.selfSystemMs - a.selfSystemMs) / items,
    workersMs: (b.workersMs - a.workersMs) / items,
    postgresMs: (pg * 1000) / items,
    redisMs: ((b.redisS - a.redisS) * 1000) / items,
    machineBusy: (b.machine.busy - a.machine.busy) / machineTotal,
    othersShare: Math.max(0, (b.machine.busy - a.machine.busy - ours) / machineTotal),
    compileMs: breakdown.compileMs / items,
    compiles: breakdown.compiles / items,
    redisCommands: (b.redisCommands - a.redisCommands) / items,
    breakdown,
  };
}

/**
 * BENCH_SATURATION_PROFILE=folder: a CPU profile of this process over the saturation phase alone
 * (open it in Chrome's DevTools), one file per setup.
 */
async function startProfile(): Promise<{ stop(label: string): Promise<void> } | undefined> {
  const dir = process.env.BENCH_SATURATION_PROFILE;
  if (!dir) return undefined;
  const session = new InspectorSession();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
  return {
    async stop(label) {
      const { profile } = await session.post("Profiler.stop");
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `saturation-${label.replace(/[^a-z0-9]+/gi, "-").toLowerCase()}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      progress(`  profile of the saturation phase: ${file}`);
    },
  };
}

// ─── Worker processes ────────────────────────────────────────────────────────────────────────────

/** An `inloco worker` process of the benchmark (pipeline/worker.ts). */
class WorkerProcess {
  private readonly child: ChildProcess;
  private readonly waiting: Array<{ type: FromWorker["type"]; resolve: (m: FromWorker) => void }> = [];
  private readonly killOnExit = () => this.child.kill("SIGKILL");
  readonly ready: Promise<void>;
  private failed: Error | undefined;

  constructor(options: BenchAppOptions, onSent: (items: Array<[string, number]>) => void) {
    // Profiling: BENCH_CPU_PROF_DIR=folder writes a .cpuprofile of each worker process there.
    const profile = process.env.BENCH_CPU_PROF_DIR ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
    this.child = fork(join(import.meta.dirname, "pipeline", "worker.ts"), [], {
      cwd: PROJECT_ROOT,
      execArgv: ["--import", "tsx", ...profile],
      env: { ...process.env, BENCH_PIPELINE_WORKER: JSON.stringify(options) },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    process.once("exit", this.killOnExit);
    this.child.on("message", (m: FromWorker) => {
      if (m.type === "sent") onSent(m.items);
      else if (m.type === "error") this.fail(new Error(`worker process: ${m.message}`));
      const i = this.waiting.findIndex((w) => w.type === m.type);
      if (i >= 0) this.waiting.splice(i, 1)[0]?.resolve(m);
    });
    this.child.on("exit", (code, signal) => {
      process.removeListener("exit", this.killOnExit);
      this.fail(new Error(`worker process exited (${signal ?? code})`));
    });
    this.ready = this.next("ready").then(() => undefined);
  }

  async stats(): Promise<{ cpuMs: number; breakdown: Breakdown }> {
    const reply = this.next("stats");
    this.send({ type: "stats" });
    const m = (await reply) as Extract<FromWorker, { type: "stats" }>;
    return { cpuMs: m.cpuMs, breakdown: m.breakdown };
  }

  /** Lets its running jobs finish, closes its connections, and waits for it to exit (killed after 20 s). */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once("exit", () => r()));
    this.send({ type: "stop" });
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 20_000);
    await exited;
    clearTimeout(timer);
  }

  private send(m: ToWorker): void {
    if (this.child.connected) this.child.send(m);
  }

  private next(type: FromWorker["type"]): Promise<FromWorker> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      const exited = () => {
        const i = this.waiting.indexOf(entry);
        if (i >= 0) {
          this.waiting.splice(i, 1);
          reject(this.failed ?? new Error("worker process exited"));
        }
      };
      // The exit listener goes once the answer came: a listener per question would pile up.
      const entry = {
        type,
        resolve: (m: FromWorker) => {
          this.child.off("exit", exited);
          resolve(m);
        },
      };
      this.waiting.push(entry);
      this.child.once("exit", exited);
    });
  }

  private fail(error: Error): void {
    this.failed ??= error;
  }
}

// ─── The people ──────────────────────────────────────────────────────────────────────────────────

interface Person {
  address: Address;
  contactId: string;
  /** Messages of CYCLE sent so far. */
  sent: number;
}

/**
 * Addresses for `groups` groups of PEOPLE, each group spread evenly over the shards (at most one more
 * person on one shard than on another; even over 32 shards is even over 16 too). Thousands of people
 * spread that evenly by themselves; 500 picked at random put 60% more than the average on the busiest
 * shard, whose one-at-a-time tail then measured one shard's latency instead of the pipeline's rate.
 */
function evenAddresses(app: BenchApp, groups: number): string[] {
  const shards = 32;
  const cap = Math.ceil(PEOPLE / shards);
  const filled = Array.from({ length: groups }, () => ({ ids: [] as string[], perShard: new Array<number>(shards).fill(0) }));
  for (let i = 0; filled.some((g) => g.ids.length < PEOPLE); i++) {
    const id = `bench-${400_000_000 + i}`;
    const shard = shardOf(app.vault.hashAddress(CHANNEL, id), shards);
    const group = filled.find((g) => g.ids.length < PEOPLE && (g.perShard[shard] as number) < cap);
    if (!group) continue;
    group.ids.push(id);
    group.perShard[shard] = (group.perShard[shard] as number) + 1;
  }
  return filled.flatMap((g) => g.ids);
}

/**
 * One person, then `groups` groups of PEOPLE, waiting at the first needs question. The first gets there through Conversations.receive
 * (the pipeline's own path, TO_NEEDS); the others are copies of that person made with SQL (their own
 * contact, address, session, survey runs and answers), which takes a second instead of minutes.
 */
async function preparePeople(app: BenchApp, databaseUrl: string, groups: number): Promise<{ people: Person[]; seconds: number }> {
  const t0 = performance.now();
  const people: Person[] = [`bench-${399_999_999}`, ...evenAddresses(app, groups)].map((id) => ({ address: { channel: CHANNEL, id }, contactId: "", sent: 0 }));
  const first = people[0] as Person;
  for (const text of TO_NEEDS) {
    const reply = await app.conversations.receive(first.address, inputOf(text), { language: "en", receipt: { channel: CHANNEL, messageId: app.vault.hashMessageId(CHANNEL, randomUUID()) } });
    if (!reply.saved || !reply.contactId) throw new Error(`preparing: "${text}" was not saved`);
    first.contactId = reply.contactId;
  }
  const template = first.contactId;
  const session = await app.db.prisma.session.findUniqueOrThrow({ where: { contactId: template }, select: { state: true } });
  const runs = (await app.db.prisma.surveyRun.findMany({ where: { contactId: template }, select: { runId: true } })).map((r) => r.runId);
  const state = JSON.stringify(session.state);
  const copies = people.slice(1);
  for (const p of copies) p.contactId = randomUUID();
  const fresh = copies.map(() => runs.map(() => randomUUID()));
  const states = copies.map((_, i) => runs.reduce((s, old, r) => s.replaceAll(old, fresh[i]?.[r] as string), state));
  const runPairs = copies.flatMap((p, i) => runs.map((old, r) => [p.contactId, old, fresh[i]?.[r] as string] as const));
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const ids = copies.map((p) => p.contactId);
    const triples = [runPairs.map((r) => r[0]), runPairs.map((r) => r[1]), runPairs.map((r) => r[2])];
    await client.query("BEGIN");
    await client.query(
      `INSERT INTO contacts (id, language, territory_id, status, consent_version, consent_at, contact_preference, created_at, last_seen_at)
       SELECT u.id, t.language, t.territory_id, t.status, t.consent_version, t.consent_at, t.contact_preference, now(), now()
       FROM unnest($2::uuid[]) AS u(id) CROSS JOIN (SELECT * FROM contacts WHERE id = $1::uuid) t`,
      [template, ids],
    );
    await client.query(
      `INSERT INTO channel_identities (id, contact_id, channel, address_hash, address_encrypted, created_at)
       SELECT gen_random_uuid(), u.contact, $4::text::channel, u.hash, u.enc, now() FROM unnest($1::uuid[], $2::text[], $3::bytea[]) AS u(contact, hash, enc)`,
      [ids, copies.map((p) => app.vault.hashAddress(CHANNEL, p.address.id)), copies.map((p) => Buffer.from(app.vault.encrypt(p.address.id))), CHANNEL],
    );
    await client.query(
      `INSERT INTO survey_runs (run_id, contact_id, flow_id, flow_version, status, started_at, completed_at)
       SELECT u.fresh, u.contact, r.flow_id, r.flow_version, r.status, r.started_at, r.completed_at
       FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(contact, old, fresh) JOIN survey_runs r ON r.run_id = u.old`,
      triples,
    );
    await client.query(
      `INSERT INTO answers (id, contact_id, run_id, flow_id, flow_version, question, result_name, kind, value_text, value_number, value_choices,
                            value_date, value_lat, value_lon, value_place, media_ref, skipped, language, answered_at)
       SELECT gen_random_uuid(), u.contact, u.fresh, a.flow_id, a.flow_version, a.question, a.result_name, a.kind, a.value_text, a.value_number, a.value_choices,
              a.value_date, a.value_lat, a.value_lon, a.value_place, a.media_ref, a.skipped, a.language, a.answered_at
       FROM unnest($1::uuid[], $2::text[], $3::text[]) AS u(contact, old, fresh) JOIN answers a ON a.run_id = u.old`,
      triples,
    );
    // timer_due_at too: like the template, each has been through onboarding, whose first question
    // queued their reminder timer (the copies' timer jobs themselves are not made: they would only wait).
    await client.query(
      `INSERT INTO sessions (id, contact_id, flow_id, flow_version, status, state, turn, created_at, updated_at, timer_due_at)
       SELECT gen_random_uuid(), u.contact, s.flow_id, s.flow_version, s.status, u.state::jsonb, s.turn, now(), now(), s.timer_due_at
       FROM unnest($1::uuid[], $2::text[]) AS u(contact, state) CROSS JOIN (SELECT * FROM sessions WHERE contact_id = $3::uuid) s`,
      [ids, states, template],
    );
    await client.query("COMMIT");
  } finally {
    await client.end();
  }
  return { people, seconds: (performance.now() - t0) / 1000 };
}

/** The question a person waits at after `sent` messages of CYCLE, from the engine itself (pure, no I/O). */
function expectedWaits(app: BenchApp): string[] {
  let session: Session | null = null;
  for (const text of TO_NEEDS) session = resume(session, inputOf(text), app.runtime.engine).session;
  const waits: string[] = [];
  for (const text of CYCLE) {
    session = resume(session, inputOf(text), app.runtime.engine).session;
    waits.push(session.wait?.node ?? `(${session.status})`);
  }
  return waits; // waits[i]: after message i of the cycle
}

// ─── Inbound runs ────────────────────────────────────────────────────────────────────────────────

/** One timed phase of a setup. */
interface Phase {
  messages: number;
  /** Saturation: messages per second, first accept to last reply sent. Paced phases: the rate asked for. */
  rate: number;
  /** Saturation: seconds until every message was accepted (queued). */
  acceptSeconds: number;
  /** Accept → reply sent, ms (paced phases: from when the message was due). Unanswered: what was waited, a lower bound. */
  latencies: number[];
  /** Messages whose reply had not been sent when the phase stopped waiting. */
  unanswered: number;
  /** Paced phases: how late accepts were called against the schedule, p99 ms (a busy event loop starts them late). */
  lateP99: number;
  usage: Usage;
}

interface SetupResult {
  setup: Setup;
  startSeconds: number;
  /** The fastest saturation run. */
  saturation: Phase;
  /** Every saturation run's messages per second, in order. */
  saturationRates: number[];
  light: Phase;
  steady: Phase;
  /** People whose session did not wait where the engine says it should (checked after the light phase). */
  wrong: number;
  failedJobs: number;
  failures: string[];
}

/** One setup: start the app (and worker processes), warm up, saturate, run light and steady loads, stop. */
async function runSetup(setup: Setup, index: number, people: Person[], waits: readonly string[], base: Omit<BenchAppOptions, "shards" | "work">, database: BenchDatabase, redis: BenchRedis): Promise<SetupResult> {
  const t0 = performance.now();
  // Replies by outbound job id (`<turn key>/out`).
  const pending = new Map<string, (at: number) => void>();
  let lastProgress = performance.now();
  const replySent = (jobId: string, at: number) => {
    const done = pending.get(jobId);
    if (!done) return; // a job that ran twice, or not a message of ours
    pending.delete(jobId);
    lastProgress = performance.now();
    done(at);
  };
  const options: BenchAppOptions =
    setup.broker === "bullmq"
      ? { ...base, prefix: `${redis.prefix}-${index}`, shards: setup.shards, work: true }
      : { ...base, redisUrl: undefined, prefix: undefined, shards: setup.shards, work: true };
  const app = await startBenchApp(options, (queue, id, _startedAt, endedAt) => {
    if (queue.startsWith("outbound.")) replySent(id, endedAt);
  });
  const workers: WorkerProcess[] = [];
  try {
    for (let i = 0; i < setup.workerProcesses; i++) workers.push(new WorkerProcess(options, (items) => items.forEach(([id, at]) => replySent(id, at))));
    await Promise.all(workers.map((w) => w.ready));
    const startSeconds = (performance.now() - t0) / 1000;
    const queues = pipelineQueues(setup.shards);
    const self0 = process.cpuUsage();
    const tag = `s${index}`;

    const snapshot = async (): Promise<Snapshot> => {
      const stats = await Promise.all(workers.map((w) => w.stats()));
      const breakdown = emptyBreakdown();
      addBreakdown(breakdown, withCompileTime(app.breakdown));
      for (const s of stats) addBreakdown(breakdown, s.breakdown);
      const self = process.cpuUsage(self0);
      return {
        at: clock(),
        selfMs: (self.user + self.system) / 1000,
        selfSystemMs: self.system / 1000,
        workersMs: stats.reduce((sum, s) => sum + s.cpuMs, 0),
        postgres: postgresCpu(database.localPort),
        redisS: setup.broker === "bullmq" ? await redisCpuSeconds(redis.admin) : 0,
        redisCommands: setup.broker === "bullmq" ? await redisCommands(redis.admin) : 0,
        machine: machineCpuSeconds(),
        breakdown,
      };
    };

    /** A message on its way: when it counts from, and when its reply was sent. */
    interface Sent {
      from: number;
      at?: number;
    }
    /** Accepts a person's next message as a channel would; records when its reply is sent. */
    const say = (p: Person, from: number, record: Sent[]): Promise<void> => {
      const text = CYCLE[p.sent % CYCLE.length] as string;
      p.sent++;
      const messageId = `${tag}-${p.address.id}-${p.sent}`;
      const m: Sent = { from };
      record.push(m);
      pending.set(`${CHANNEL}-${app.vault.hashMessageId(CHANNEL, messageId)}/out`, (at) => (m.at = at));
      const inbound: Inbound = { channel: CHANNEL, address: p.address.id, messageId, input: inputOf(text), language: "en", at: new Date().toISOString() };
      return app.pipeline.accept(inbound);
    };

    /** Waits until every message of `record` has its reply (or `until`, a clock time, passes); fails if nothing moves for STUCK_S. */
    const replies = async (record: readonly Sent[], until = Number.POSITIVE_INFINITY): Promise<number> => {
      lastProgress = performance.now();
      for (;;) {
        if (record.every((m) => m.at !== undefined) || clock() > until) return clock();
        if (performance.now() - lastProgress > STUCK_S * 1000) {
          const counts = await Promise.all(queues.map((q) => app.broker.counts(q)));
          const busy = queues.flatMap((q, i) => (counts[i] && counts[i].waiting + counts[i].active > 0 ? [`${q}: ${counts[i].waiting} waiting, ${counts[i].active} active`] : []));
          throw new Error(`${setup.label}: no reply for ${STUCK_S} s, ${record.filter((m) => m.at === undefined).length} missing (${busy.join("; ") || "queues empty"}; ${app.breakdown.failures.slice(0, 3).join(" | ")})`);
        }
        await sleep(10);
      }
    };

    const phase = (record: readonly Sent[], stoppedAt: number, rest: Pick<Phase, "rate" | "acceptSeconds" | "lateP99">, a: Snapshot, b: Snapshot): Phase => ({
      messages: record.length,
      latencies: record.map((m) => (m.at ?? stoppedAt) - m.from),
      unanswered: record.filter((m) => m.at === undefined).length,
      usage: usage(a, b, record.length),
      ...rest,
    });

    /** Everybody says their next `steps` messages at once, each person's one after the other (as a channel delivers them). */
    const saturate = async (who: readonly Person[], steps: number): Promise<{ record: Sent[]; acceptSeconds: number; seconds: number }> => {
      const record: Sent[] = [];
      const start = clock();
      let accepted = start;
      await Promise.all(
        who.map(async (p) => {
          for (let s = 0; s < steps; s++) await say(p, clock(), record);
          accepted = Math.max(accepted, clock());
        }),
      );
      await replies(record);
      return { record, acceptSeconds: (accepted - start) / 1000, seconds: (Math.max(...record.map((m) => m.at as number)) - start) / 1000 };
    };

    /** `rate` messages per second for `seconds`, people in turn; latency counts from when each was due. */
    const paced = async (rate: number, seconds: number, graceS?: number): Promise<{ record: Sent[]; stoppedAt: number; lateP99: number }> => {
      const n = Math.round(rate * seconds);
      const interval = 1000 / rate;
      const record: Sent[] = [];
      const late: number[] = [];
      const chains = new Map<Person, Promise<void>>();
      const start = clock() + 5;
      for (let next = 0; next < n; ) {
        const due = Math.min(n, Math.floor((clock() - start) / interval) + 1);
        for (; next < due; next++) {
          const p = people[next % people.length] as Person;
          const dueAt = start + next * interval;
          // A person's messages stay in order: the next is accepted after the previous one was.
          const chain = (chains.get(p) ?? Promise.resolve()).then(() => {
            late.push(clock() - dueAt);
            return say(p, dueAt, record);
          });
          chains.set(p, chain);
        }
        await sleep(1);
      }
      await Promise.all(chains.values());
      const stoppedAt = await replies(record, graceS === undefined ? Number.POSITIVE_INFINITY : start + (n - 1) * interval + graceS * 1000);
      return { record, stoppedAt, lateP99: percentile(late, 0.99) };
    };

    // Warm-up (JIT, connection pools), not timed.
    await saturate(people, WARM_STEPS);
    await idle(app.broker, queues);

    // The fastest of a few runs: the machine's slow spells make one run of two seconds say more about
    // the machine than about the pipeline. Every run's rate is printed.
    const runs: Phase[] = [];
    for (let run = 1; run <= SATURATION_RUNS; run++) {
      const profiler = await startProfile();
      const s0 = await snapshot();
      const sat = await saturate(people, SATURATION_STEPS);
      const s1 = await snapshot();
      await profiler?.stop(`${setup.label} run ${run}`);
      const ran = phase(sat.record, 0, { rate: sat.record.length / sat.seconds, acceptSeconds: sat.acceptSeconds, lateP99: Number.NaN }, s0, s1);
      runs.push(ran);
      const u = ran.usage;
      progress(`  saturation: ${fmt(ran.rate, 0)} messages/s; CPU ms/message: node ${fmt(u.selfMs, 2)} (kernel ${fmt(u.selfSystemMs, 2)}) + ${fmt(u.workersMs, 2)}, PG ${fmt(u.postgresMs, 2)}, Redis ${fmt(u.redisMs, 2)}; machine ${fmt(u.machineBusy * 100, 0)}% busy`);
      await idle(app.broker, queues);
    }
    const saturation = runs.reduce((a, b) => (b.rate > a.rate ? b : a));
    const saturationRates = runs.map((r) => r.rate);

    const l0 = await snapshot();
    const lt = await paced(LIGHT_RATE, LIGHT_SECONDS);
    const l1 = await snapshot();
    const light = phase(lt.record, lt.stoppedAt, { rate: LIGHT_RATE, acceptSeconds: Number.NaN, lateP99: lt.lateP99 }, l0, l1);
    progress(`  ${LIGHT_RATE}/s: p50 ${fmt(percentile(light.latencies, 0.5), 1)} ms, max ${fmt(percentile(light.latencies, 1), 1)} ms`);
    await idle(app.broker, queues);
    // Everything said so far is processed: check it all landed, in order.
    const wrong = await wrongSessions(app, people, waits);
    const failedJobs = (await Promise.all([...queues, QUEUES.timers].map((q) => app.broker.counts(q)))).reduce((sum, c) => sum + c.failed, 0);

    const t1 = await snapshot();
    const st = await paced(STEADY_RATE, STEADY_SECONDS, GRACE_S);
    const t2 = await snapshot();
    const steady = phase(st.record, st.stoppedAt, { rate: STEADY_RATE, acceptSeconds: Number.NaN, lateP99: st.lateP99 }, t1, t2);
    progress(`  ${STEADY_RATE}/s: p50 ${fmt(percentile(steady.latencies, 0.5), 1)} ms, p99 ${fmt(percentile(steady.latencies, 0.99), 1)} ms, ${steady.unanswered} unanswered; over ${P99_GOAL_MS} ms, by second of the load: ${slowBySecond(st.record, st.stoppedAt).join(" ")}`);
    const failures = [...t2.breakdown.failures];
    return { setup, startSeconds, saturation, saturationRates, light, steady, wrong, failedJobs, failures };
  } finally {
    // Whatever is still queued (an overloaded steady run's backlog) is left behind with this setup's people and prefix.
    await Promise.all(workers.map((w) => w.stop()));
    await app.close();
  }
}

// ─── Ingest ──────────────────────────────────────────────────────────────────────────────────────

interface IngestRun {
  kind: "ingest" | "no-op";
  concurrency: number;
  jobs: number;
  /** First job started to last job finished. */
  seconds: number;
  rate: number;
  usage: Usage;
}

const FEEDBACK_TEXTS = [
  "The landlord wants to evict us and the rent doubled",
  "Nobody at the office speaks my language and the forms are only in Italian",
  "The bus to the reception centre stops running at 7 in the evening",
  "I waited three months for an appointment with a doctor",
  "My children could not enrol in school because of missing papers",
];
const STARTED_FLOWS = ["main", "onboarding", "needs"];

/** Ingest jobs as turns leave them: feedback.submitted and flow.started in turn, for the prepared contacts (all in Val di Susa). */
function ingestJobs(people: readonly Person[], n: number, tag: string): Array<{ name: string; data: IngestJob; opts: { id: string } }> {
  const at = new Date().toISOString();
  return Array.from({ length: n }, (_, i) => {
    const p = people[i % people.length] as Person;
    const common = { contactId: p.contactId, language: "en", territory: "valsusa", at, run: randomUUID() };
    const data: IngestJob =
      i % 2 === 0
        ? {
            ...common,
            name: "feedback.submitted",
            flow: "feedback",
            data: {
              about: { kind: "choice", choices: ["service"] },
              text: { kind: "text", text: FEEDBACK_TEXTS[(i >> 1) % FEEDBACK_TEXTS.length] },
              category: null,
              contact_back: { kind: "choice", choices: [i % 4 === 0 ? "yes" : "no"] },
              territory: "valsusa",
            },
          }
        : { ...common, name: "flow.started", flow: STARTED_FLOWS[(i >> 1) % STARTED_FLOWS.length] as string, data: {} };
    // Ids as the outbox makes them: `<turn key>/e<index>`.
    return { name: data.name, data, opts: { id: `${CHANNEL}-${tag}-${i}/e${i % 3}` } };
  });
}

/** The real ingest worker (Pipeline.work({ ingest })) against a no-op worker over the same jobs, at a few concurrencies. */
async function ingestBench(app: BenchApp, redis: BenchRedis, database: BenchDatabase, people: readonly Person[]): Promise<IngestRun[]> {
  const breakdown = emptyBreakdown();
  let done = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  const broker = new TimedBroker(new BullmqBroker({ url: redis.url, prefix: redis.prefix }), breakdown, (_queue, _id, startedAt, endedAt) => {
    done++;
    first = Math.min(first, startedAt);
    last = Math.max(last, endedAt);
  });
  const NOOP = "bench.noop";
  const settings = queueSettings({ shards: 1, channels: [] }).find(([name]) => name === QUEUES.ingest)?.[1];
  await broker.declare(QUEUES.ingest, settings);
  await broker.declare(NOOP, settings);
  const self0 = process.cpuUsage();
  const snapshot = async (): Promise<Snapshot> => {
    const self = process.cpuUsage(self0);
    return {
      at: clock(),
      selfMs: (self.user + self.system) / 1000,
      selfSystemMs: self.system / 1000,
      workersMs: 0,
      postgres: postgresCpu(database.localPort),
      redisS: await redisCpuSeconds(redis.admin),
      redisCommands: await redisCommands(redis.admin),
      machine: machineCpuSeconds(),
      breakdown: withCompileTime(breakdown),
    };
  };
  const runs: IngestRun[] = [];
  try {
    for (const concurrency of INGEST_CONCURRENCIES) {
      for (const [trial, kind] of Array.from({ length: INGEST_TRIALS }, (_, t) => (["no-op", "ingest"] as const).map((k) => [t, k] as const)).flat()) {
        const queue = kind === "ingest" ? QUEUES.ingest : NOOP;
        const jobs = ingestJobs(people, INGEST_JOBS, `${kind}-${concurrency}-${trial}`);
        // Straight to the inner broker: loading the queue is not what the stopwatches measure.
        for (let i = 0; i < jobs.length; i += 500) await Promise.all(jobs.slice(i, i + 500).map((j) => broker.inner.put(queue, j.name, j.data, j.opts)));
        done = 0;
        first = Number.POSITIVE_INFINITY;
        last = 0;
        const before = await snapshot();
        // Exactly what `inloco worker` starts for the ingest role; the no-op worker on the same broker.
        const pipeline = new Pipeline({ broker, sql: app.db.sql, vault: app.vault, conversations: app.conversations, rules: app.runtime.texts, channels: [], shards: 1, log: silentLog });
        const handle = kind === "no-op" ? await broker.work(NOOP, async () => undefined, { concurrency }) : undefined;
        if (kind === "ingest") await pipeline.work({ ingest: true, ingestConcurrency: concurrency });
        let seen = 0;
        let quiet = 0;
        while (done < jobs.length) {
          await sleep(20);
          quiet = done === seen ? quiet + 20 : 0;
          seen = done;
          if (quiet > STUCK_S * 1000) throw new Error(`ingest bench: ${kind} worker stuck at ${done} of ${jobs.length} jobs`);
        }
        const after = await snapshot();
        await (handle ? handle.close() : pipeline.close());
        const seconds = (last - first) / 1000;
        runs.push({ kind, concurrency, jobs: jobs.length, seconds, rate: jobs.length / seconds, usage: usage(before, after, jobs.length) });
        progress(`  ${kind}, concurrency ${concurrency}: ${fmt(jobs.length / seconds, 0)} jobs/s`);
      }
    }
    const failed = (await broker.counts(QUEUES.ingest)).failed;
    if (failed > 0) throw new Error(`ingest bench: ${failed} ingest jobs failed: ${(await broker.failed(QUEUES.ingest, { limit: 1 }))[0]?.failedReason}`);
  } finally {
    await broker.close();
  }
  return runs;
}

// ─── Statements per message ──────────────────────────────────────────────────────────────────────

interface Statements {
  turn: string[];
  outbound: string[];
  flowStarted: string[];
  feedback: string[];
}

/** The statements each step of a message sends, counted on the wire over a client of their own. */
async function countStatements(database: BenchDatabase, app: BenchApp, probe: Person): Promise<Statements> {
  const { pool, sent } = countingPool(database.url);
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  try {
    await prisma.$queryRaw`SELECT 1`;
    const take = () => sent.splice(0);
    const conversations = new Conversations(
      app.runtime.engine,
      new DatabaseConversationStore(sqlOver(pool), app.vault),
      outboxPlanner({ reminderAfterSeconds: 20 * 3600, entryFlow: "main", now: () => new Date() }),
      eventsForStart(prisma),
    );
    take();
    const reply = await conversations.receive(probe.address, inputOf(CYCLE[0] as string), { receipt: { channel: CHANNEL, messageId: app.vault.hashMessageId(CHANNEL, randomUUID()) } });
    const turn = take();
    const job = <D>(queue: string, data: D): Job<D> => ({ queue, id: `probe-${randomUUID()}`, name: "probe", attempt: 1, maxAttempts: 1, data, updateData: async () => undefined });
    const out = reply.outbox.find((o) => o.kind === "outbound");
    if (!out) throw new Error("the probe's turn left no reply");
    const send = outboundProcessor({ sql: sqlOver(pool), vault: app.vault, sender: new RecordingSender(CHANNEL), gapMs: 0, sleep, log: silentLog });
    await send(job(QUEUES.outbound(CHANNEL), out.payload as OutboundJob));
    const outbound = take();
    const ingest = ingestProcessor({ sql: sqlOver(pool), rules: app.runtime.texts, log: silentLog });
    const [feedbackJob, startedJob] = ingestJobs([probe], 2, "probe");
    await ingest(job(QUEUES.ingest, (startedJob as { data: IngestJob }).data));
    const flowStarted = take();
    await ingest(job(QUEUES.ingest, (feedbackJob as { data: IngestJob }).data));
    return { turn, outbound, flowStarted, feedback: take() };
  } finally {
    await prisma.$disconnect();
    await pool.end();
  }
}

/** People whose session does not wait where the engine says it should after what they said (0: every message applied, in order). */
async function wrongSessions(app: BenchApp, people: readonly Person[], waits: readonly string[]): Promise<number> {
  const rows = await app.db.prisma.session.findMany({ where: { contactId: { in: people.map((p) => p.contactId) } }, select: { contactId: true, state: true } });
  const at = new Map(rows.map((r) => [r.contactId, (r.state as { wait?: { node?: string } } | null)?.wait?.node]));
  return people.filter((p) => at.get(p.contactId) !== (p.sent === 0 ? "housing" : waits[(p.sent - 1) % CYCLE.length])).length;
}

/** The Telegram-shaped case: replies go out through outbound.telegram with its production settings. */
interface TelegramResult {
  people: number;
  acceptSeconds: number;
  /** First accept to last reply sent. */
  seconds: number;
  rate: number;
  /** The queue's limit, from queueSettings (what the pipeline declares). */
  limit: { max: number; durationMs: number } | undefined;
}

async function telegramCase(base: Omit<BenchAppOptions, "shards" | "work">, redis: BenchRedis): Promise<TelegramResult> {
  const channel = "telegram" as const;
  const pending = new Set<string>();
  let last = 0;
  let allSent: () => void = () => undefined;
  const done = new Promise<void>((r) => (allSent = r));
  const app = await startBenchApp({ ...base, prefix: `${redis.prefix}-telegram`, shards: 32, work: true, sendOn: channel }, (queue, id, _startedAt, endedAt) => {
    if (queue !== QUEUES.outbound(channel) || !pending.delete(id)) return;
    last = endedAt;
    if (pending.size === 0) allSent();
  });
  try {
    const limit = queueSettings({ shards: 1, channels: [channel] }).find(([name]) => name === QUEUES.outbound(channel))?.[1].rateLimit;
    const inbounds: Inbound[] = Array.from({ length: TELEGRAM_PEOPLE }, (_, i) => ({
      channel,
      address: String(700_000_000 + i),
      messageId: `tg-${randomUUID()}`,
      input: { type: "start", params: {} },
      language: "en",
      at: new Date().toISOString(),
    }));
    for (const m of inbounds) pending.add(`${channel}-${app.vault.hashMessageId(channel, m.messageId)}/out`);
    const t0 = clock();
    await Promise.all(inbounds.map((m) => app.pipeline.accept(m)));
    const acceptSeconds = (clock() - t0) / 1000;
    // At the limit, the whole burst takes people / max × duration; three times that, and a margin, before giving up.
    const boundMs = (limit ? (TELEGRAM_PEOPLE / limit.max) * limit.durationMs * 3 : 0) + STUCK_S * 1000;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      done,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`telegram-shaped case: ${pending.size} of ${TELEGRAM_PEOPLE} replies not sent after ${fmt(boundMs / 1000, 0)} s`)), boundMs))),
    ]).finally(() => clearTimeout(timer));
    const seconds = (last - t0) / 1000;
    return { people: TELEGRAM_PEOPLE, acceptSeconds, seconds, rate: TELEGRAM_PEOPLE / seconds, limit };
  } finally {
    await app.close();
  }
}

function printTelegram(t: TelegramResult): void {
  const cap = t.limit ? `${t.limit.max} jobs per ${fmt(t.limit.durationMs / 1000, 0)} s` : "none";
  console.log(`\n--- Telegram-shaped: ${t.people} new people each send /start at once on channel "telegram"; BullMQ, 32 shards, 1 process\n`);
  console.log(`Replies sent: ${fmt(t.rate, 1)} turns/s (${t.people} replies, the last ${fmt(t.seconds, 1)} s after the first accept; all accepted in ${fmt(t.acceptSeconds, 2)} s).`);
  console.log(`The outbound.telegram queue's own rate limit: ${cap} (src/pipeline/queues.ts). What caps a real bot is its flood control`);
  console.log(`(bots/telegram/flood.ts, about 30 messages/s per bot, shared by every process), which sits in the Telegram sender: faked here,`);
  console.log(`so this shows the queue, not Telegram's limit (test/bots/flood.test.ts checks the limit against a fake Bot API).`);
}

// ─── The benchmark ───────────────────────────────────────────────────────────────────────────────

/** Pipeline benchmarks: ingest against a no-op worker, and inbound messages end to end. */
export async function pipelineBench(): Promise<void> {
  heading("pipeline");
  began = performance.now();
  // Ctrl-C or a kill: exit, so that the exit hooks stop the throwaway servers and the worker processes.
  const interrupted = () => process.exit(130);
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  const loadBefore = loadavg()[0] ?? 0;
  const keys = { hashKey: generateKey(), encryptionKey: generateKey() };
  // BENCH_PIPELINE_SETUPS=text|…: only the inbound setups whose label contains one of them, and the
  // ingest part only if one of them is "ingest".
  const only = process.env.BENCH_PIPELINE_SETUPS?.split("|").filter(Boolean);
  const withIngest = !only || only.includes("ingest");
  const setups = SETUPS.filter((x) => !only || only.some((o) => o !== "telegram" && x.label.includes(o)));
  let database: BenchDatabase | undefined;
  let redis: BenchRedis | undefined;
  let app: BenchApp | undefined;
  try {
    const t0 = performance.now();
    const opened = await Promise.allSettled([benchDatabase(), benchRedis()]);
    if (opened[0].status === "fulfilled") database = opened[0].value;
    if (opened[1].status === "fulfilled") redis = opened[1].value;
    for (const o of opened) if (o.status === "rejected") throw o.reason;
    const db = database as BenchDatabase;
    const r = redis as BenchRedis;
    const setupSeconds = (performance.now() - t0) / 1000;
    const base = { databaseUrl: db.url, redisUrl: r.url, prefix: r.prefix, ...keys };

    // This process's app without workers: prepares the people, counts statements, runs the ingest part.
    app = await startBenchApp({ ...base, redisUrl: undefined, prefix: undefined, shards: 32, work: false }, () => undefined);
    const groupCount = Math.max(setups.length, 1);
    progress(`preparing ${groupCount * PEOPLE + 1} people`);
    const prepared = await preparePeople(app, db.url, groupCount);
    const groups = Array.from({ length: groupCount }, (_, i) => prepared.people.slice(1 + i * PEOPLE, 1 + (i + 1) * PEOPLE));
    const waits = expectedWaits(app);
    const statements = await countStatements(db, app, prepared.people[0] as Person);
    printSetup(db, r, setupSeconds, prepared.seconds, loadBefore);
    printStatements(statements);

    if (withIngest) {
      progress("ingest");
      printIngest(await ingestBench(app, r, db, groups[0] ?? []));
    }

    const results: SetupResult[] = [];
    for (const [i, setup] of setups.entries()) {
      progress(`inbound: ${setup.label}`);
      results.push(await runSetup(setup, i, groups[i] as Person[], waits, base, db, r));
    }
    if (results.length > 0) {
      printInbound(results, loadBefore);
      await printInPlace(app);
    }
    // The Telegram-shaped case: with no filter, or when one of them is "telegram".
    if (!only || only.includes("telegram")) {
      progress("telegram-shaped");
      printTelegram(await telegramCase(base, r));
    }
  } catch (error) {
    console.error("pipeline bench failed:", error);
    throw error;
  } finally {
    await app?.close().catch((e: unknown) => console.error("pipeline bench: closing the app:", e));
    await database?.dispose().catch((e: unknown) => console.error("pipeline bench: dropping the database:", e));
    await redis?.dispose().catch((e: unknown) => console.error("pipeline bench: cleaning Redis:", e));
    process.removeListener("SIGINT", interrupted);
    process.removeListener("SIGTERM", interrupted);
  }
}

// ─── Printing ────────────────────────────────────────────────────────────────────────────────────

function printSetup(db: BenchDatabase, redis: BenchRedis, setupSeconds: number, prepSeconds: number, loadBefore: number): void {
  console.log(
    `PostgreSQL: ${db.setup}; pool of 10 connections per process (openDatabase's default). Redis: ${redis.setup}.\n` +
      `Ready in ${fmt(setupSeconds)} s. Engine: the shipped flows, the seven shipped languages (INLOCO_* defaults).\n` +
      `People: one brought to the first needs question through Conversations.receive (${TO_NEEDS.length} turns), copied with SQL for the\n` +
      `others (own contact, address, session, runs, answers): ${fmt(prepSeconds, 1)} s. Load average ${fmt(loadBefore, 1)} before, on ${availableParallelism()} CPUs, which\n` +
      `PostgreSQL, Redis, the Node processes of this benchmark and anything else running share.`,
  );
}

/** How many of the turns' row updates PostgreSQL made in place (HOT: no new index entries), from its statistics. */
async function printInPlace(app: BenchApp): Promise<void> {
  // The statistics reach the view within a second of each transaction.
  await sleep(1500);
  const { rows } = await app.db.sql.query<{ relname: string; upd: string; hot: string }>(
    "SELECT relname, n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relname IN ('sessions', 'contacts') ORDER BY relname",
  );
  const share = rows.map((x) => `${x.relname} ${fmt((Number(x.hot) / Math.max(1, Number(x.upd))) * 100, 0)}% of ${fmt(Number(x.upd), 0)}`).join(", ");
  console.log(`\nRow updates made in place by PostgreSQL (HOT updates, no index entries written), all setups: ${share}.`);
}

function printStatements(s: Statements): void {
  console.log(`\n--- Statements to PostgreSQL per message, counted on the wire (one round trip each; BEGIN/COMMIT included)\n`);
  console.log(`  inbound turn (dedupe, open, save): ${s.turn.length}: ${s.turn.join(", ")}`);
  console.log(`  outbound job (find the address):   ${s.outbound.length}: ${s.outbound.join(", ")}`);
  console.log(`  ingest flow.started:               ${s.flowStarted.length}: ${s.flowStarted.join(", ")}`);
  console.log(`  ingest feedback.submitted:         ${s.feedback.length}: ${s.feedback.join(", ")}`);
}

function printIngest(runs: IngestRun[]): void {
  console.log(`\n--- Ingest: ${INGEST_JOBS} jobs per run (feedback.submitted and flow.started in turn), queued first, then one worker;`);
  console.log(`    ${INGEST_TRIALS} runs of each worker at each concurrency, taking turns: each one's fastest run\n`);
  console.log(`Jobs running at once are written together, one statement per kind (src/batch/row-batcher.ts): more at once, bigger batches.\n`);
  const fastest = (kind: IngestRun["kind"], c: number) => runs.filter((x) => x.kind === kind && x.concurrency === c).sort((a, b) => b.rate - a.rate)[0] as IngestRun;
  const rows = INGEST_CONCURRENCIES.map((c) => {
    const noop = fastest("no-op", c);
    const real = fastest("ingest", c);
    const u = real.usage;
    return [
      `concurrency ${c}${c === INGEST_CONCURRENCY ? " (default)" : ""}`,
      fmt(noop.rate, 0),
      fmt(real.rate, 0),
      fmt(real.rate / noop.rate, 2),
      fmt(noop.usage.selfMs, 2),
      fmt(u.selfMs, 2),
      compileCell(u),
      fmt(u.postgresMs, 2),
      fmt(u.redisMs, 2),
      `${fmt(u.othersShare * 100, 0)}%`,
    ];
  });
  console.log(table(["", "no-op jobs/s", "ingest jobs/s", "ingest/no-op", "no-op node ms", "ingest node ms", "Prisma compile", "PG ms", "Redis ms", "others"], rows));
  console.log(`\njobs/s: first job started to last job finished; same Redis, same job data, same worker settings. CPU ms per job: node =`);
  console.log(`the worker's process (BullMQ, Prisma, the processor); Prisma compile = the part of it spent compiling queries (ms, and`);
  console.log(`Prisma calls per job); PG = the PostgreSQL server's processes; Redis = redis-server (INFO); others = the share of all`);
  console.log(`${availableParallelism()} cores used meanwhile by processes that are not this benchmark's.`);
  const d = fastest("ingest", INGEST_CONCURRENCY);
  const n = fastest("no-op", INGEST_CONCURRENCY);
  const ratio = d.rate / n.rate;
  console.log(`\nGoal: ingest keeps up with BullMQ itself, ingest/no-op ≥ ${INGEST_RATIO_GOAL} at the default ingest concurrency ${INGEST_CONCURRENCY}:`);
  console.log(`      ${fmt(d.rate, 0)} / ${fmt(n.rate, 0)} jobs/s = ${fmt(ratio, 2)}  ${verdict(ratio >= INGEST_RATIO_GOAL, "pipeline: ingest/no-op")}`);
  if (ratio < INGEST_RATIO_GOAL) {
    const u = d.usage;
    console.log(
      `      Why: an ingest job costs ${fmt(u.selfMs, 2)} ms of the worker's CPU against ${fmt(n.usage.selfMs, 2)} ms for BullMQ's own share (the no-op job),` +
        `\n      and ${fmt(u.postgresMs, 2)} ms of PostgreSQL's CPU. At ${fmt(d.rate, 0)} jobs/s the worker's process used ${fmt((u.selfMs * d.rate) / 10, 0)}% of a core.`,
    );
  }
}

function compileCell(u: Usage): string {
  return compileTime.available ? `${fmt(u.compileMs, 2)} (${fmt(u.compiles, 1)})` : "n/a";
}

/**
 * How many messages took longer than the p99 goal, by the second of the load they were due in: a
 * tail spread over the run is queueing, one gathered in a second or two is a stall (a collection,
 * a slow spell of the machine) that delayed everything due meanwhile.
 */
function slowBySecond(record: ReadonlyArray<{ from: number; at?: number }>, stoppedAt: number): number[] {
  const start = Math.min(...record.map((m) => m.from));
  const counts: number[] = [];
  for (const m of record) {
    const second = Math.floor((m.from - start) / 1000);
    counts[second] = (counts[second] ?? 0) + ((m.at ?? stoppedAt) - m.from > P99_GOAL_MS ? 1 : 0);
  }
  return Array.from(counts, (c) => c ?? 0);
}

/** A percentile of a phase's latencies, "> x" when unanswered messages reach into it (x is then a lower bound). */
function latency(p: Phase, q: number): string {
  const v = percentile(p.latencies, q);
  const censored = p.unanswered > (1 - q) * p.messages;
  return `${censored ? "> " : ""}${fmt(v, v < 100 ? 1 : 0)}`;
}

function totalCpu(u: Usage): number {
  return u.selfMs + u.workersMs + (Number.isNaN(u.postgresMs) ? 0 : u.postgresMs) + u.redisMs;
}

function printInbound(results: SetupResult[], loadBefore: number): void {
  if (results.length === 0) return;
  const cpus = availableParallelism();
  console.log(
    `\n--- Inbound end to end: accept → inbound shard → engine turn + one transaction → outbox → outbound job → reply sent\n\n` +
      `Channel "${CHANNEL}", faked at the ChannelSender contract (its outbound queue has no rate limit; a real Telegram bot is capped at about 30 messages/s,\n` +
      `by its flood control, in the sender). Every process runs all worker roles as inloco start/worker do: one job at a\n` +
      `time per inbound shard, concurrency ${WORKER_CONCURRENCY} on ingest, outbound and timers. "2 processes": this process accepts and works (inloco\n` +
      `start), and one more process works (inloco worker) on the same Redis and PostgreSQL. ${PEOPLE} people per setup, their own, spread evenly over the shards.\n` +
      `Per setup: ${WARM_STEPS * PEOPLE} messages to warm up (not timed); saturation: the ${PEOPLE} people each say their next ${SATURATION_STEPS} answers at once (each person's in order),\n` +
      `all accepted as fast as the broker takes them, timed from the first accept to the last reply sent, ${SATURATION_RUNS} times (the fastest counts); then a light load\n` +
      `(${LIGHT_RATE}/s for ${LIGHT_SECONDS} s) and the goal's load (${STEADY_RATE}/s for ${STEADY_SECONDS} s), people in turn. Latency: accept called (paced loads: the\n` +
      `moment the message was due) → the reply's outbound job done, all its messages handed to the channel. Replies not sent\n` +
      `${GRACE_S} s after the last message was due are "unanswered" and count as what was waited: "> x" is a lower bound.\n`,
  );
  console.log(
    table(
      ["saturation", "ready s", "accepted in s", "msgs/s", `each of ${SATURATION_RUNS} runs`, "p50 ms", "p99 ms", "CPU ms/msg", `${cpus}-core ceiling/s`],
      results.map((x) => {
        const total = totalCpu(x.saturation.usage);
        return [
          x.setup.label,
          fmt(x.startSeconds, 1),
          fmt(x.saturation.acceptSeconds, 2),
          fmt(x.saturation.rate, 0),
          x.saturationRates.map((r) => fmt(r, 0)).join(" "),
          latency(x.saturation, 0.5),
          latency(x.saturation, 0.99),
          fmt(total, 1),
          fmt((cpus * 1000) / total, 0),
        ];
      }),
    ),
  );
  console.log(`\nmsgs/s: the fastest of ${SATURATION_RUNS} runs (each ${SATURATION_STEPS} answers of every person); this table and those below are of that run.`);
  console.log(`CPU ms/msg: node + PostgreSQL + Redis CPU per message at saturation (table below). Ceiling: ${cpus} cores' worth of CPU`);
  console.log(`seconds divided by that: the rate at which this machine's CPUs would be spent on messages and nothing else.\n`);
  console.log(
    table(
      ["latency, ms", `${LIGHT_RATE}/s p50`, "max", `${STEADY_RATE}/s p50`, "p90", "p99", "unanswered", "late start p99"],
      results.map((x) => [
        x.setup.label,
        latency(x.light, 0.5),
        latency(x.light, 1),
        latency(x.steady, 0.5),
        latency(x.steady, 0.9),
        latency(x.steady, 0.99),
        `${x.steady.unanswered} of ${x.steady.messages}`,
        fmt(x.steady.lateP99, 0),
      ]),
    ),
  );
  console.log(`\n"late start": how late this process called accept against the schedule at ${STEADY_RATE}/s (its event loop is busy working).`);
  console.log(`\nWhere the CPU goes at saturation, ms per message (node: this process / the worker process; PG: the server's processes):\n`);
  console.log(
    table(
      ["saturation", "node", "node workers", "Prisma compile", "PG", "Redis", "total", "others", "Redis cmds"],
      results.map((x) => {
        const u = x.saturation.usage;
        return [x.setup.label, fmt(u.selfMs, 2), fmt(u.workersMs, 2), compileCell(u), fmt(u.postgresMs, 2), fmt(u.redisMs, 2), fmt(totalCpu(u), 2), `${fmt(u.othersShare * 100, 0)}%`, fmt(u.redisCommands, 0)];
      }),
    ),
  );
  console.log(`\nPrisma compile: the part of node's CPU Prisma spent compiling queries to plans (WebAssembly, on the event loop; no plan`);
  console.log(`cache in Prisma 6.19), and Prisma calls per message. others: the share of all ${cpus} cores used meanwhile by processes`);
  console.log(`that are not this benchmark's (load average ${fmt(loadBefore, 1)} before this section). Redis cmds: commands Redis ran per message,`);
  console.log(`those inside BullMQ's Lua scripts included.`);
  console.log(`\nInside the jobs, wall ms per inbound message at saturation (waits for a pooled connection and for a busy event loop included):\n`);
  console.log(
    table(
      ["saturation", "inbound job", "dedupe", "open", "save turn", "dispatch", "engine & rest", "outbound job", "adds/turn", "SQL/msg"],
      results.map((x) => {
        const b = x.saturation.usage.breakdown;
        const per = (ms: number) => fmt(ms / Math.max(1, b.inboundJobs), 1);
        const rest = b.inboundMs - b.replayMs - b.openMs - b.saveMs - b.dispatchMs;
        return [x.setup.label, per(b.inboundMs), per(b.replayMs), per(b.openMs), per(b.saveMs), per(b.dispatchMs), per(rest), fmt(b.outboundMs / Math.max(1, b.outboundJobs), 1), fmt(b.dispatchAdds / Math.max(1, b.inboundJobs), 1), fmt(b.statements / Math.max(1, b.inboundJobs), 2)];
      }),
    ),
  );
  console.log(`\ndedupe: processed_messages lookup (store.replay); open: contact and session (store.open); save turn: the turn's statement (or transaction);`);
  console.log(`dispatch: queueing the outbox (broker.put, all at once); engine & rest: resume(), zod, crypto, the planner.`);
  console.log(`SQL/msg: plain-SQL statements to PostgreSQL per message, all its jobs included (one alone would take 3: find the person,`);
  console.log(`the turn, the reply's address); people's turns and lookups made at the same moment share one (src/batch/row-batcher.ts).`);
  const logs = new Map<string, number>();
  for (const x of results) for (const u of [x.saturation.usage, x.light.usage]) for (const [k, v] of Object.entries(u.breakdown.logs)) logs.set(k, (logs.get(k) ?? 0) + v);
  if (logs.size > 0) console.log(`Logged by the pipeline meanwhile: ${[...logs].map(([k, v]) => `${v} × "${k}"`).join("; ")}.`);
  const wrong = results.reduce((n, x) => n + x.wrong, 0);
  const failed = results.reduce((n, x) => n + x.failedJobs, 0);
  const failures = results.flatMap((x) => x.failures);
  console.log(
    `Check (after the light load, all queues drained): ${wrong === 0 ? "every person's session waits at the question the engine says" : `${wrong} people's sessions are not where they should be`}; ` +
      `${failed} failed jobs; ${failures.length} failed inbound tries.`,
  );
  for (const f of failures.slice(0, 5)) console.log(`  ${f}`);

  const bull = results.filter((x) => x.setup.broker === "bullmq");
  if (bull.length === 0) return;
  const best = bull.reduce((a, b) => (b.saturation.rate > a.saturation.rate ? b : a));
  // Judged on what `inloco start` runs with REDIS_URL and no other setting; the other setups are printed to compare with.
  const judgedSaturation = bull.find((x) => x.setup.isDefault);
  console.log(
    `\nGoal: inbound messages end to end at saturation on BullMQ ≥ ${fmt(SATURATION_GOAL, 0)}/s with the defaults (inloco start with REDIS_URL: ${judgedSaturation?.setup.shards ?? 32} shards,` +
      `\n      one process), the fastest of its ${SATURATION_RUNS} runs; on channel "${CHANNEL}", whose outbound queue has no rate limit (Telegram's caps it: see below):`,
  );
  if (judgedSaturation) {
    console.log(`      ${judgedSaturation.setup.label}: ${fmt(judgedSaturation.saturation.rate, 0)} messages/s  ${verdict(judgedSaturation.saturation.rate >= SATURATION_GOAL, "pipeline: saturation with the defaults")}`);
  } else {
    console.log(`      not judged: the default setup did not run (BENCH_PIPELINE_SETUPS)`);
  }
  for (const x of results.filter((r) => r !== judgedSaturation)) console.log(`      for comparison, ${x.setup.label}: ${fmt(x.saturation.rate, 0)} messages/s`);
  const judged0 = judgedSaturation ?? best;
  const u = judged0.saturation.usage;
  const total = totalCpu(u);
  // One process does its jobs on one thread: its own share of the CPU caps it, whatever the machine has left.
  const oneThread = judged0.setup.workerProcesses === 0 ? 1000 / u.selfMs : Number.POSITIVE_INFINITY;
  console.log(
    `      CPU per message ${fmt(total, 2)} ms in all (the machine's ${cpus} cores: ${fmt((cpus * 1000) / total, 0)} messages/s at most)` +
      (Number.isFinite(oneThread) ? `; this process ${fmt(u.selfMs, 2)} ms, node being one thread (one core's worth: ${fmt(oneThread, 0)} messages/s at most).` : "."),
  );
  if (judged0.saturation.rate < SATURATION_GOAL && (cpus * 1000) / total >= SATURATION_GOAL) {
    console.log(
      `      Why: the machine's CPU would allow it, ${fmt(u.machineBusy * 100, 0)}% of it was busy: the one process that accepts and works spends` +
        `\n      ${fmt(u.selfMs, 2)} ms of its one thread per message. More worker processes share that out, at some CPU each (see "2 processes").`,
    );
  } else if (judged0.saturation.rate < SATURATION_GOAL) {
    console.log(
      `      Why: a message costs ${fmt(total, 1)} ms of CPU in all (node ${fmt(u.selfMs + u.workersMs, 1)}, of which ${fmt(u.compileMs, 1)} compiling ${fmt(u.compiles, 1)} Prisma` +
        `\n      queries; PostgreSQL ${fmt(u.postgresMs, 1)}; Redis ${fmt(u.redisMs, 1)}): ${cpus} cores carry at most ${fmt((cpus * 1000) / total, 0)} messages/s even with nothing else` +
        `\n      running, and ${fmt(SATURATION_GOAL, 0)}/s would need ${fmt((cpus * 1000) / SATURATION_GOAL, 1)} ms per message, everything included. ${fmt(u.othersShare * 100, 0)}% of the machine went to other processes.` +
        `\n      With PostgreSQL and Redis on other machines, ${cpus} cores of workers alone would carry about ${fmt((cpus * 1000) / (u.selfMs + u.workersMs), 0)} messages/s (node's share).`,
    );
  }
  // Judged on what `inloco start` runs with no settings; the other setups are there to compare with.
  const judged = bull.filter((x) => x.setup.isDefault);
  console.log(`Goal: p99 accept → reply sent at a steady ${STEADY_RATE} messages/s < ${P99_GOAL_MS} ms, with the defaults:`);
  for (const x of bull) {
    const p99 = percentile(x.steady.latencies, 0.99);
    const ok = p99 < P99_GOAL_MS && x.steady.unanswered <= 0.01 * x.steady.messages;
    console.log(x.setup.isDefault ? `      ${x.setup.label}: ${latency(x.steady, 0.99)} ms  ${verdict(ok, `pipeline: p99 at ${STEADY_RATE}/s, ${x.setup.label}`)}` : `      for comparison, ${x.setup.label}: ${latency(x.steady, 0.99)} ms`);
  }
  const slowest = bull.reduce((a, b) => (b.saturation.rate < a.saturation.rate ? b : a));
  const behind = bull.filter((x) => x.saturation.rate < STEADY_RATE);
  if (judged.some((x) => percentile(x.steady.latencies, 0.99) >= P99_GOAL_MS)) {
    const load = bull.map((x) => `${fmt((STEADY_RATE / x.saturation.rate) * 100, 0)}%`).join(", ");
    console.log(
      (behind.length > 0
        ? `      Why: ${STEADY_RATE}/s is more than some setups carry here (${fmt(slowest.saturation.rate, 0)} to ${fmt(best.saturation.rate, 0)} messages/s at saturation): their backlog grows` +
          `\n      for as long as the load lasts, and latency with it.`
        : `      Why: ${STEADY_RATE}/s keeps this machine's 2 cores ${load} busy (of what each setup carries at saturation); at that load` +
          `\n      messages queue behind each other on the shared cores (PostgreSQL, Redis and node take turns), which makes the tail.`) +
        ` At ${LIGHT_RATE}/s, which finds the pipeline idle, the slowest of` +
        `\n      ${LIGHT_RATE * LIGHT_SECONDS} took ${bull.map((x) => `${latency(x.light, 1)} ms`).join(", ")} (p50 ${bull.map((x) => latency(x.light, 0.5)).join(", ")} ms).`,
    );
  }
}
