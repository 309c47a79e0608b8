// The embedded default (no DATABASE_URL, no REDIS_URL: PGlite and the in-process queues) keeps what
// it acknowledged: `inloco start` in a real process, Telegram faked by a local Bot API server, killed
// (SIGKILL) or stopped (SIGTERM) in the middle of a burst of 300 people's first messages, then
// started again on the same data folder: every person gets their reply, every turn is applied once.
// And a reminder that was due while the process was down, or pending across a restart, still comes.
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Update } from "grammy/types";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import { openDatabase } from "../../src/db/index.ts";
import { BOT_TOKEN, FakeBotApi } from "../bots/fake-bot-api.ts";
import { freePort } from "../support/free-port.ts";
import { waitUntil } from "./faults/support.ts";

const SECRET = "durable-test-secret";
const HOOK_PATH = "/telegram-hook";
const PEOPLE = 300;

let api: FakeBotApi;
beforeAll(async () => {
  api = await FakeBotApi.start();
});
afterAll(async () => api?.close());

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** `inloco start` in its own process, on the embedded database in `dataDir`. */
class AppProcess {
  readonly output: string[] = [];
  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    const keep = (chunk: Buffer) => this.output.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
  }

  static async start(dataDir: string, o: { webhook: boolean; extraEnv?: Record<string, string> }): Promise<AppProcess> {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env };
    for (const name of ["DATABASE_URL", "REDIS_URL", "INLOCO_HASH_KEY", "INLOCO_ENCRYPTION_KEY", "TELEGRAM_WEBHOOK_URL", "TELEGRAM_WEBHOOK_SECRET"]) delete env[name];
    Object.assign(env, {
      INLOCO_DATA_DIR: dataDir,
      TELEGRAM_BOT_TOKEN: BOT_TOKEN,
      TELEGRAM_API_ROOT: api.url,
      PORT: String(port),
      ...(o.webhook ? { TELEGRAM_WEBHOOK_URL: `https://bot.example${HOOK_PATH}`, TELEGRAM_WEBHOOK_SECRET: SECRET } : {}),
      ...o.extraEnv,
    });
    const child = spawn(process.execPath, [join(PROJECT_ROOT, "src/cli/inloco.js"), "start"], { cwd: PROJECT_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    const app = new AppProcess(child, port);
    cleanups.push(() => app.kill("SIGKILL"));
    // Ready: /healthz answers 200 with the Telegram channel ready (the first start runs PGlite's initdb: slow).
    await waitUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`inloco start exited (${child.exitCode}): ${app.output.join("\n")}`);
        const res = await fetch(`http://127.0.0.1:${port}/healthz`);
        return res.status === 200;
      },
      "inloco start to be ready",
      { timeoutMs: 180_000, intervalMs: 100 },
    ).catch((e: Error) => {
      throw new Error(`${e.message}\n${app.output.join("\n")}`);
    });
    return app;
  }

  /** Hand an update in by webhook, as Telegram does; the HTTP status. */
  async post(update: Update): Promise<number> {
    const res = await fetch(`http://127.0.0.1:${this.port}${HOOK_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-telegram-bot-api-secret-token": SECRET },
      body: JSON.stringify(update),
    });
    await res.arrayBuffer();
    return res.status;
  }

  /** Send a signal and wait until the process is gone. */
  async kill(signal: "SIGKILL" | "SIGTERM"): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, "exit");
    this.child.kill(signal);
    await exited;
  }
}

function dataFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), "inloco-durable-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The messages the bot sent to a chat (sendMessage calls), as texts in order. */
function sent(chat: number): string[] {
  return api
    .callsOf("sendMessage")
    .filter((c) => String(c.chat_id) === String(chat))
    .map((c) => String(c.text));
}

let nextUpdate = 500_000;
function textUpdate(chat: number, text: string): Update {
  return { ...api.textUpdate(chat, text, { language_code: "en" }), update_id: nextUpdate++ } as Update;
}

/** What the data folder holds, read after the app stopped. */
async function readFolder(dataDir: string, chats: readonly number[]) {
  const db = await openDatabase({ env: { INLOCO_DATA_DIR: dataDir } });
  try {
    const one = async (text: string, values: unknown[] = []) => Number((await db.sql.query<{ n: string }>(text, values)).rows[0]?.n);
    return {
      contacts: await one("SELECT count(*) AS n FROM contacts"),
      identities: await one("SELECT count(*) AS n FROM channel_identities"),
      sessions: await one("SELECT count(*) AS n FROM sessions"),
      // Each person's one message applied once: their session moved exactly one turn.
      turns: (await db.sql.query<{ turn: number; n: string }>("SELECT turn, count(*) AS n FROM sessions GROUP BY turn ORDER BY turn")).rows.map((r) => [r.turn, Number(r.n)]),
      receipts: await one("SELECT count(*) AS n FROM processed_messages"),
      inbox: await one("SELECT count(*) AS n FROM inbox"),
      undoneReplies: await one("SELECT count(*) AS n FROM outbox WHERE kind = 'outbound' AND done_at IS NULL"),
      chats: chats.length,
    };
  } finally {
    await db.close();
  }
}

/** 300 people's first message, each acknowledged; returns the chats. */
async function burst(app: AppProcess, first: number, via: "webhook" | "polling"): Promise<number[]> {
  const chats = Array.from({ length: PEOPLE }, (_, i) => first + i);
  if (via === "webhook") {
    // Telegram sends webhooks in parallel (up to 40 connections by default); so do we.
    const statuses: number[] = [];
    for (let i = 0; i < chats.length; i += 40) statuses.push(...(await Promise.all(chats.slice(i, i + 40).map((c) => app.post(textUpdate(c, "/start"))))));
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  } else {
    for (const c of chats) api.push(textUpdate(c, "/start"));
    // The bot came back for more: it confirmed every update (its offset moved past them), so each was accepted.
    await api.settled();
  }
  return chats;
}

async function afterRestart(dataDir: string, chats: number[], via: "webhook" | "polling", repliedAtStop: number): Promise<void> {
  // The scenario is real only if the stop cut the burst short.
  expect(repliedAtStop).toBeLessThan(PEOPLE);
  const again = await AppProcess.start(dataDir, { webhook: via === "webhook" });
  await waitUntil(() => chats.every((c) => sent(c).length >= 1), "every person's reply", { timeoutMs: 240_000, intervalMs: 100 }).catch((e: Error) => {
    throw new Error(`${e.message}: ${chats.filter((c) => sent(c).length === 0).length} without; app said:\n${again.output.slice(-20).join("\n")}`);
  });
  expect(again.output.join("\n")).toMatch(/queued again from the database: \d+ accepted messages, \d+ outbox items/);
  await again.kill("SIGTERM");
  expect(again.child.exitCode).toBe(0);
  const folder = await readFolder(dataDir, chats);
  expect(folder).toEqual({
    contacts: PEOPLE,
    identities: PEOPLE,
    sessions: PEOPLE,
    turns: [[1, PEOPLE]],
    receipts: PEOPLE,
    inbox: 0,
    undoneReplies: 0,
    chats: PEOPLE,
  });
  // Everyone got the language menu.
  for (const c of chats) expect(sent(c)[0], `chat ${c}`).toMatch(/language/i);
}

describe("the embedded default keeps what it acknowledged", () => {
  it(
    "SIGKILL in the middle of a burst of 300 first messages (webhook, each answered 200): after a restart every person gets their reply, every turn applied once",
    async () => {
      const dataDir = dataFolder();
      const app = await AppProcess.start(dataDir, { webhook: true });
      const chats = await burst(app, 7_100_000, "webhook");
      await app.kill("SIGKILL");
      const repliedAtKill = chats.filter((c) => sent(c).length > 0).length;
      await afterRestart(dataDir, chats, "webhook", repliedAtKill);
      // A reply sent in the moment before the kill, its job not yet marked done, may go again: at least once.
      const twice = chats.filter((c) => sent(c).length > 1);
      expect(twice.length).toBeLessThanOrEqual(16);
      for (const c of chats) expect(sent(c).length, `chat ${c}`).toBeLessThanOrEqual(2);
    },
    600_000,
  );

  it(
    "SIGTERM in the middle of a burst of 300 first messages (long polling, every update confirmed): after a restart every person gets exactly one reply, every turn applied once",
    async () => {
      const dataDir = dataFolder();
      const app = await AppProcess.start(dataDir, { webhook: false });
      const chats = await burst(app, 7_200_000, "polling");
      await app.kill("SIGTERM");
      expect(app.child.exitCode).toBe(0);
      const repliedAtStop = chats.filter((c) => sent(c).length > 0).length;
      await afterRestart(dataDir, chats, "polling", repliedAtStop);
      for (const c of chats) expect(sent(c), `chat ${c}`).toHaveLength(1);
    },
    600_000,
  );
});

describe("reminders across a restart of the embedded default", () => {
  it(
    "a reminder due while the process was down comes after the restart; one pending across a restart comes though the person answered meanwhile",
    async () => {
      const REMIND_S = 15;
      const env = { INLOCO_REMINDER_AFTER: `${REMIND_S}s` };
      const dataDir = dataFolder();
      let app = await AppProcess.start(dataDir, { webhook: true, extraEnv: env });
      const reminder = /Hello again! You can go on with the questions/;
      // Onboarding (language, consent, territory, contact preference), then the first survey of the menu.
      const reachSurvey = async (chat: number) => {
        let count = 0;
        for (const text of ["/start", "1", "1", "2", "1", "1"]) {
          const before = sent(chat).length;
          expect(await app.post(textUpdate(chat, text))).toBe(200);
          await waitUntil(() => sent(chat).length > before, `a reply to "${text}"`, { timeoutMs: 60_000 });
          count++;
        }
        return count;
      };

      // Amira reaches the survey's first question and goes quiet; the process is killed; her reminder
      // falls due while it is down.
      const amira = 7_300_001;
      await reachSurvey(amira);
      const amiraQuietAt = Date.now();
      await app.kill("SIGKILL");
      await waitUntil(() => Date.now() > amiraQuietAt + REMIND_S * 1000 + 1000, "Amira's reminder to fall due while the app is down", { timeoutMs: 120_000, intervalMs: 200 });
      app = await AppProcess.start(dataDir, { webhook: true, extraEnv: env });
      await waitUntil(() => sent(amira).some((t) => reminder.test(t)), "Amira's reminder after the restart", { timeoutMs: 120_000, intervalMs: 100 });

      // Bilal reaches the question (his timer is armed), the process is killed and started again at
      // once; he answers one more question while his timer is still pending (so his turn arms none),
      // then goes quiet: the timer from before the restart still reminds him.
      const bilal = 7_300_002;
      await reachSurvey(bilal);
      await app.kill("SIGKILL");
      app = await AppProcess.start(dataDir, { webhook: true, extraEnv: env });
      const before = sent(bilal).length;
      expect(await app.post(textUpdate(bilal, "1"))).toBe(200);
      await waitUntil(() => sent(bilal).length > before, "a reply to Bilal's answer", { timeoutMs: 60_000 });
      await waitUntil(() => sent(bilal).some((t) => reminder.test(t)), "Bilal's reminder", { timeoutMs: 180_000, intervalMs: 100 });
      await app.kill("SIGTERM");
      expect(sent(amira).filter((t) => reminder.test(t))).toHaveLength(1);
      expect(sent(bilal).filter((t) => reminder.test(t))).toHaveLength(1);
    },
    600_000,
  );
});
