// The zero-setup embedded database end to end: a real data folder, real processes.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { IdentityVault } from "../../src/db/crypto.ts";
import { openDatabase as openDatabaseUntracked, type Database, type OpenDatabaseOptions } from "../../src/db/database.ts";
import { SOCKET_RECORD_NAME } from "../../src/db/embedded.ts";
import { DataFolderLockedError } from "../../src/db/errors.ts";
import { loadIdentityKeys } from "../../src/db/keys.ts";
import { LOCK_FILE_NAME } from "../../src/db/lock.ts";
import { pendingMigrations, readMigrations } from "../../src/db/migrate.ts";
import { tcpListenersOf } from "../support/processes.ts";

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
    // A Unix socket in the data folder, not a TCP port.
    expect(new URL(first.url).searchParams.get("host")).toBe(dataDir);
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

describe("embedded database socket", () => {
  it("is a Unix socket for the folder's owner only, and no TCP port is opened", async () => {
    const folder = mkdtempSync(join(tmpdir(), "inloco-embedded-socket-"));
    const listeningBefore = tcpListenersOf(process.pid);
    const db = await openDatabase({ dataDir: folder, migrate: false });
    try {
      const socket = join(folder, ".s.PGSQL.5432");
      expect(new URL(db.url).searchParams.get("host")).toBe(folder);
      expect(statSync(socket).isSocket()).toBe(true);
      expect(statSync(socket).mode & 0o777).toBe(0o600);
      expect(statSync(folder).mode & 0o777).toBe(0o700);
      expect(JSON.parse(readFileSync(join(folder, SOCKET_RECORD_NAME), "utf8"))).toEqual({ pid: process.pid, socket });
      expect(await db.prisma.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);
      expect(tcpListenersOf(process.pid)).toEqual(listeningBefore);
    } finally {
      await db.close();
    }
    expect(readdirSync(folder).sort()).toEqual(["pglite"]); // socket and its record gone with the lock
    rmSync(folder, { recursive: true, force: true });
  }, 120_000);

  it("falls back to a short 0700 folder in the temporary folder when the data folder's path is too long for a socket", async () => {
    const base = mkdtempSync(join(tmpdir(), "inloco-embedded-deep-"));
    const folder = join(base, "a-data-folder-nested-rather-deep".repeat(3), "and-deeper-still");
    expect(Buffer.byteLength(join(folder, ".s.PGSQL.5432"))).toBeGreaterThan(107);
    const db = await openDatabase({ dataDir: folder, migrate: false });
    let socketDir: string;
    try {
      socketDir = new URL(db.url).searchParams.get("host") as string;
      expect(socketDir.startsWith(join(tmpdir(), "inloco-"))).toBe(true);
      expect(statSync(socketDir).mode & 0o777).toBe(0o700);
      expect(JSON.parse(readFileSync(join(folder, SOCKET_RECORD_NAME), "utf8"))).toEqual({ pid: process.pid, socket: join(socketDir, ".s.PGSQL.5432") });
      expect(await db.prisma.$queryRaw`SELECT 1 AS one`).toEqual([{ one: 1 }]);

      // A command run meanwhile finds the socket through the record.
      const attached = await openDatabase({ dataDir: folder, migrate: false, attach: true });
      try {
        expect(attached.attachedTo).toBe(process.pid);
        expect(await attached.prisma.$queryRaw`SELECT 2 AS two`).toEqual([{ two: 2 }]);
      } finally {
        await attached.close();
      }
    } finally {
      await db.close();
    }
    expect(existsSync(socketDir)).toBe(false);
    rmSync(base, { recursive: true, force: true });
  }, 120_000);

  it("serves a command attached to it without mixing its statements with the app's", async () => {
    const folder = mkdtempSync(join(tmpdir(), "inloco-embedded-attach-"));
    const app = await openDatabase({ dataDir: folder });
    try {
      // The app refuses to share the folder; a coordinator's command (attach: true) goes through its socket.
      await expect(openDatabase({ dataDir: folder })).rejects.toBeInstanceOf(DataFolderLockedError);
      const command = await openDatabase({ dataDir: folder, attach: true });
      try {
        expect(command).toMatchObject({ embedded: true, dataDir: folder, attachedTo: process.pid, migrationsApplied: [] });
        // Unnamed statements from two connections at once: mixed, one's Bind would run the other's Parse.
        const results = await Promise.all(
          Array.from({ length: 60 }, (_, i) =>
            i % 2 === 0
              ? app.prisma.$queryRawUnsafe<Array<{ n: number; who: string }>>("SELECT $1::int AS n, 'app' AS who", i).then((r) => r[0])
              : command.prisma.$queryRawUnsafe<Array<{ n: number; who: string }>>("SELECT $1::int * 1 AS n, 'command' AS who", i).then((r) => r[0]),
          ),
        );
        expect(results).toEqual(Array.from({ length: 60 }, (_, i) => ({ n: i, who: i % 2 === 0 ? "app" : "command" })));
        // A connection whose batch arrives in two parts (Parse, then Bind/Execute/Sync): another
        // connection's query waits for the Sync, rather than replacing the unnamed statement between.
        const split = await rawConnection(app.url);
        split.socket.write(message("P", cstring(""), cstring("SELECT 'first connection' AS who"), int16(0)));
        await new Promise((r) => setTimeout(r, 200));
        const other = command.prisma.$queryRawUnsafe<Array<{ who: string }>>("SELECT 'second connection' AS who");
        await new Promise((r) => setTimeout(r, 200));
        split.socket.write(Buffer.concat([message("B", cstring(""), cstring(""), int16(0), int16(0), int16(0)), message("E", cstring(""), int32(0)), message("S")]));
        const reply = await split.untilReady();
        expect(reply).toContain("first connection");
        expect(reply).not.toContain("second connection");
        expect(await other).toEqual([{ who: "second connection" }]);
        split.socket.destroy();
        // A transaction of the command holds the session; the app's queries wait for it, then see it.
        let appCount: Promise<number> | undefined;
        await command.sql.transaction(async (tx) => {
          await tx.query("SELECT 1");
          appCount = app.prisma.contact.count(); // asked mid-transaction: answered after the commit
          await tx.query("SELECT pg_sleep(0.2)");
          await tx.query("INSERT INTO contacts (id, language) VALUES (gen_random_uuid(), 'fa')");
        });
        expect(await appCount).toBe(1);
      } finally {
        await command.close();
      }
      expect(await app.prisma.contact.count()).toBe(1); // the app's database outlives the command
    } finally {
      await app.close();
      rmSync(folder, { recursive: true, force: true });
    }
  }, 120_000);

  it("gives the session back when a command's connection drops mid-transaction or mid-batch", async () => {
    const folder = mkdtempSync(join(tmpdir(), "inloco-embedded-drop-"));
    const app = await openDatabase({ dataDir: folder });
    try {
      // A command killed inside its transaction: its insert is rolled back, the app goes on.
      const killed = new pg.Client({ connectionString: app.url });
      killed.on("error", () => undefined);
      await killed.connect();
      await killed.query("BEGIN");
      await killed.query("INSERT INTO contacts (id, language) VALUES (gen_random_uuid(), 'uk')");
      const waiting = app.prisma.contact.count(); // waits for that transaction
      (killed as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
      expect(await waiting).toBe(0);

      // One cut between Parse and Sync: the session is not left skipping the app's messages.
      const cut = await rawConnection(app.url);
      cut.socket.write(message("P", cstring(""), cstring("SELECT broken syntax here"), int16(0)));
      await new Promise((r) => setTimeout(r, 200));
      cut.socket.destroy();
      expect(await app.prisma.contact.count()).toBe(0);
      expect((await app.sql.query<{ n: number }>("SELECT 7 AS n")).rows).toEqual([{ n: 7 }]);
    } finally {
      await app.close();
      rmSync(folder, { recursive: true, force: true });
    }
  }, 120_000);

  it("a command waits for an app still starting: says so if it never serves, opens the folder if it stops", async () => {
    const folder = mkdtempSync(join(tmpdir(), "inloco-embedded-starting-"));
    // A live process holding the lock without a socket yet: an app in PGlite's first start.
    const starting = spawn(process.execPath, ["-e", "setTimeout(() => {}, 120000)"], { stdio: "ignore" });
    try {
      writeFileSync(join(folder, LOCK_FILE_NAME), `${starting.pid}\n`);
      const error = await openDatabase({ dataDir: folder, attach: true, attachWaitMs: 500, migrate: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DataFolderLockedError);
      expect(error).toMatchObject({ pid: starting.pid, reason: expect.stringContaining("has not served its database after 1 s") });

      const waiting = openDatabase({ dataDir: folder, attach: true, migrate: false });
      await new Promise((r) => setTimeout(r, 300));
      starting.kill("SIGKILL");
      const db = await waiting;
      try {
        expect(db.attachedTo).toBeUndefined();
        expect(readFileSync(join(folder, LOCK_FILE_NAME), "utf8").trim()).toBe(String(process.pid));
      } finally {
        await db.close();
      }
    } finally {
      starting.kill("SIGKILL");
      rmSync(folder, { recursive: true, force: true });
    }
  }, 120_000);

  it("names the migrations a running app's database lacks", async () => {
    const folder = mkdtempSync(join(tmpdir(), "inloco-embedded-pending-"));
    const app = await openDatabase({ dataDir: folder });
    try {
      const newer = { name: "99991231000000_newer", sql: "SELECT 1", checksum: "0" };
      expect(await pendingMigrations(app.url)).toEqual([]);
      expect(await pendingMigrations(app.url, [...readMigrations(), newer])).toEqual([newer.name]);
    } finally {
      await app.close();
      rmSync(folder, { recursive: true, force: true });
    }
  }, 120_000);
});

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

function int16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}

const cstring = (s: string) => Buffer.from(`${s}\0`);

/** A protocol message: type byte, length, body. */
function message(type: string, ...body: Buffer[]): Buffer {
  const content = Buffer.concat(body);
  return Buffer.concat([Buffer.from(type), int32(4 + content.length), content]);
}

/** A bare protocol connection to the embedded socket, past its startup; `untilReady` reads up to ReadyForQuery. */
async function rawConnection(url: string): Promise<{ socket: Socket; untilReady(): Promise<string> }> {
  const socket = await new Promise<Socket>((resolve, reject) => {
    const s = connect(`${new URL(url).searchParams.get("host")}/.s.PGSQL.5432`);
    s.once("error", reject);
    s.once("connect", () => resolve(s));
  });
  socket.on("error", () => undefined);
  let received = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  const untilReady = async () => {
    const deadline = Date.now() + 30_000;
    // ReadyForQuery: 'Z', length 5, status.
    while (!(received.length >= 6 && received[received.length - 6] === 0x5a && received.readInt32BE(received.length - 5) === 5)) {
      if (Date.now() > deadline) throw new Error(`no ReadyForQuery: ${received.toString("latin1")}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const text = received.toString("utf8");
    received = Buffer.alloc(0);
    return text;
  };
  const startup = Buffer.concat([int32(0), int32(196608), cstring("user"), cstring("postgres"), cstring("database"), cstring("postgres"), Buffer.from([0])]);
  startup.writeInt32BE(startup.length, 0);
  socket.write(startup);
  await untilReady();
  return { socket, untilReady };
}

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
