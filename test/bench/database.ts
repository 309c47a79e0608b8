// Database benchmarks: turns saved per second (session state + answer in one transaction) and reads
// of a session by identity per second, on the embedded database (PGlite) and on PostgreSQL in the
// same run, one person after another and 8 people at once. Timed phases of the two databases take
// turns, so a change of load on the machine hits both alike.
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { Conversations } from "../../src/conversation/conversations.ts";
import { turnKey, type Address } from "../../src/conversation/store.ts";
import { createDatabase, databaseUrl, dropDatabase } from "../../src/db/admin.ts";
import { generateKey, IdentityVault, openDatabase, type Database } from "../../src/db/index.ts";
import { resume, type EngineContext, type Session } from "../../src/engine/index.ts";
import { outboxPlanner, type OutboxPlanner } from "../../src/effects/registry.ts";
import { DatabaseConversationStore } from "../../src/repos/conversations.ts";
import { countingSql } from "./statements.ts";
import { seedDemo } from "../../src/repos/seed.ts";
import { testContext } from "../support/engine.ts";
import { startPostgres } from "../support/postgres.ts";
import { fmt, heading, median, table, verdict } from "./measure.ts";

// To the first question of the needs survey: /start, English, consent, Val di Susa, contact preference, menu → needs.
const TO_NEEDS = ["/start", "1", "yes", "1", "yes", "1"];
// Twelve needs-survey questions in a row, each answered (one answer.recorded) and leading to the next.
const ANSWERS: ReadonlyArray<{ at: string; say: string }> = [
  { at: "housing", say: "1" },
  { at: "work", say: "1" },
  { at: "language_level", say: "3" },
  { at: "language_course", say: "1" },
  { at: "health", say: "yes" },
  { at: "health_needs", say: "5" },
  { at: "documents", say: "1" },
  { at: "children", say: "0" },
  { at: "own_study", say: "no" },
  { at: "social", say: "3" },
  { at: "social_wish", say: "1" },
  { at: "priority", say: "1" },
];
// The first half is answered by engine turn + saveTurn, the second through Conversations.receive.
const TURN_ANSWERS = ANSWERS.slice(0, 6);
const RECEIVE_ANSWERS = ANSWERS.slice(6);
// People per group: group "one" is timed one after another, group "eight" 8 at once.
const PEOPLE = 32;
const CONCURRENCY = 8;
const READ_ROUNDS = 4;
// An operation this long without an answer means a hung connection: fail instead of waiting for ever.
const STUCK_S = 30;
// Closing a database this long means it hangs too: give up on it.
const CLOSE_S = 15;
// Goals, from shared/PLATFORM-LIMITS.md: the embedded database keeps up with one Telegram bot's
// ~30 messages/s in total even one message at a time; PostgreSQL with 8 workers with the WhatsApp
// Cloud API's 80 messages/s per number.
const EMBEDDED_GOAL = 30;
const SERVER_GOAL = 80;
// The app's outbox: each answer leaves its reply (outbound) and a reminder timer, stored with the turn.
const plan: OutboxPlanner = outboxPlanner({ reminderAfterSeconds: 20 * 3600, entryFlow: "main", now: () => new Date() });

/** A database under test and how to get rid of it. */
interface Target {
  label: string;
  db: Database;
  /** How it was set up, in a few words. */
  setup: string;
  /** Seconds the setup took. */
  setupSeconds: number;
  dispose(): Promise<void>;
}

async function embeddedTarget(): Promise<Target> {
  const folder = mkdtempSync(join(tmpdir(), "inloco-bench-"));
  const t0 = performance.now();
  try {
    // One connection: pglite-socket interleaves the protocol messages of concurrent connections in
    // PGlite's one session ("unnamed prepared statement does not exist", then its queue hangs for
    // good: electric-sql/pglite#1046), so callers have to queue in the pool instead.
    const db = await openDatabase({ dataDir: folder, maxConnections: 1 });
    return {
      label: "embedded",
      db,
      setup: "PGlite in this process, fresh folder, served by pglite-socket, pool of 1",
      setupSeconds: (performance.now() - t0) / 1000,
      async dispose() {
        try {
          // A PGlite whose query queue is stuck never closes; its folder goes all the same.
          if (!(await settlesWithin(db.close(), CLOSE_S))) throw new Error(`the embedded database did not close within ${CLOSE_S} s`);
        } finally {
          rmSync(folder, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    rmSync(folder, { recursive: true, force: true });
    throw error;
  }
}

async function serverTarget(): Promise<Target> {
  const t0 = performance.now();
  const given = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  const server = given ? undefined : await startPostgres();
  const adminUrl = given ?? (server?.url as string);
  const name = `inloco_bench_${randomBytes(6).toString("hex")}`;
  let created = false;
  try {
    await createDatabase(adminUrl, name);
    created = true;
    const db = await openDatabase({ url: databaseUrl(adminUrl, name) });
    const dispose = async () => {
      // In order: no connection may be left when the database is dropped or the server stops.
      try {
        await db.close();
        await dropDatabase(adminUrl, name);
      } finally {
        await server?.stop();
      }
    };
    return {
      label: "PostgreSQL",
      db,
      setup: `${given ? `server of ${given === process.env.BENCH_DATABASE_URL ? "BENCH" : "TEST"}_DATABASE_URL` : "throwaway local cluster"}, fresh database, pool of 10`,
      setupSeconds: (performance.now() - t0) / 1000,
      dispose,
    };
  } catch (error) {
    if (created) await dropDatabase(adminUrl, name).catch(() => {});
    await server?.stop();
    throw error;
  }
}

/** One prepared person: their address, contact, and session as last saved. */
interface Person {
  address: Address;
  contactId: string;
  session: Session;
}

/** What the benchmark needs of one database. */
interface Bench {
  target: Target;
  store: DatabaseConversationStore;
  conversations: Conversations;
  one: Person[];
  eight: Person[];
  /** Kept aside for counting statements. */
  probe: Person;
}

/** Timing of a batch of operations run in lanes: the operations of a lane one after another, lanes at once. */
interface Run {
  ops: number;
  wallMs: number;
  cpuMs: number;
  latencies: number[];
}

async function timeLanes(lanes: ReadonlyArray<ReadonlyArray<() => Promise<void>>>): Promise<Run> {
  const latencies: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let progress = t0;
  const all = Promise.all(
    lanes.map(async (ops) => {
      for (const op of ops) {
        const t = performance.now();
        await op();
        progress = performance.now();
        latencies.push(progress - t);
      }
    }),
  );
  // A database that stops answering would otherwise leave the benchmark waiting for ever.
  let watchdog: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    watchdog = setInterval(() => {
      if (performance.now() - progress > STUCK_S * 1000) reject(new Error(`no answer from the database for ${STUCK_S} s (${latencies.length} operations done)`));
    }, 1000);
  });
  try {
    await Promise.race([all, stuck]);
  } finally {
    clearInterval(watchdog);
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { ops: latencies.length, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, latencies };
}

/** Waits for `p` at most `seconds`: true if it settled (either way) in time. */
async function settlesWithin(p: Promise<unknown>, seconds: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), seconds * 1000);
  });
  try {
    return await Promise.race([p.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The value below which a share `p` of the values lie (nearest rank). */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
}

/** Operations per person, as lanes: all in one lane, or people dealt to `n` lanes (a person stays in one). */
function lanesOf<P, T>(people: readonly P[], steps: readonly T[], n: number, op: (p: P, step: T) => () => Promise<void>): Array<Array<() => Promise<void>>> {
  const lanes: Array<Array<() => Promise<void>>> = Array.from({ length: n }, () => []);
  // Step by step: everybody answers the first question, then everybody the second, …
  for (const step of steps) for (const [i, p] of people.entries()) lanes[i % n]?.push(op(p, step));
  return lanes;
}

function delivery(vault: IdentityVault) {
  // As the pipeline does: provider message ids are hashed before anything stores them.
  return { channel: "telegram" as const, messageId: vault.hashMessageId("telegram", randomUUID()) };
}

/** Contacts waiting at the first needs-survey question, made through the real path (not timed). */
async function prepare(target: Target, vault: IdentityVault, ctx: EngineContext): Promise<Bench> {
  await seedDemo(target.db.prisma);
  const store = new DatabaseConversationStore(target.db.sql, vault);
  const conversations = new Conversations(ctx, store, plan);
  const addresses = Array.from({ length: 2 * PEOPLE + 1 }, (_, i): Address => ({ channel: "telegram", id: String(800000000 + i) }));
  await timeLanes(
    lanesOf(addresses, TO_NEEDS, CONCURRENCY, (address, text) => async () => {
      const reply = await conversations.receive(address, { type: "text", text }, { receipt: delivery(vault) });
      if (!reply.saved) throw new Error(`${target.label}: preparing, "${text}" was not saved`);
    }),
  );
  const people: Person[] = [];
  for (const address of addresses) {
    const { contactId, session } = await store.open(address, "en");
    if (session.wait?.node !== "housing") throw new Error(`${target.label}: a prepared contact waits at ${session.wait?.node}, not at housing`);
    people.push({ address, contactId, session });
  }
  return { target, store, conversations, one: people.slice(0, PEOPLE), eight: people.slice(PEOPLE, 2 * PEOPLE), probe: people[2 * PEOPLE] as Person };
}

/** One timed turn: the engine moves the person on by one answer, saveTurn stores it (with a fresh delivery). */
function turnOp(b: Bench, vault: IdentityVault, ctx: EngineContext, engineMs: number[]) {
  return (p: Person, a: { at: string; say: string }) => async () => {
    if (p.session.wait?.node !== a.at) throw new Error(`${b.target.label}: expected to wait at ${a.at}, waiting at ${p.session.wait?.node}`);
    const t = performance.now();
    const turn = resume(p.session, { type: "text", text: a.say }, ctx);
    engineMs.push(performance.now() - t);
    if (!turn.events.some((e) => e.type === "answer.recorded" && e.question === a.at)) throw new Error(`${b.target.label}: "${a.say}" at ${a.at} recorded no answer`);
    const d = delivery(vault);
    const outbox = plan(turn, { contactId: p.contactId, channel: p.address.channel, key: turnKey(p.contactId, turn.session.turn, d), shard: 0 });
    await b.store.saveTurn({ contactId: p.contactId, previousTurn: p.session.turn, turn, receipt: d, outbox });
    p.session = turn.session;
  };
}

/** One timed inbound message, the whole way: dedupe lookup, open, engine, saveTurn. */
function receiveOp(b: Bench, vault: IdentityVault) {
  return (p: Person, a: { at: string; say: string }) => async () => {
    const reply = await b.conversations.receive(p.address, { type: "text", text: a.say }, { receipt: delivery(vault) });
    if (!reply.saved || !reply.events.some((e) => e.type === "answer.recorded" && e.question === a.at)) {
      throw new Error(`${b.target.label}: "${a.say}" at ${a.at} was not saved as an answer`);
    }
  };
}

/** One timed read of a session by identity (keyed hash of the address). */
function readOp(b: Bench) {
  return (p: Person) => async () => {
    const { contactId } = await b.store.open(p.address, "en");
    if (contactId !== p.contactId) throw new Error(`${b.target.label}: open found another contact`);
  };
}

/** The statements each operation sends (BEGIN/COMMIT included), counted around the store's SQL. */
async function countStatements(b: Bench, vault: IdentityVault, ctx: EngineContext): Promise<Record<"open" | "openEight" | "saveTurn" | "receive", string[]>> {
  // Counted around the target's own SQL: a second pool on the embedded database would share its one
  // session, and its prepared statements, with the first.
  const sent: string[] = [];
  {
    const store = new DatabaseConversationStore(countingSql(b.target.db.sql, (name) => sent.push(name)), vault);
    const conversations = new Conversations(ctx, store, plan);
    const p = b.probe;
    const take = () => sent.splice(0);
    take();
    const { session } = await store.open(p.address, "en");
    const open = take();
    await Promise.all(b.eight.slice(0, CONCURRENCY).map((q) => store.open(q.address, "en")));
    const openEight = take();
    const first = ANSWERS[0] as { at: string; say: string };
    const turn = resume(session, { type: "text", text: first.say }, ctx);
    const d = delivery(vault);
    const outbox = plan(turn, { contactId: p.contactId, channel: p.address.channel, key: turnKey(p.contactId, turn.session.turn, d), shard: 0 });
    await store.saveTurn({ contactId: p.contactId, previousTurn: session.turn, turn, receipt: d, outbox });
    const saveTurn = take();
    await conversations.receive(p.address, { type: "text", text: (ANSWERS[1] as { say: string }).say }, { receipt: delivery(vault) });
    return { open, openEight, saveTurn, receive: take() };
  }
}

async function settings(db: Database): Promise<string> {
  const rows = await db.prisma.$queryRaw<Array<{ v: string; f: string; s: string }>>`
    SELECT current_setting('server_version') AS v, current_setting('fsync') AS f, current_setting('synchronous_commit') AS s`;
  const r = rows[0];
  return r ? `PostgreSQL ${r.v.split(" ")[0]}, fsync ${r.f}, synchronous_commit ${r.s}` : "?";
}

type Kind = "turn" | "receive" | "read";
type Mode = "one" | "eight";
const KINDS: Kind[] = ["turn", "receive", "read"];
const MODES: Mode[] = ["one", "eight"];

/** Database benchmarks: turns saved and sessions read per second, embedded vs PostgreSQL. */
export async function databaseBench(): Promise<void> {
  heading("database");
  const vault = new IdentityVault({ hashKey: Buffer.from(generateKey(), "base64"), encryptionKey: Buffer.from(generateKey(), "base64") });
  // A real engine over the shipped flows; run ids must be unique across contacts.
  const ctx = testContext({ languages: ["en"], newId: randomUUID });
  const targets: Target[] = [];
  // The machine is shared: say how busy it was, to read the numbers by.
  const loadBefore = loadavg()[0] ?? 0;
  try {
    // Both set up at once: PGlite's initdb runs here, PostgreSQL's in a child process.
    const opened = await Promise.allSettled([embeddedTarget(), serverTarget()]);
    for (const o of opened) if (o.status === "fulfilled") targets.push(o.value);
    for (const o of opened) if (o.status === "rejected") throw o.reason;
    const t0 = performance.now();
    const benches = await Promise.all(targets.map((t) => prepare(t, vault, ctx)));
    const prepSeconds = (performance.now() - t0) / 1000;

    const runs = new Map<string, Run>();
    const engineMs = new Map<string, number[]>();
    const key = (b: Bench, kind: Kind, mode: Mode) => `${b.target.label}/${kind}/${mode}`;
    // Phases in this order, the two databases taking turns within each.
    for (const kind of KINDS) {
      for (const mode of MODES) {
        for (const b of benches) {
          const n = mode === "one" ? 1 : CONCURRENCY;
          const people = mode === "one" ? b.one : b.eight;
          let lanes;
          if (kind === "turn") {
            const engine: number[] = [];
            engineMs.set(key(b, kind, mode), engine);
            lanes = lanesOf(people, TURN_ANSWERS, n, turnOp(b, vault, ctx, engine));
          } else if (kind === "receive") {
            lanes = lanesOf(people, RECEIVE_ANSWERS, n, receiveOp(b, vault));
          } else {
            lanes = lanesOf([...b.one, ...b.eight, b.probe], Array.from({ length: READ_ROUNDS }, (_, i) => i), n, readOp(b));
          }
          runs.set(key(b, kind, mode), await timeLanes(lanes));
        }
      }
    }
    const statements = await Promise.all(benches.map((b) => countStatements(b, vault, ctx)));
    const versions = await Promise.all(targets.map((t) => settings(t.db)));

    const [emb, server] = benches as [Bench, Bench];
    const run = (b: Bench, kind: Kind, mode: Mode) => runs.get(key(b, kind, mode)) as Run;
    const perSecond = (r: Run) => (r.ops * 1000) / r.wallMs;
    const labels: Record<Kind, string> = {
      turn: "turn saved (engine + saveTurn)",
      receive: "inbound message (Conversations.receive)",
      read: "session read by identity (store.open)",
    };
    const rows = KINDS.flatMap((kind) =>
      MODES.map((mode) => {
        const cells = [emb, server].flatMap((b) => {
          const r = run(b, kind, mode);
          return [fmt(perSecond(r), 0), fmt(percentile(r.latencies, 0.5), 2), fmt(percentile(r.latencies, 0.99), 2)];
        });
        const ratio = perSecond(run(emb, kind, mode)) / perSecond(run(server, kind, mode));
        return [`${labels[kind]}, ${mode === "one" ? "one at a time" : `${CONCURRENCY} at once`}`, ...cells, `${fmt(ratio, 2)}×`];
      }),
    );

    console.log(
      `embedded:   ${versions[0]} — ${emb.target.setup}; ready in ${fmt(emb.target.setupSeconds)} s\n` +
        `PostgreSQL: ${versions[1]} — ${server.target.setup}; ready in ${fmt(server.target.setupSeconds)} s (set up alongside)\n` +
        `Both on the app's pool over loopback TCP (plain SQL for turns and reads, as the app does). ${2 * PEOPLE + 1} contacts per database brought to the first\n` +
        `needs-survey question through Conversations.receive (${TO_NEEDS.length} turns each, not timed: ${fmt(prepSeconds)} s for both).\n` +
        `Each timed turn answers one needs-survey question: one answer.recorded, a fresh delivery id, and the app's outbox\n` +
        `(the reply and a reminder timer) in the same transaction;\n` +
        `${PEOPLE} people answer ${TURN_ANSWERS.length} questions each by engine + saveTurn, then ${RECEIVE_ANSWERS.length} more through receive; reads: ${READ_ROUNDS} rounds\n` +
        `over all ${2 * PEOPLE + 1} contacts. "${CONCURRENCY} at once": ${CONCURRENCY} workers, each with its own people (no two turns of one person race).\n` +
        `Load average ${fmt(loadBefore, 1)} before and ${fmt(loadavg()[0] ?? 0, 1)} after, on ${availableParallelism()} CPUs.\n`,
    );
    console.log(
      table(
        ["", "embedded/s", "p50 ms", "p99 ms", "PostgreSQL/s", "p50 ms", "p99 ms", "emb/PG"],
        rows,
      ),
    );
    console.log(`\nemb/PG: the embedded database's operations per second over PostgreSQL's (below 1: the embedded one is slower).`);
    console.log(`PGlite is one session in this process: "${CONCURRENCY} at once" on the embedded database is ${CONCURRENCY} callers queued for its one`);
    console.log(`connection, their transactions one after another (each caller waits for the others'); on PostgreSQL they run in parallel.`);
    console.log(`With more than one connection, pglite-socket mixes the protocol messages of concurrent queries and fails, then hangs`);
    console.log(`(electric-sql/pglite#1046): the embedded database here has a pool of 1, unlike openDatabase()'s default of 10.`);

    // Where an operation's time goes.
    const cpuPer = (b: Bench, kind: Kind, mode: Mode) => run(b, kind, mode).cpuMs / run(b, kind, mode).ops;
    const engineP50 = (b: Bench) => median(engineMs.get(key(b, "turn", "one")) ?? []);
    const saveP50 = (b: Bench) => percentile(run(b, "turn", "one").latencies, 0.5) - engineP50(b);
    const count = (i: number, op: keyof (typeof statements)[number]) => String(statements[i]?.[op].length);
    console.log(`\nPer operation (CPU: this process's, which for the embedded database includes PGlite itself):\n`);
    console.log(
      table(
        ["", "embedded", "PostgreSQL"],
        [
          ["turn, one at a time: ms in resume() (the engine), p50", fmt(engineP50(emb), 3), fmt(engineP50(server), 3)],
          ["turn, one at a time: ms in saveTurn, p50", fmt(saveP50(emb), 2), fmt(saveP50(server), 2)],
          ...KINDS.flatMap((kind) =>
            MODES.map((mode) => [`${kind}, ${mode === "one" ? "one at a time" : `${CONCURRENCY} at once`}: CPU ms`, fmt(cpuPer(emb, kind, mode), 2), fmt(cpuPer(server, kind, mode), 2)]),
          ),
          ["statements sent by store.open", count(0, "open"), count(1, "open")],
          [`statements sent by ${CONCURRENCY} store.open at once (together)`, count(0, "openEight"), count(1, "openEight")],
          ["statements sent by saveTurn", count(0, "saveTurn"), count(1, "saveTurn")],
          ["statements sent by receive", count(0, "receive"), count(1, "receive")],
        ],
      ),
    );
    const same = JSON.stringify(statements[0]) === JSON.stringify(statements[1]);
    for (const [i, s] of statements.entries()) {
      if (i > 0 && same) break;
      console.log(`\nStatements${same ? "" : ` (${benches[i]?.target.label})`}, one round trip each:`);
      console.log(`  store.open:      ${s.open.join(", ")}`);
      console.log(`  ${CONCURRENCY} × store.open:  ${s.openEight.join(", ")}`);
      console.log(`  saveTurn:        ${s.saveTurn.join(", ")}`);
      console.log(`  receive:         ${s.receive.join(", ")}`);
    }

    const embeddedReceive = perSecond(run(emb, "receive", "one"));
    const serverReceive = perSecond(run(server, "receive", "eight"));
    console.log(`\nGoal: the embedded database keeps up with one Telegram bot (~${EMBEDDED_GOAL} messages/s in total), one message at a time,`);
    console.log(`      ≥ ${EMBEDDED_GOAL} inbound messages/s: ${fmt(embeddedReceive, 0)}  ${verdict(embeddedReceive >= EMBEDDED_GOAL, "database: embedded inbound messages/s")}`);
    console.log(`Goal: PostgreSQL keeps up with one WhatsApp Cloud API number (${SERVER_GOAL} messages/s), ${CONCURRENCY} workers,`);
    console.log(`      ≥ ${SERVER_GOAL} inbound messages/s: ${fmt(serverReceive, 0)}  ${verdict(serverReceive >= SERVER_GOAL, "database: PostgreSQL inbound messages/s")}`);
  } catch (error) {
    // Said now: should closing hang too, the reason is not lost.
    console.error("database bench failed:", error);
    throw error;
  } finally {
    // One after the other: the embedded folder's lock and the server's connections are released in order.
    let stuck = false;
    for (const t of targets) {
      const closing = t.dispose().catch((error: unknown) => console.error(`database bench: closing ${t.label}:`, error));
      if (await settlesWithin(closing, 2 * CLOSE_S)) continue;
      console.error(`database bench: ${t.label} did not close within ${2 * CLOSE_S} s`);
      stuck = true;
    }
    // A stuck connection keeps the process alive for ever; exiting still stops the throwaway server (its exit hook).
    if (stuck) process.exit(1);
  }
}
