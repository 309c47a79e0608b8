// Applies the committed Prisma migrations (prisma/migrations/*/migration.sql) at start-up, in this
// process. It keeps Prisma's own bookkeeping (the _prisma_migrations table, the same checksums and
// advisory lock), so `prisma migrate deploy/status/dev` agree with it; it only skips Prisma's CLI,
// which takes seconds to load (see NOTES.md for the timings).
import { createHash, randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { FailedMigrationPendingError, MigrationError } from "./errors.ts";

/** prisma/migrations of this checkout, wherever the process was started from. */
export const MIGRATIONS_DIR = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

/** The advisory lock key Prisma's schema engine takes while migrating. */
const PRISMA_MIGRATE_LOCK = 72707369;

const CREATE_MIGRATIONS_TABLE = `
CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

export interface Migration {
  readonly name: string;
  readonly sql: string;
  /** sha256 of migration.sql, hex: what Prisma records. */
  readonly checksum: string;
}

/** Reads the migrations in a folder, in the order Prisma applies them (by folder name). */
export function readMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, "migration.sql")))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const bytes = readFileSync(join(dir, name, "migration.sql"));
      return { name, sql: bytes.toString("utf8"), checksum: createHash("sha256").update(bytes).digest("hex") };
    });
}

/** Applies the migrations not yet recorded in the database; returns the names of those applied. */
export async function applyMigrations(url: string, migrations: Migration[] = readMigrations()): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Serialises with other instances of this app and with the Prisma CLI.
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK]);
    try {
      return await applyPending(client, migrations);
    } finally {
      await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_MIGRATE_LOCK]);
    }
  } finally {
    await client.end();
  }
}

/** Names of the migrations not yet recorded in the database, applying nothing. */
export async function pendingMigrations(url: string, migrations: Migration[] = readMigrations()): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ migration_name: string }>(
      `SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    ).catch((error: unknown) => {
      if ((error as { code?: unknown }).code === "42P01") return { rows: [] }; // no table: nothing applied
      throw error;
    });
    const done = new Set(rows.map((row) => row.migration_name));
    return migrations.filter((m) => !done.has(m.name)).map((m) => m.name);
  } finally {
    await client.end();
  }
}

async function applyPending(client: pg.Client, migrations: Migration[]): Promise<string[]> {
  await client.query(CREATE_MIGRATIONS_TABLE);
  const { rows } = await client.query<{ migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }>(
    `SELECT migration_name, finished_at, rolled_back_at FROM "_prisma_migrations"`,
  );
  // A row neither finished nor rolled back is a migration Prisma's CLI left half-applied.
  const failed = rows.find((row) => row.finished_at === null && row.rolled_back_at === null);
  if (failed) throw new FailedMigrationPendingError(failed.migration_name);
  const done = new Set(rows.filter((row) => row.rolled_back_at === null).map((row) => row.migration_name));

  const applied: string[] = [];
  for (const migration of migrations) {
    if (done.has(migration.name)) continue;
    await applyOne(client, migration);
    applied.push(migration.name);
  }
  return applied;
}

async function applyOne(client: pg.Client, migration: Migration): Promise<void> {
  // One transaction for the script and its record: a failed migration leaves nothing behind and
  // is simply tried again at the next start (Prisma would record it as failed and stop).
  await client.query("BEGIN");
  try {
    await client.query(migration.sql);
    await client.query(
      `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
       VALUES ($1, $2, $3, now(), clock_timestamp(), 1)`,
      [randomUUID(), migration.checksum, migration.name],
    );
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw new MigrationError(migration.name, { cause: error });
  }
}
