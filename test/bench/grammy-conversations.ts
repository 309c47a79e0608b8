// The long survey written twice inside grammY, both driven by bot.handleUpdate with fake updates:
// once with @grammyjs/conversations (a replayed async function), once with our engine (a
// middleware around resume()). Same questions, same rendering, same answers, same storage kind,
// no network. We time the k-th answer of a chat already waiting at question k.
import { fork, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { conversations, createConversation, type Conversation, type ConversationFlavor, type ConversationData, type VersionedState } from "@grammyjs/conversations";
import { Bot, type Context, type StorageAdapter } from "grammy";
import type { Message, Update, UserFromGetMe } from "grammy/types";
import { resume, type Session } from "../../src/engine/index.ts";
import { plainText } from "../../src/messages/plain-text.ts";
import { answerTo, LONG_SURVEY_QUESTIONS, longSurvey, longSurveyContext, questionMessage } from "./long-survey.ts";
import { fmt, heading, median, microsPerCall, table, timeOnce, verdict } from "./measure.ts";

const AT_QUESTIONS = [1, 10, 20, 50] as const;
// The goal: the engine at least this many times cheaper per update at question GOAL_AT.
const GOAL_RATIO = 20;
const GOAL_AT = 20;

const TOKEN = "123:test";

/** The installed version of a package (grammY doesn't export its package.json, so find it from its entry). */
function packageVersion(name: string): string {
  let dir = dirname(createRequire(import.meta.url).resolve(name));
  for (;;) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, "utf8")) as { name?: string; version?: string };
      if (pkg.name === name) return pkg.version ?? "?";
    }
    if (dirname(dir) === dir) return "?";
    dir = dirname(dir);
  }
}
const BOT: UserFromGetMe = {
  id: 123,
  is_bot: true,
  first_name: "Bench",
  username: "bench_bot",
  can_join_groups: false,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};
const DATE = Date.parse("2026-11-25T10:00:00Z") / 1000;

/** A StorageAdapter over a Map that keeps values as JSON text, as any external store would. */
export class JsonMapStorage<T> implements StorageAdapter<T> {
  /** The stored JSON by key, so a benchmark can snapshot and restore a chat. */
  readonly raw = new Map<string, string>();
  read(key: string): T | undefined {
    const json = this.raw.get(key);
    return json === undefined ? undefined : (JSON.parse(json) as T);
  }
  write(key: string, value: T): void {
    this.raw.set(key, JSON.stringify(value));
  }
  delete(key: string): void {
    this.raw.delete(key);
  }
}

/**
 * Telegram without a network: a `fetch` that answers every Bot API call with a successful result
 * (sendMessage gets the Message Telegram would send back). It is given to both bots as the API
 * client's `fetch`, the one interception point the conversations plugin keeps (see below).
 */
class FakeTelegram {
  calls = 0;
  /** Texts sent, when recording (only while checking the bots, never while timing). */
  sent: Array<{ chat: number; text: string }> | undefined;
  private messageId = 0;

  readonly fetch = (async (url: string | URL | Request, init?: RequestInit): Promise<Response> => {
    this.calls++;
    const method = String(url).slice(String(url).lastIndexOf("/") + 1);
    const payload = JSON.parse(String(init?.body ?? "{}")) as { chat_id?: number; text?: string };
    let result: unknown = true;
    if (method === "sendMessage") {
      const chat = Number(payload.chat_id);
      const message: Message.TextMessage = {
        message_id: ++this.messageId,
        from: BOT,
        chat: { id: chat, type: "private", first_name: "Person" },
        date: DATE,
        text: String(payload.text),
      };
      result = message;
      this.sent?.push({ chat, text: message.text });
    }
    const body = { ok: true, result };
    return { json: async () => body } as unknown as Response;
  }) as typeof fetch;
}

let updateId = 0;
/** A private-chat text message update, as Telegram would deliver it. */
function textUpdate(chat: number, text: string): Update {
  const id = ++updateId;
  const command = text.startsWith("/") ? { entities: [{ type: "bot_command" as const, offset: 0, length: text.length }] } : {};
  return {
    update_id: id,
    message: {
      message_id: id,
      date: DATE,
      chat: { id: chat, type: "private", first_name: "Person" },
      from: { id: chat, is_bot: false, first_name: "Person" },
      text,
      ...command,
    },
  };
}

/** One bot under test: how to drive it, and where it keeps its state. */
interface BotUnderTest {
  label: string;
  bot: Bot<Context> | Bot<ConversationFlavor<Context>>;
  /** Undefined for a bot that keeps no state (the grammY floor). */
  storage?: JsonMapStorage<unknown>;
}

const flow = longSurvey();
const engine = longSurveyContext(flow);
const texts = engine.texts;

/**
 * The conversations-plugin version: one async function, replayed up to its current wait on every
 * update. `render` turns question n into its text; the natural way renders where it asks.
 */
function conversationsBot(telegram: FakeTelegram, label: string, render: (n: number) => string): BotUnderTest {
  type Outer = ConversationFlavor<Context>;
  const storage = new JsonMapStorage<VersionedState<ConversationData>>();
  const bot = new Bot<Outer>(TOKEN, { botInfo: BOT, client: { fetch: telegram.fetch } });

  async function survey(conversation: Conversation<Outer, Context>, ctx: Context): Promise<void> {
    let current = ctx;
    for (let n = 1; n <= LONG_SURVEY_QUESTIONS; n++) {
      const question = render(n);
      await current.reply(question);
      for (;;) {
        const answer = await conversation.waitFor("message:text");
        current = answer;
        const choice = Number(answer.message.text.trim());
        if (Number.isInteger(choice) && choice >= 1 && choice <= 4) break;
        // Like the engine: the hint, then the question again.
        await current.reply(texts.t("en", "hints:choice", { max: 4 }));
        await current.reply(question);
      }
    }
    await current.reply(texts.t("en", "needs:thanks"));
  }

  bot.use(conversations({ storage: { type: "key", adapter: storage } }));
  bot.use(createConversation(survey, "survey"));
  bot.command("start", (ctx) => ctx.conversation.enter("survey"));
  return { label, bot, storage: storage as JsonMapStorage<unknown> };
}

/** The engine version: load the chat's session, resume() with the text, reply what it says, save. */
function engineBot(telegram: FakeTelegram): BotUnderTest {
  const storage = new JsonMapStorage<Session>();
  const bot = new Bot(TOKEN, { botInfo: BOT, client: { fetch: telegram.fetch } });
  bot.on("message:text", async (ctx) => {
    const key = String(ctx.chat.id);
    const session = (await storage.read(key)) ?? null;
    const turn = resume(session, { type: "text", text: ctx.message.text }, engine);
    for (const message of turn.messages) await ctx.reply(plainText(message, texts));
    // An input that changed nothing hands the same session back: nothing to write.
    if (turn.session !== session) await storage.write(key, turn.session);
  });
  return { label: "engine", bot, storage: storage as JsonMapStorage<unknown> };
}

/** What any bot pays per update here: grammY's handleUpdate and one ctx.reply, no state, no rendering. */
function floorBot(telegram: FakeTelegram): BotUnderTest {
  const bot = new Bot(TOKEN, { botInfo: BOT, client: { fetch: telegram.fetch } });
  bot.on("message:text", (ctx) => ctx.reply("ok"));
  return { label: "grammY alone (reply, no state)", bot };
}

/** Send /start and the answers to questions 1..k−1 in one chat, so it waits at question k; returns the stored state. */
async function prepare(b: BotUnderTest, chat: number, k: number): Promise<string | undefined> {
  if (!b.storage) return undefined;
  await b.bot.handleUpdate(textUpdate(chat, "/start"));
  for (let n = 1; n < k; n++) await b.bot.handleUpdate(textUpdate(chat, answerTo(n)));
  const snapshot = b.storage.raw.get(String(chat));
  if (snapshot === undefined) throw new Error(`${b.label}: nothing stored for chat ${chat}`);
  return snapshot;
}

/** The survey bots must send the very same texts for the same conversation, or the comparison is off. */
async function checkSameReplies(telegram: FakeTelegram, bots: BotUnderTest[]): Promise<void> {
  telegram.sent = [];
  const transcripts: string[][] = [];
  for (const [i, b] of bots.entries()) {
    const chat = 900 + i;
    const inputs = ["/start", "7", ...Array.from({ length: LONG_SURVEY_QUESTIONS }, (_, n) => answerTo(n + 1))];
    const before = telegram.sent.length;
    for (const text of inputs) await b.bot.handleUpdate(textUpdate(chat, text));
    transcripts.push(telegram.sent.slice(before).map((s) => s.text));
  }
  telegram.sent = undefined;
  // The first question, a hint and the question again after "7", one message per answer.
  const expected = LONG_SURVEY_QUESTIONS + 3;
  const first = transcripts[0] as string[];
  for (const [i, other] of transcripts.entries()) {
    if (first.length === expected && JSON.stringify(other) === JSON.stringify(first)) continue;
    const diff = first.findIndex((t, j) => t !== other[j]);
    throw new Error(`${bots[i]?.label} doesn't send what ${bots[0]?.label} sends (${other.length} vs ${first.length} messages, first difference at ${diff}):\n${other[diff]}\n---\n${first[diff]}`);
  }
}

// Each bot is measured in a process of its own, with the same harness: in one shared process the
// conversations bots' garbage (tens of kB of replay log per update) is collected while the other
// bots run, on V8's background threads too, which process.cpuUsage bills to whoever is timed, and
// the shared grammY code turns polymorphic; the lightest bot then pays most of the heaviest one's
// cost (it shows as a doubled floor). The same-process figures are printed too, for reference.
//
// Processes take turns, one bot after the other, set after set, so a change of load on the machine
// hits every bot alike. Each times its bot for the same MEASURE_MS, with no pause: the VM this was
// written on has slow spells, everything 1.5–2× slower, from a quarter of a second to several
// seconds (a tight loop timed every 250 ms shows them), and a process that pauses between short
// timed slices comes back slower for a while. Counted in answers instead, a light bot was timed for
// a few milliseconds (80 answers of 40 µs), inside or outside a spell by luck, while a heavy one
// averaged them out. A bot's figure in a process is the median of its blocks; in the end, the
// median of its SETS processes' figures, so one process caught in a spell moves nothing. The
// pooled median of all samples is printed too.
const SETS = 5;
const MEASURE_MS = 3000;
const BLOCK = 10;
const BLOCK_WARMUP = 3;
// Untimed updates before any timing: a bot in service handles millions, so we measure code the JIT
// has optimized. Counted in time, not calls, because a light bot needs many more calls than a heavy
// one to get there: the engine bot still cost twice its settled cost after 2,000 updates and settled
// after about 5,000; conversations' replay runs its loop many times per update and warms up within
// a few hundred. The optimizing compiler's threads are billed to the process's CPU time meanwhile.
const WARMUP_MS = 3000;
const WARMUP_UPDATES = 500; // per chat, at least

type Name = "conversations" | "prerendered" | "engine" | "floor";
const NAMES: readonly Name[] = ["conversations", "prerendered", "engine", "floor"];
/** Wall-clock and CPU µs of each timed update at each question of AT_QUESTIONS, and the stored state's size. */
type Samples = Array<{ wall: number[]; cpu: number[]; bytes: number }>;

/** One of the four bots, on the given fake Telegram. */
function makeBot(name: Name, telegram: FakeTelegram): BotUnderTest {
  switch (name) {
    case "conversations":
      return conversationsBot(telegram, "conversations", (n) => plainText(questionMessage(flow, n), texts));
    case "prerendered": {
      const rendered = Array.from({ length: LONG_SURVEY_QUESTIONS + 1 }, (_, n) => (n === 0 ? "" : plainText(questionMessage(flow, n), texts)));
      return conversationsBot(telegram, "conversations, texts rendered once at startup", (n) => rendered[n] as string);
    }
    case "engine":
      return engineBot(telegram);
    case "floor":
      return floorBot(telegram);
  }
}

/** All four bots, on one fake Telegram. */
function makeBots(telegram: FakeTelegram): Record<Name, BotUnderTest> {
  return Object.fromEntries(NAMES.map((name) => [name, makeBot(name, telegram)])) as Record<Name, BotUnderTest>;
}

/**
 * The given bots, each with a chat waiting at every question of AT_QUESTIONS, warmed up; `measure`
 * then times answers for a while and hands back the samples taken.
 */
class Timing {
  private readonly chats: Array<{ k: number; q: number; name: Name; b: BotUnderTest; id: number; snapshot: string | undefined }> = [];
  private seed = 1;

  private constructor(
    private readonly telegram: FakeTelegram,
    private readonly names: readonly Name[],
  ) {}

  /** Prepare a chat per bot and question (untimed), then warm up for WARMUP_MS. */
  static async start(telegram: FakeTelegram, bots: Partial<Record<Name, BotUnderTest>>): Promise<Timing> {
    const timing = new Timing(telegram, Object.keys(bots) as Name[]);
    let chat = 1000;
    for (const [q, k] of AT_QUESTIONS.entries()) {
      for (const name of timing.names) {
        const b = bots[name] as BotUnderTest;
        const id = ++chat;
        timing.chats.push({ k, q, name, b, id, snapshot: await prepare(b, id, k) });
      }
    }
    const warmUntil = performance.now() + WARMUP_MS;
    for (let n = 0; n < WARMUP_UPDATES || performance.now() < warmUntil; n++) {
      for (const c of timing.chats) await timing.answer(c);
    }
    // One untimed round more, block by block as when timing.
    await timing.measure(0);
    return timing;
  }

  /** One answer at the chat's question, the chat first set back to waiting there (a Map.set, alike for every bot). */
  private answer(c: Timing["chats"][number]): Promise<void> {
    if (c.snapshot !== undefined) c.b.storage?.raw.set(String(c.id), c.snapshot);
    return c.b.bot.handleUpdate(textUpdate(c.id, answerTo(c.k)));
  }

  /**
   * Rounds of one block per chat, for at least `ms` (one round at least). Each block opens with a
   * few untimed answers, then BLOCK answers are timed together: a sample is their CPU time over
   * BLOCK. Timing each answer alone would bill the timer's own system calls to it (about 1 µs here,
   * much of a light bot's cost) and leave out the garbage collections its garbage makes due, which
   * land in one answer in tens and would be dropped by a median: a bot in service pays both.
   */
  async measure(ms: number): Promise<Partial<Record<Name, Samples>>> {
    const out: Partial<Record<Name, Samples>> = {};
    for (const name of this.names) out[name] = AT_QUESTIONS.map(() => ({ wall: [], cpu: [], bytes: 0 }));
    const until = performance.now() + ms;
    do {
      // A new order every round: in a fixed order, a bot that allocates the same every round has its
      // garbage collected at the same point of each round, and one question's blocks would pay all of it.
      for (let i = this.chats.length - 1; i > 0; i--) {
        this.seed = (this.seed * 1103515245 + 12345) % 2147483648;
        const j = this.seed % (i + 1);
        [this.chats[i], this.chats[j]] = [this.chats[j] as Timing["chats"][number], this.chats[i] as Timing["chats"][number]];
      }
      for (const c of this.chats) {
        for (let i = 0; i < BLOCK_WARMUP; i++) await this.answer(c);
        const calls = this.telegram.calls;
        const t = await timeOnce(async () => {
          for (let i = 0; i < BLOCK; i++) await this.answer(c);
        });
        if (this.telegram.calls !== calls + BLOCK) throw new Error(`${c.b.label}: expected 1 API call per answer at question ${c.k}, got ${(this.telegram.calls - calls) / BLOCK}`);
        const r = (out[c.name] as Samples)[c.q] as Samples[number];
        r.wall.push(t.wall / BLOCK);
        r.cpu.push(t.cpu / BLOCK);
        r.bytes = c.snapshot?.length ?? 0;
      }
    } while (performance.now() < until);
    return out;
  }
}

/** In a child process: build one bot alone, warm it up, then time it when the parent asks. */
async function serveAlone(name: Name): Promise<void> {
  const telegram = new FakeTelegram();
  // Only this bot is built: building the others too (the conversations plugin's middleware in the
  // same grammY code) made the same bot cost 14 µs in one process and 25–30 µs in the next.
  const timing = await Timing.start(telegram, { [name]: makeBot(name, telegram) });
  process.on("message", (m: { measureMs?: number }) => {
    if (m.measureMs === undefined) process.exit(0);
    void timing.measure(m.measureMs).then((r) => process.send?.(r[name]));
  });
  process.send?.("ready");
}

/** A bot alone in a child process, warmed up and waiting for the parent to ask for timing. */
class ChildBot {
  private waiting: { resolve: (m: unknown) => void; reject: (e: Error) => void } | undefined;
  private constructor(private readonly child: ChildProcess) {
    child.on("message", (m) => this.waiting?.resolve(m));
    child.on("exit", (code) => this.waiting?.reject(new Error(`benchmark child exited with ${code}`)));
  }

  /** Start the child and wait until its bot is warm. */
  static async start(name: Name): Promise<ChildBot> {
    const child = fork(fileURLToPath(import.meta.url), [], {
      execArgv: ["--import", "tsx"],
      env: { ...process.env, BENCH_GRAMMY_BOT: name },
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const bot = new ChildBot(child);
    await bot.next();
    return bot;
  }

  private next(): Promise<unknown> {
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** Time answers for `ms` in the child. */
  async measure(ms: number): Promise<Samples> {
    const reply = this.next();
    this.child.send({ measureMs: ms });
    return (await reply) as Samples;
  }

  stop(): void {
    this.waiting = undefined;
    this.child.send({});
  }
}

/** grammY benchmark: per-update cost of @grammyjs/conversations vs the engine, at question 1, 10, 20, 50. */
export async function grammyBench(): Promise<void> {
  heading("grammy");
  const telegram = new FakeTelegram();
  const bots = makeBots(telegram);
  await checkSameReplies(telegram, [bots.conversations, bots.prerendered, bots.engine]);

  // Each bot alone in its own process, the processes taking turns.
  const runs = Object.fromEntries(NAMES.map((n) => [n, [] as Samples[]])) as Record<Name, Samples[]>;
  for (let set = 0; set < SETS; set++) {
    for (const name of NAMES) {
      const child = await ChildBot.start(name);
      runs[name].push(await child.measure(MEASURE_MS));
      child.stop();
    }
  }
  // The same, all four in this one process, for reference.
  const shared = (await (await Timing.start(telegram, bots)).measure(MEASURE_MS)) as Record<Name, Samples>;

  // Per bot and question: the median of the processes' medians, and the median of all samples pooled.
  const typical = (name: Name, what: "wall" | "cpu") => AT_QUESTIONS.map((_, q) => median(runs[name].map((r) => median((r[q] as Samples[number])[what]))));
  const pooled = (name: Name, what: "wall" | "cpu") => AT_QUESTIONS.map((_, q) => median(runs[name].flatMap((r) => (r[q] as Samples[number])[what])));
  const cpu = Object.fromEntries(NAMES.map((n) => [n, typical(n, "cpu")])) as Record<Name, number[]>;
  const wall = Object.fromEntries(NAMES.map((n) => [n, typical(n, "wall")])) as Record<Name, number[]>;
  const pooledCpu = Object.fromEntries(NAMES.map((n) => [n, pooled(n, "cpu")])) as Record<Name, number[]>;
  const sharedCpu = Object.fromEntries(NAMES.map((n) => [n, shared[n].map((x) => median(x.cpu))])) as Record<Name, number[]>;
  const ratio = (a: number[], b: number[]) => a.map((x, q) => x / (b[q] as number));
  const cells = (xs: number[]) => xs.map((x) => fmt(x));
  const bytes = (name: Name) => (runs[name][0] as Samples).map((r) => String(r.bytes));
  console.log(
    `The same ${LONG_SURVEY_QUESTIONS}-question survey in grammY ${packageVersion("grammy")} with @grammyjs/conversations ${packageVersion("@grammyjs/conversations")}, driven by\n` +
      `bot.handleUpdate with fake updates; Bot API calls answered by a fake fetch, no network; state as JSON in a Map.\n` +
      `One answer at question k (the chat restored to waiting at k before each), timed in blocks of ${BLOCK} answers. Each bot\n` +
      `alone in its own process, warmed up for ${WARMUP_MS / 1000} s, then timed for ${MEASURE_MS / 1000} s; ${SETS} processes per bot, taking turns with the\n` +
      `other bots'. Per bot and k: the median over its processes of the median block (see the pooled median below):\n`,
  );
  const label = (name: Name) => bots[name].label;
  console.log(
    table(
      ["per update, at question k =", ...AT_QUESTIONS.map(String)],
      [
        ...NAMES.map((n) => [`CPU µs   ${label(n)}`, ...cells(cpu[n])]),
        ...NAMES.map((n) => [`wall µs  ${label(n)}`, ...cells(wall[n])]),
        ["CPU   conversations / engine", ...cells(ratio(cpu.conversations, cpu.engine))],
        ["wall  conversations / engine", ...cells(ratio(wall.conversations, wall.engine))],
        ["CPU   conversations (texts rendered once) / engine", ...cells(ratio(cpu.prerendered, cpu.engine))],
        ["CPU µs, all processes' samples pooled: engine", ...cells(pooledCpu.engine)],
        ["                                       conversations", ...cells(pooledCpu.conversations)],
        ["CPU   pooled conversations / engine", ...cells(ratio(pooledCpu.conversations, pooledCpu.engine))],
        ["stored bytes  conversations", ...bytes("conversations")],
        ["stored bytes  engine", ...bytes("engine")],
      ],
    ),
  );
  console.log(`\nAll four bots in one process instead, taking turns block by block (median of blocks over ${MEASURE_MS / 1000} s; see above why this is not the measure):\n`);
  console.log(
    table(
      ["per update, at question k =", ...AT_QUESTIONS.map(String)],
      [
        ...NAMES.map((n) => [`CPU µs   ${label(n)}`, ...cells(sharedCpu[n])]),
        ["CPU   conversations / engine", ...cells(ratio(sharedCpu.conversations, sharedCpu.engine))],
      ],
    ),
  );
  const at = AT_QUESTIONS.indexOf(GOAL_AT as (typeof AT_QUESTIONS)[number]);
  const processMedians = (name: Name) => runs[name].map((r) => median((r[at] as Samples[number]).cpu));
  console.log(`\nEach process's median CPU µs at question ${GOAL_AT}, in the order they ran:`);
  for (const n of NAMES) console.log(`  ${label(n).padEnd(48)} ${processMedians(n).map((x) => fmt(x)).join(", ")}`);
  // Conversations' replay log outlives the young generation (an 18 kB state at question 20): its
  // processes settle into cheaper or dearer garbage-collection regimes, 0.9 to 2.5 ms an answer. The
  // cheapest of them against the engine's figure is the least favourable comparison for the engine.
  const cheapest = Math.min(...processMedians("conversations")) / (cpu.engine[at] as number);
  const cpuRatio = ratio(cpu.conversations, cpu.engine)[at] as number;
  const wallRatio = ratio(wall.conversations, wall.engine)[at] as number;
  const pooledRatio = ratio(pooledCpu.conversations, pooledCpu.engine)[at] as number;
  const question = questionMessage(flow, GOAL_AT);
  const { render } = microsPerCall({ render: () => void plainText(question, texts) });
  console.log(`\nRendering one question with plainText (9 text lookups): ${fmt(render)} µs, paid once per update by the engine bot`);
  console.log(`and by conversations once per question asked so far, since every replay runs the function again from the top.`);
  console.log(`Bot API calls go to a fake fetch given to both bots as client option: a transformer on bot.api would not see`);
  console.log(`the conversation's calls (the plugin builds its own Api from token + client options; they'd reach the network).`);
  console.log(`\nGoal: the engine at least ${GOAL_RATIO}× cheaper per update at question ${GOAL_AT} (CPU time): ${fmt(cpuRatio)}×  ${verdict(cpuRatio >= GOAL_RATIO, "grammy: engine vs conversations")}`);
  console.log(`      all samples pooled instead: ${fmt(pooledRatio)}×; wall clock: ${fmt(wallRatio)}× (conversations also waits`);
  console.log(`      one setTimeout(0), about 1 ms, per update); conversations' cheapest process against the engine: ${fmt(cheapest)}×`);
}

const childBot = process.env.BENCH_GRAMMY_BOT as Name | undefined;
if (childBot && process.send) await serveAlone(childBot);
