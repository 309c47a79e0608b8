// Memory benchmark: the resident memory of `inloco start`, run as a pilot runs it (the flags of its
// `#!` line, as `npx inloco start` and `npm start` pass them), with Telegram configured against a fake
// Bot API in this process:
// - embedded (PGlite), on a fresh data folder: the first start (it creates and migrates the folder),
//   idle; then a steady load of BENCH_MEMORY_RATE messages a second (30 by default) for
//   BENCH_MEMORY_LOAD_SECONDS (240 by default; 3600 for the hour the issue asks to be flat); then a later
//   start on the same folder, idle;
// - PostgreSQL + Redis (throwaway servers, or BENCH_DATABASE_URL / BENCH_REDIS_URL): idle, then the same
//   load for BENCH_MEMORY_SERVER_LOAD_SECONDS (BENCH_MEMORY_LOAD_SECONDS, at most 240 by default).
// Resident memory is the RSS of the app's process tree (the app and any child: the migration's child
// process, Chromium), read from /proc every half second. Idle figures are the largest reading over
// BENCH_MEMORY_IDLE_SECONDS (30 by default) after the channels started; growth is the slope of a
// straight line fitted to the readings of the load's second half (before it, the JIT, caches and
// PGlite's tables warm up, and memory rises in steps), and projected over an hour of the same traffic.
// The load: 10 people per message a second, each sending one message every 10 s through the needs
// survey and round again (typed answers), so every message is a turn with its answers written. The
// app's own flood control is raised (TELEGRAM_MAX_PER_SECOND=1000) and the fake has no limits: the
// replies (1–2 a message) would otherwise wait in the queues, and memory would measure the backlog.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import { generateKey } from "../../src/db/index.ts";
import { BOT_TOKEN, FakeBotApi } from "../bots/fake-bot-api.ts";
import { freePort } from "../support/free-port.ts";
import { chromiumSection } from "./chromium.ts";
import { InlocoProcess } from "./app-process.ts";
import { fmt, heading, table, verdict } from "./measure.ts";
import { benchDatabase, benchRedis, type BenchDatabase, type BenchRedis } from "./pipeline/services.ts";

// ─── Settings and goals ──────────────────────────────────────────────────────────────────────────

const IDLE_SECONDS = readNumber("BENCH_MEMORY_IDLE_SECONDS", 30, 5);
const LOAD_SECONDS = readNumber("BENCH_MEMORY_LOAD_SECONDS", 240, 20);
const RATE = readNumber("BENCH_MEMORY_RATE", 30, 1);
/** The load on PostgreSQL + Redis: the hour's flatness is the embedded default's goal, so not an hour here too. */
const SERVER_LOAD_SECONDS = readNumber("BENCH_MEMORY_SERVER_LOAD_SECONDS", Math.min(LOAD_SECONDS, 240), 20);
/** Each person sends a message every this many seconds. */
const PERSON_EVERY_S = 10;
const SAMPLE_MS = 500;
const MB = 1024 * 1024;

// From the issue.
const EMBEDDED_IDLE_GOAL = 300;
const EMBEDDED_LOAD_GOAL = 400;
const SERVER_IDLE_GOAL = 200;
const HOUR_S = 3600;

// /start, English, consent, Val di Susa, contact preference, menu → needs; then the needs survey round
// and round (the last answer completes it, "menu" and "1" start it again), as the other benches type it.
const TO_NEEDS = ["/start", "1", "yes", "1", "yes", "1"];
const CYCLE = ["shelter", "yes", "looking for work", "1, 4", "y", "2", "two", "no", "1 and 2", "3", "1", "2", "1 3", "1", "2", "4,5", "1", "I need help with the rent", "menu", "1"];
const FIRST_CHAT = 800_001;

function readNumber(variable: string, fallback: number, min: number): number {
  const raw = process.env[variable];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min) throw new Error(`${variable} must be a number, ${min} or more (got "${raw}")`);
  return n;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
let began = performance.now();
const progress = (what: string) => console.error(`  memory ${fmt((performance.now() - began) / 1000, 0)} s: ${what}`);

// ─── /proc ───────────────────────────────────────────────────────────────────────────────────────

/** The pid and every descendant's. */
function processTree(pid: number): number[] {
  const all = [pid];
  for (let i = 0; i < all.length; i++) {
    const p = all[i] as number;
    try {
      for (const task of readdirSync(`/proc/${p}/task`)) {
        const children = readFileSync(`/proc/${p}/task/${task}/children`, "utf8").trim();
        if (children) all.push(...children.split(" ").map(Number));
      }
    } catch {
      // Gone meanwhile.
    }
  }
  return all;
}

/** Resident memory of one process, bytes (its VmRSS; NaN when it is gone). */
export function processRss(pid: number): number {
  try {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? Number.NaN) * 1024;
  } catch {
    return Number.NaN; // Gone meanwhile.
  }
}

/** Resident memory of a process and its descendants, bytes (VmRSS summed; NaN when the process is gone). */
export function treeRss(pid: number): number {
  const each = processTree(pid).map(processRss).filter(Number.isFinite);
  return each.length > 0 ? each.reduce((a, b) => a + b, 0) : Number.NaN;
}

/** CPU seconds of a process and its live descendants (user + system). */
function treeCpuSeconds(pid: number): number {
  let total = 0;
  for (const p of processTree(pid)) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      total += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

/** RSS of the processes whose command line matches (the bench's own PostgreSQL and Redis), bytes. */
function serverRss(match: (cmdline: string[]) => boolean): number {
  let total = 0;
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (!match(readFileSync(`/proc/${d}/cmdline`, "utf8").split("\0"))) continue;
      for (const p of processTree(Number(d))) total += processRss(p) || 0;
    } catch {
      // Gone meanwhile.
    }
  }
  return total;
}

// ─── The app ─────────────────────────────────────────────────────────────────────────────────────

/** The node flags the app runs with: BENCH_MEMORY_NODE_FLAGS (to compare settings), else those of its `#!` line. */
function nodeFlags(): string[] {
  const given = process.env.BENCH_MEMORY_NODE_FLAGS;
  return given !== undefined ? given.trim().split(/\s+/).filter(Boolean) : shebangFlags();
}

/** The node flags of src/cli/inloco.js's `#!` line: what `npx inloco start` runs with. */
export function shebangFlags(): string[] {
  const first = readFileSync(join(PROJECT_ROOT, "src", "cli", "inloco.js"), "utf8").split("\n")[0] ?? "";
  const m = /^#!\/usr\/bin\/env -S node(.*)$/.exec(first);
  return m ? (m[1] as string).trim().split(/\s+/).filter(Boolean) : [];
}

interface Sample {
  /** Seconds since the app was spawned. */
  t: number;
  rss: number;
}

/** `inloco start` as deployed, its RSS read every SAMPLE_MS from spawn to stop. */
class App extends InlocoProcess {
  readonly samples: Sample[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(env: NodeJS.ProcessEnv) {
    super(["start"], env, nodeFlags());
    this.timer = setInterval(() => this.sample(), SAMPLE_MS);
  }

  private sample(): void {
    const rss = treeRss(this.child.pid as number);
    if (Number.isFinite(rss)) this.samples.push({ t: this.now(), rss });
  }

  /** Readings from `from` to `to` (seconds since spawn). */
  between(from: number, to = Infinity): Sample[] {
    return this.samples.filter((s) => s.t >= from && s.t <= to);
  }

  cpuSeconds(): number {
    return treeCpuSeconds(this.child.pid as number);
  }

  override async stop(): Promise<number | null> {
    clearInterval(this.timer);
    return super.stop();
  }
}

// ─── Load ────────────────────────────────────────────────────────────────────────────────────────

interface LoadResult {
  from: number;
  to: number;
  sent: number;
  replies: number;
  cpuSeconds: number;
}

/** RATE messages a second for `seconds`, from RATE × 10 people, each one every 10 s; the replies the fake got meanwhile. */
async function load(api: FakeBotApi, app: App, seconds: number, steps: Map<number, number>): Promise<LoadResult> {
  const people = Math.max(1, Math.round(RATE * PERSON_EVERY_S));
  const from = app.now();
  const cpu0 = app.cpuSeconds();
  const calls0 = api.calls.length;
  const start = performance.now();
  let sent = 0;
  let lastPrint = start;
  for (;;) {
    const elapsed = (performance.now() - start) / 1000;
    if (elapsed >= seconds) break;
    // Catch up to where the rate says we should be: a slow tick does not lower the rate.
    const due = Math.floor(elapsed * RATE);
    for (; sent < due; sent++) {
      const chat = FIRST_CHAT + (sent % people);
      const step = steps.get(chat) ?? 0;
      steps.set(chat, step + 1);
      const text = step < TO_NEEDS.length ? (TO_NEEDS[step] as string) : (CYCLE[(step - TO_NEEDS.length) % CYCLE.length] as string);
      api.push(api.textUpdate(chat, text));
    }
    if (performance.now() - lastPrint > 15_000) {
      lastPrint = performance.now();
      progress(`load: ${fmt(sent, 0)} messages sent, ${fmt(api.calls.length - calls0, 0)} calls from the bot, RSS ${fmt(treeRss(app.child.pid as number) / MB, 0)} MB`);
    }
    await sleep(20);
  }
  const to = app.now();
  const cpuSeconds = app.cpuSeconds() - cpu0;
  const replies = api.calls.slice(calls0).filter((c) => c.method === "sendMessage").length;
  return { from, to, sent, replies, cpuSeconds };
}

// ─── Figures ─────────────────────────────────────────────────────────────────────────────────────

const maxRss = (s: readonly Sample[]) => (s.length ? s.reduce((m, x) => Math.max(m, x.rss), 0) / MB : Number.NaN);
const medianRss = (s: readonly Sample[]) => {
  const v = s.map((x) => x.rss).sort((a, b) => a - b);
  return v.length ? (v[v.length >> 1] as number) / MB : Number.NaN;
};

/** Least-squares slope of RSS over time, MB a minute, and the fitted RSS at the last reading. */
function trend(s: readonly Sample[]): { perMinute: number; end: number } {
  const n = s.length;
  if (n < 3) return { perMinute: Number.NaN, end: Number.NaN };
  const mt = s.reduce((a, x) => a + x.t, 0) / n;
  const mr = s.reduce((a, x) => a + x.rss, 0) / n;
  let num = 0;
  let den = 0;
  for (const x of s) {
    num += (x.t - mt) * (x.rss - mr);
    den += (x.t - mt) ** 2;
  }
  const slope = num / den; // bytes a second
  const last = s[n - 1] as Sample;
  return { perMinute: (slope * 60) / MB, end: (mr + slope * (last.t - mt)) / MB };
}

interface LoadFigures {
  max: number;
  median: number;
  perMinute: number;
  /** RSS after an hour of this traffic, extrapolated from the fitted line (measured, when the load lasted an hour). */
  atHour: number;
  msgPerSecond: number;
  repliesPerSecond: number;
  cpuShare: number;
}

function loadFigures(app: App, l: LoadResult): LoadFigures {
  const all = app.between(l.from, l.to);
  const steady = app.between(l.from + (l.to - l.from) / 2, l.to);
  const { perMinute, end } = trend(steady);
  const duration = l.to - l.from;
  const atHour = end + (perMinute * Math.max(0, HOUR_S - duration)) / 60;
  return {
    max: maxRss(all),
    median: medianRss(steady),
    perMinute,
    atHour: Math.max(atHour, maxRss(all)),
    msgPerSecond: l.sent / duration,
    repliesPerSecond: l.replies / duration,
    cpuShare: l.cpuSeconds / duration,
  };
}

interface IdleFigures {
  /** Seconds from spawn to "channels started". */
  readyAfter: number;
  /** Largest reading before the channels started (the migration's child included). */
  startPeak: number;
  max: number;
  median: number;
}

async function idle(app: App, seconds: number): Promise<IdleFigures> {
  const readyAfter = await app.ready;
  await sleep(seconds * 1000);
  const window = app.between(readyAfter);
  return { readyAfter, startPeak: maxRss(app.between(0, readyAfter)), max: maxRss(window), median: medianRss(window) };
}

// ─── The bench ───────────────────────────────────────────────────────────────────────────────────

function appEnv(api: FakeBotApi, port: number, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_API_ROOT: api.url,
    TELEGRAM_MAX_PER_SECOND: "1000",
    TELEGRAM_CHAT_BURST: "20",
    INLOCO_QUIET_HOURS: "off",
    WHATSAPP_ENABLED: "false",
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_FORMAT: "json",
    LOG_LEVEL: "info",
  };
  // Only what this run gives: not a database, Redis or webhook of the calling shell.
  for (const k of ["TELEGRAM_WEBHOOK_URL", "DATABASE_URL", "REDIS_URL", "INLOCO_DATA_DIR"]) delete env[k];
  return { ...env, ...extra };
}

interface Embedded {
  first: IdleFigures;
  load: LoadFigures;
  later: IdleFigures;
  exits: Array<number | null>;
  problems: string[];
}

export async function embeddedRun(api: FakeBotApi): Promise<Embedded> {
  const dataDir = mkdtempSync(join(tmpdir(), "inloco-bench-memory-"));
  const env = appEnv(api, await freePort(), { INLOCO_DATA_DIR: dataDir });
  const steps = new Map<number, number>();
  let app: App | undefined;
  try {
    progress(`embedded: first start on a fresh folder (${dataDir})`);
    app = new App(env);
    const first = await idle(app, IDLE_SECONDS);
    progress(`embedded: idle ${fmt(first.max, 0)} MB; load at ${RATE} messages/s for ${LOAD_SECONDS} s`);
    const l = loadFigures(app, await load(api, app, LOAD_SECONDS, steps));
    const exits = [await app.stop()];
    const problems = [...app.problems];
    progress("embedded: later start on the same folder");
    app = new App(env);
    const later = await idle(app, IDLE_SECONDS);
    exits.push(await app.stop());
    problems.push(...app.problems);
    return { first, load: l, later, exits, problems };
  } finally {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Server {
  idle: IdleFigures;
  load: LoadFigures;
  servers: { idle: number; load: number };
  exit: number | null;
  problems: string[];
  setup: string[];
}

export async function serverRun(api: FakeBotApi): Promise<Server> {
  let database: BenchDatabase | undefined;
  let redis: BenchRedis | undefined;
  let app: App | undefined;
  try {
    progress("PostgreSQL + Redis: starting the servers");
    [database, redis] = await Promise.all([benchDatabase(), benchRedis()]);
    const keys = { INLOCO_HASH_KEY: generateKey(), INLOCO_ENCRYPTION_KEY: generateKey() };
    const env = appEnv(api, await freePort(), { DATABASE_URL: database.url, REDIS_URL: redis.url, INLOCO_QUEUE_PREFIX: redis.prefix, ...keys });
    const port = database.localPort;
    const redisPort = /:(\d+)/.exec(redis.url.replace(/^redis:\/\/[^@]*@/, "redis://"))?.[1];
    const servers = () =>
      (port === undefined ? 0 : serverRss((c) => c[0]?.endsWith("postgres") === true && c.includes(`port=${port}`))) +
      (redisPort === undefined || process.env.BENCH_REDIS_URL || process.env.TEST_REDIS_URL ? 0 : serverRss((c) => (c[0] ?? "").includes("redis-server") && c.some((a) => a.includes(`:${redisPort}`) || a === redisPort)));
    progress("PostgreSQL + Redis: inloco start");
    app = new App(env);
    const idleFigures = await idle(app, IDLE_SECONDS);
    const serversIdle = servers();
    progress(`PostgreSQL + Redis: idle ${fmt(idleFigures.max, 0)} MB; load at ${RATE} messages/s for ${SERVER_LOAD_SECONDS} s`);
    const l = loadFigures(app, await load(api, app, SERVER_LOAD_SECONDS, new Map()));
    const serversLoad = servers();
    const exit = await app.stop();
    return { idle: idleFigures, load: l, servers: { idle: serversIdle, load: serversLoad }, exit, problems: app.problems, setup: [database.setup, redis.setup] };
  } finally {
    await app?.stop();
    await redis?.dispose().catch((e: unknown) => console.error("redis cleanup:", e));
    await database?.dispose().catch((e: unknown) => console.error("database cleanup:", e));
  }
}

export async function memoryBench(): Promise<void> {
  heading("memory");
  began = performance.now();
  const interrupted = () => process.exit(130);
  process.once("SIGINT", interrupted);
  process.once("SIGTERM", interrupted);
  const api = await FakeBotApi.start(0);
  try {
    const loadBefore = loadavg()[0] ?? 0;
    const embedded = await embeddedRun(api);
    const server = await serverRun(api);
    report(embedded, server, loadBefore);
    const chromium = await chromiumSection();
    if (chromium) {
      console.log(`Check: the local page works in Chromium launched with CHROMIUM_ARGS (a service worker, a web worker, IndexedDB):`);
      console.log(`      ${chromium.works ? "it does" : "it does NOT"}  ${verdict(chromium.works, "memory: Chromium with CHROMIUM_ARGS")}`);
    }
  } finally {
    process.removeListener("SIGINT", interrupted);
    process.removeListener("SIGTERM", interrupted);
    await api.close();
  }
}

// ─── The report ──────────────────────────────────────────────────────────────────────────────────

function report(e: Embedded, s: Server, loadBefore: number): void {
  const mb = (n: number) => fmt(n, 0);
  console.log(`\n\`inloco start\` as a pilot runs it (node ${nodeFlags().join(" ") || "(no flags)"}${process.env.BENCH_MEMORY_NODE_FLAGS !== undefined ? ", BENCH_MEMORY_NODE_FLAGS" : ", the flags of its #! line"}), Telegram by long polling`);
  console.log(`against a fake Bot API in this process. Resident memory = RSS of the app's process tree from /proc, every ${SAMPLE_MS} ms.`);
  console.log(`Idle: ${IDLE_SECONDS} s after the channels started (BENCH_MEMORY_IDLE_SECONDS). Load: ${RATE} messages/s (BENCH_MEMORY_RATE) from ${Math.round(RATE * PERSON_EVERY_S)} people,`);
  console.log(`one each every ${PERSON_EVERY_S} s through the needs survey, for ${LOAD_SECONDS} s (BENCH_MEMORY_LOAD_SECONDS; 3600 measures the hour).`);
  console.log(`Growth: slope of a line fitted to the readings of the load's second half; "after an hour" extends it to 60 min.`);
  console.log(`  ${s.setup.join("; ")}; load average before: ${fmt(loadBefore, 2)}`);

  console.log(`\n--- Idle (MB)\n`);
  console.log(
    table(
      ["", "ready after s", "peak while starting", "idle median", "idle max"],
      [
        ["embedded, first start (fresh folder)", fmt(e.first.readyAfter, 1), mb(e.first.startPeak), mb(e.first.median), mb(e.first.max)],
        ["embedded, later start", fmt(e.later.readyAfter, 1), mb(e.later.startPeak), mb(e.later.median), mb(e.later.max)],
        ["PostgreSQL + Redis", fmt(s.idle.readyAfter, 1), mb(s.idle.startPeak), mb(s.idle.median), mb(s.idle.max)],
      ],
    ),
  );
  console.log(`(the first start's peak is its migration child, gone before the app opens the folder)`);
  console.log(`PostgreSQL + Redis servers themselves (throwaway, default settings), RSS summed: ${mb(s.servers.idle / MB)} MB idle, ${mb(s.servers.load / MB)} MB after the load (shared buffers counted once per process that touched them).`);

  console.log(`\n--- Under load (MB)\n`);
  const row = (label: string, l: LoadFigures) => [label, fmt(l.msgPerSecond, 1), fmt(l.repliesPerSecond, 1), `${fmt(l.cpuShare * 100, 0)}%`, mb(l.median), mb(l.max), fmt(l.perMinute, 2), mb(l.atHour)];
  console.log(table(["", "msgs/s in", "replies/s", "CPU of a core", "median", "max", "MB/min", "after an hour"], [row("embedded", e.load), row("PostgreSQL + Redis", s.load)]));

  const problems = [...e.problems, ...s.problems];
  console.log(`\ninloco start exited with ${[...e.exits, s.exit].map((c) => c ?? "a signal").join(", ")} after SIGTERM; warnings and errors: ${problems.length === 0 ? "none" : ""}`);
  for (const p of problems.filter((x) => !/not started: whatsapp/.test(x)).slice(0, 10)) console.log(`  ${p}`);

  console.log(`\nGoal: embedded, idle after the first start (fresh folder, migrated) ≤ ${EMBEDDED_IDLE_GOAL} MB:`);
  console.log(`      ${mb(e.first.max)} MB  ${verdict(e.first.max <= EMBEDDED_IDLE_GOAL, "memory: embedded first start idle")}`);
  console.log(`Goal: embedded, idle after a later start ≤ ${EMBEDDED_IDLE_GOAL} MB:`);
  console.log(`      ${mb(e.later.max)} MB  ${verdict(e.later.max <= EMBEDDED_IDLE_GOAL, "memory: embedded later start idle")}`);
  console.log(`Goal: embedded, at ${RATE} messages/s ≤ ${EMBEDDED_LOAD_GOAL} MB:`);
  console.log(`      ${mb(e.load.max)} MB  ${verdict(e.load.max <= EMBEDDED_LOAD_GOAL, "memory: embedded under load")}`);
  console.log(`Goal: embedded, flat under steady traffic: after an hour still ≤ ${EMBEDDED_LOAD_GOAL} MB:`);
  console.log(`      ${fmt(e.load.perMinute, 2)} MB/min over ${LOAD_SECONDS} s → ${mb(e.load.atHour)} MB after an hour  ${verdict(e.load.atHour <= EMBEDDED_LOAD_GOAL, "memory: embedded flat over an hour")}`);
  console.log(`Goal: PostgreSQL + Redis, idle ≤ ${SERVER_IDLE_GOAL} MB:`);
  console.log(`      ${mb(s.idle.max)} MB  ${verdict(s.idle.max <= SERVER_IDLE_GOAL, "memory: PostgreSQL + Redis idle")}`);
  console.log(`Check: the app kept up with the load (replies at least one a message):`);
  const kept = (l: LoadFigures) => l.repliesPerSecond >= l.msgPerSecond * 0.9;
  console.log(`      embedded ${fmt(e.load.repliesPerSecond, 1)}/s, PostgreSQL + Redis ${fmt(s.load.repliesPerSecond, 1)}/s for ${fmt(e.load.msgPerSecond, 1)} messages/s  ${verdict(kept(e.load) && kept(s.load), "memory: the app kept up")}`);
}
