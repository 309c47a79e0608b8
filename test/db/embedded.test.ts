// The zero-setup embedded database end to end: a real data folder, real processes.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { IdentityVault } from "../../src/db/crypto.ts";
import { openDatabase as openDatabaseUntracked, type Database, type OpenDatabaseOptions } from "../../src/db/database.ts";
import { DataFolderLockedError } from "../../src/db/errors.ts";
import { loadIdentityKeys } from "../../src/db/keys.ts";
import { LOCK_FILE_NAME } from "../../src/db/lock.ts";
import { readMigrations } from "../../src/db/migrate.ts";

const fixture = fileURLToPath(new URL("./fixtures/open-embedded.ts", import.meta.url));
const projectRoot = fileURLToPath(new URL("../..", import.meta.url));

// PGlite's first start (its initdb, then the migrations) takes seconds on an idle machine and far more
// on a busy one: the tests that open a database get a generous bound.
const OPENS = { timeout: 180_000 };

// Every database a test opens is closed after it, even one still opening when the test failed or timed
// out: otherwise it keeps the folder's lock, and the next test fails on that instead of on its own.
const opened: Array<Promise<Database>> = [];
function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const opening = openDatabaseUntracked(options);
  opened.push(opening);
  return opening;
}
afterEach(async () => {
  const all = await Promise.allSettled(opened.splice(0));
  for (const o of all) if (o.status === "fulfilled") await o.value.close(); // idempotent
}, OPENS.timeout);

let dataDir: string;
beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), "inloco-embedded-"));
});
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe("embedded database", () => {
  it("migrates a fresh folder and keeps what was written across close and reopen", OPENS, async () => {
    const first = await openDatabase({ dataDir });
    expect(first).toMatchObject({ embedded: true, dataDir });
    expect(first.url).toMatch(/^postgres:\/\/.*@127\.0\.0\.1:\d+\//);
    expect(first.migrationsApplied).toEqual(readMigrations().map((m) => m.name));
    const vault = new IdentityVault(loadIdentityKeys({ env: {}, dataDir }));
    const contact = await first.prisma.contact.create({
      data: {
        language: "ti",
        identities: {
          create: {
            channel: "telegram",
            addressHash: vault.hashAddress("telegram", "987654321"),
            addressEncrypted: vault.encrypt("987654321"),
          },
        },
      },
    });
    await first.close();
    expect(existsSync(join(dataDir, LOCK_FILE_NAME))).toBe(false);

    const second = await openDatabase({ dataDir });
    try {
      expect(second.migrationsApplied).toEqual([]);
      const reopenedVault = new IdentityVault(loadIdentityKeys({ env: {}, dataDir }));
      const identity = await second.prisma.channelIdentity.findUniqueOrThrow({
        where: {
          channel_addressHash: { channel: "telegram", addressHash: reopenedVault.hashAddress("telegram", "987654321") },
        },
        include: { contact: true },
      });
      expect(identity.contact).toMatchObject({ id: contact.id, language: "ti" });
      expect(reopenedVault.decrypt(identity.addressEncrypted)).toBe("987654321");
    } finally {
      await second.close();
    }
  });

  it("prepares the hot statements once, on a session that outlives its connections", OPENS, async () => {
    const folder = mkdtempSync(join(tmpdir(), "inloco-embedded-prepared-"));
    const db = await openDatabase({ dataDir: folder });
    try {
      // An earlier connection to the one PGlite session left a statement prepared under the name the
      // pool's connection will give the same text (what a dropped and replaced connection leaves).
      const text = "SELECT count(*)::int AS n FROM contacts";
      const name = `inloco_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`;
      const earlier = new pg.Client({ connectionString: db.url });
      await earlier.connect();
      await earlier.query(`PREPARE ${name} AS ${text}`);
      await earlier.end();
      for (let i = 0; i < 3; i++) expect((await db.sql.query<{ n: number }>(text)).rows).toEqual([{ n: 0 }]);
    } finally {
      await db.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("refuses a second process while the folder is open, naming the pid that holds it", OPENS, async () => {
    const db = await openDatabase({ dataDir, migrate: false });
    try {
      const child = await runFixture(dataDir);
      expect(child.exitCode).toBe(3);
      expect(child.result).toMatchObject({ code: "DATA_FOLDER_LOCKED", pid: process.pid, folder: dataDir });
      expect(child.result.message).toContain(String(process.pid));

      // The same process opening it twice is refused too.
      const error = await openDatabase({ dataDir, migrate: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataFolderLockedError);
      expect(error).toMatchObject({ pid: process.pid });
    } finally {
      await db.close();
    }
  });

  it("is opened by another process once closed, and that process exits by itself", OPENS, async () => {
    const child = await runFixture(dataDir);
    expect(child).toMatchObject({ exitCode: 0, result: { ok: true, contacts: 1 } });
  });

  it("takes over a lock left by a process that died", OPENS, async () => {
    const lockFile = join(dataDir, LOCK_FILE_NAME);
    writeFileSync(lockFile, `${await pidOfExitedProcess()}\n`);
    const db = await openDatabase({ dataDir, migrate: false });
    try {
      expect(readFileSync(lockFile, "utf8").trim()).toBe(String(process.pid));
      expect(await db.prisma.contact.count()).toBe(1);
    } finally {
      await db.close();
    }
    expect(existsSync(lockFile)).toBe(false);
  });
});

interface FixtureRun {
  exitCode: number | null;
  result: { ok?: boolean; contacts?: number; code?: string; pid?: number; folder?: string; message: string };
}

/** Runs the fixture in a new Node process through tsx, failing if it does not exit within 150 s. */
async function runFixture(folder: string): Promise<FixtureRun> {
  const child = spawn(process.execPath, ["--import", "tsx", fixture, folder], {
    cwd: projectRoot,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill("SIGKILL"), 150_000);
  const [exitCode] = (await once(child, "exit")) as [number | null];
  clearTimeout(timer);
  const line = stdout.trim().split("\n").at(-1) ?? "";
  if (!line.startsWith("{")) throw new Error(`fixture printed no result (exit ${exitCode}): ${stderr || stdout}`);
  return { exitCode, result: JSON.parse(line) };
}

async function pidOfExitedProcess(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await once(child, "exit");
  if (child.pid === undefined) throw new Error("no pid");
  return child.pid;
}
