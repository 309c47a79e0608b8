// The embedded folder created and migrated in a child process (src/db/migrate-apart.ts), so the app
// never keeps the memory PGlite grows to while doing it; and the embedded PostgreSQL's page cache setting.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openDatabase as openDatabaseUntracked, type Database, type OpenDatabaseOptions } from "../../src/db/database.ts";
import { embeddedStartParams, openEmbeddedPostgres } from "../../src/db/embedded.ts";
import { DataFolderLockedError, FailedMigrationPendingError, InvalidEnvironmentError } from "../../src/db/errors.ts";
import { isFreshFolder, migrateApart } from "../../src/db/migrate-apart.ts";
import { readMigrations } from "../../src/db/migrate.ts";
import { databaseCacheMb, databaseSettings } from "../../src/db/settings.ts";

const OPENS = { timeout: 180_000 };
const ALL = readMigrations().map((m) => m.name);

const opened: Array<Promise<Database>> = [];
function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const opening = openDatabaseUntracked(options);
  opened.push(opening);
  return opening;
}
afterEach(async () => {
  const all = await Promise.allSettled(opened.splice(0));
  for (const o of all) if (o.status === "fulfilled") await o.value.close();
}, OPENS.timeout);

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "inloco-apart-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
const folder = (name: string) => join(root, name);

describe("migrating the embedded database in a child process", () => {
  it("creates and migrates a fresh folder in a child, then has nothing to do", OPENS, async () => {
    const dir = folder("fresh");
    expect(isFreshFolder(dir)).toBe(true);
    expect(await migrateApart(dir, 16)).toEqual(ALL);
    expect(isFreshFolder(dir)).toBe(false);
    expect(await migrateApart(dir, 16)).toEqual([]);
    // The lock went with the child: this process opens the folder, migrated.
    const db = await openDatabase({ dataDir: dir });
    expect(db.migrationsApplied).toEqual([]);
    expect(await db.prisma.contact.count()).toBe(0);
  });

  it("closes an existing folder with migrations pending, migrates it apart and reopens it", OPENS, async () => {
    const dir = folder("pending");
    const bare = await openDatabase({ dataDir: dir, migrate: false });
    await bare.close();
    expect(isFreshFolder(dir)).toBe(false);
    const db = await openDatabase({ dataDir: dir });
    expect(db.migrationsApplied).toEqual(ALL);
    expect(await db.prisma.contact.count()).toBe(0);
  });

  it("still migrates in this process when asked to", OPENS, async () => {
    const db = await openDatabase({ dataDir: folder("in-process"), migrateInChild: false });
    expect(db.migrationsApplied).toEqual(ALL);
  });

  it("brings the child's errors back as the same classes", OPENS, async () => {
    const dir = folder("errors");
    // A folder this process holds: the child is refused, and says by whom.
    const held = await openEmbeddedPostgres(dir);
    try {
      const refused = await migrateApart(dir, 16).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(DataFolderLockedError);
      expect(refused).toMatchObject({ pid: process.pid });
      // A migration Prisma's CLI left failed stops the child, and the open.
      await held.pglite?.exec(`CREATE TABLE "_prisma_migrations" (id VARCHAR(36) PRIMARY KEY, checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ,
        migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at TIMESTAMPTZ, started_at TIMESTAMPTZ NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0);
        INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ('x', 'y', '${ALL[0]}');`);
    } finally {
      await held.close();
    }
    const failed = await openDatabase({ dataDir: dir }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(FailedMigrationPendingError);
    expect(failed).toMatchObject({ migration: ALL[0] });
  });
});

describe("the embedded database's page cache (INLOCO_DB_CACHE_MB)", () => {
  it("is 16 MB unless set, and refuses what is not a whole number of megabytes", () => {
    expect(databaseSettings({}).cacheMb).toBe(16);
    expect(databaseSettings({ INLOCO_DB_CACHE_MB: "64" }).cacheMb).toBe(64);
    expect(databaseCacheMb({ INLOCO_DB_CACHE_MB: "" })).toBe(16);
    for (const bad of ["0", "1.5", "lots"]) expect(() => databaseCacheMb({ INLOCO_DB_CACHE_MB: bad })).toThrow(InvalidEnvironmentError);
    expect(embeddedStartParams(32)).toEqual(expect.arrayContaining(["shared_buffers=32MB", "--single"]));
  });

  it("is what the embedded PostgreSQL runs with", OPENS, async () => {
    const db = await openDatabase({ dataDir: folder("cache"), env: { INLOCO_DB_CACHE_MB: "8" } });
    const rows = await db.prisma.$queryRawUnsafe<Array<{ shared_buffers: string }>>("SHOW shared_buffers");
    expect(rows[0]?.shared_buffers).toBe("8MB");
  });
});
