// A coordinator works while the bot runs: `inloco start` on the embedded database in a real child
// process (Telegram by long polling against a local fake Bot API), and `inloco db seed`, `contact
// erase`, `db prune` and `db migrate` run as other processes on the same data folder, through the
// app's database socket. The app sees the erasure; it listens on nothing but its HTTP port.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import { openDatabase, type Database } from "../../src/db/index.ts";
import { BOT_TOKEN, FakeBotApi } from "../bots/fake-bot-api.ts";
import { freePort } from "../support/free-port.ts";
import { tcpListenersOf } from "../support/processes.ts";

const CLI = join(PROJECT_ROOT, "src", "cli", "inloco.js");
const dataDir = mkdtempSync(join(tmpdir(), "inloco-coordinator-"));
let api: FakeBotApi;
let port: number;
let env: NodeJS.ProcessEnv;
let app: ChildProcess | undefined;
let appLog = "";

/** Run a Node script as its own process; resolves with stdout, stderr and the exit code. */
function run(script: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [script, ...args], { env, cwd, timeout: 120_000 }, (error, stdout, stderr) =>
      resolve({ stdout, stderr, code: error ? Number(error.code ?? 1) : 0 }),
    );
  });
}

/** The CLI, in the data folder's parent's stead: cwd is the data folder (INLOCO_DATA_DIR is absolute). */
const inloco = (args: string[]) => run(CLI, args, dataDir);

async function until<T>(read: () => T | Promise<T>, ok: (v: T) => boolean, what: string, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}\napp log:\n${appLog}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  api = await FakeBotApi.start();
  port = await freePort();
  env = { ...process.env, INLOCO_DATA_DIR: dataDir, TELEGRAM_BOT_TOKEN: BOT_TOKEN, TELEGRAM_API_ROOT: api.url, PORT: String(port), HOST: "127.0.0.1" };
  for (const name of ["DATABASE_URL", "REDIS_URL", "INLOCO_HASH_KEY", "INLOCO_ENCRYPTION_KEY", "TELEGRAM_WEBHOOK_URL"]) delete env[name];
  app = spawn(process.execPath, [CLI, "start"], { env, cwd: dataDir, stdio: ["ignore", "pipe", "pipe"] });
  app.stdout?.on("data", (chunk: Buffer) => (appLog += chunk.toString()));
  app.stderr?.on("data", (chunk: Buffer) => (appLog += chunk.toString()));
  // PGlite's first start (initdb) takes 5 to 30 s on a busy machine.
  await until(() => appLog, (log) => /channels started/.test(log) || app?.exitCode !== null, "inloco start", 150_000);
  if (app.exitCode !== null) throw new Error(`inloco start exited (${app.exitCode}):\n${appLog}`);
}, 180_000);

afterAll(async () => {
  if (app && app.exitCode === null) {
    app.kill("SIGKILL");
    await once(app, "exit");
  }
  await api?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("coordinator commands while `inloco start` runs on the embedded database", () => {
  it("listens on HOST:PORT only, says so, and keeps the database on a socket", () => {
    expect(appLog).toContain(`inloco: HTTP server on 127.0.0.1:${port} (/healthz)`);
    expect(appLog).not.toMatch(/port undefined/);
    // /proc/net/tcp shows 127.0.0.1:PORT as 0100007F:<port in hex>.
    expect(tcpListenersOf(app?.pid as number)).toEqual([`0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`]);
    expect(readdirSync(dataDir)).toEqual(expect.arrayContaining([".s.PGSQL.5432", "inloco.lock", "inloco.socket"]));
  });

  it("seeds, erases a person the app knows, prunes and checks migrations through the app's database", async () => {
    const seeded = await inloco(["db", "seed"]);
    expect(seeded).toMatchObject({ code: 0, stdout: expect.stringMatching(/^seeded \d+ territories/) });

    // A person starts talking to the bot: the app creates the contact.
    const chat = 5151;
    api.push(api.textUpdate(chat, "/start", { language_code: "it" }));
    await until(() => api.messages(chat).length, (n) => n >= 1, "the language menu");
    const languageMenu = api.messages(chat)[0]?.text;
    expect(languageMenu).toMatch(/lingua/i);
    api.push(api.tapUpdate(chat, "Italiano"));
    await until(() => api.messages(chat).length, (n) => n >= 3, "welcome and consent");

    const db: Database = await openDatabase({ dataDir, attach: true, migrate: false });
    let contactId: string;
    try {
      expect(db.attachedTo).toBe(app?.pid);
      const contact = await until(() => db.prisma.contact.findFirst({ include: { identities: true } }), (c) => c !== null, "the contact");
      contactId = contact?.id as string;
      expect(contact?.identities).toHaveLength(1);
    } finally {
      await db.close();
    }

    const erased = await inloco(["contact", "erase", contactId]);
    expect(erased).toMatchObject({ code: 0, stdout: expect.stringMatching(/erased contact .*1 channel identities/) });

    // The app sees the erasure: the person writing again is a stranger, asked for a language again.
    const before = api.messages(chat).length;
    api.push(api.textUpdate(chat, "ciao", { language_code: "it" }));
    await until(() => api.messages(chat).length, (n) => n > before, "the app's answer after the erasure");
    expect(api.messages(chat).at(-1)?.text).toBe(languageMenu);

    const pruned = await inloco(["db", "prune"]);
    expect(pruned).toMatchObject({ code: 0, stdout: expect.stringMatching(/^pruned \d+ receipts/) });
    const migrated = await inloco(["db", "migrate"]);
    expect(migrated).toMatchObject({ code: 0 });
    expect(migrated.stdout).toContain("database is up to date");
    expect(migrated.stdout).toContain(`through the app running as process ${app?.pid}`);

    // What needs the folder alone refuses, saying why: Prisma's CLI, and a second app.
    const prisma = await run(join(PROJECT_ROOT, "node_modules/prisma/build/index.js"), ["migrate", "status"], PROJECT_ROOT);
    expect(prisma.code).not.toBe(0);
    expect(prisma.stdout + prisma.stderr).toContain(`in use by process ${app?.pid}: Prisma's CLI changes the schema the running app works on`);
    const second = await inloco(["chat", "--user", "someone"]);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toContain(`DataFolderLockedError: The data folder ${dataDir} is in use by process ${app?.pid}`);

    const after = await openDatabase({ dataDir, attach: true, migrate: false });
    try {
      expect(await after.prisma.contact.count({ where: { id: contactId } })).toBe(0);
      expect(await after.prisma.auditLog.count({ where: { action: "erase", subject: contactId } })).toBe(1);
    } finally {
      await after.close();
    }

    const health = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(health.status).toBe(200);
  }, 400_000);

  it("stops cleanly, leaving neither lock nor socket behind", async () => {
    app?.kill("SIGTERM");
    const [code] = (await once(app as ChildProcess, "exit")) as [number | null];
    expect(code).toBe(0);
    expect(existsSync(join(dataDir, "inloco.lock"))).toBe(false);
    expect(existsSync(join(dataDir, ".s.PGSQL.5432"))).toBe(false);
    expect(existsSync(join(dataDir, "inloco.socket"))).toBe(false);
  }, 60_000);
});
