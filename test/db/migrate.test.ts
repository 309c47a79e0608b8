// The start-up migrator, and its agreement with the Prisma CLI (which developers and CI still use).
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createDatabase, databaseUrl, dropDatabase, withClient } from "../../src/db/admin.ts";
import { FailedMigrationPendingError, MigrationError } from "../../src/db/errors.ts";
import { applyMigrations, readMigrations } from "../../src/db/migrate.ts";

const execFileAsync = promisify(execFile);
const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
const prismaCli = join(projectRoot, "node_modules/prisma/build/index.js");

let adminUrl: string;
const databases: string[] = [];

/** An empty database (not copied from the template). */
async function emptyDatabase(): Promise<string> {
  const name = `inloco_migrate_${randomBytes(6).toString("hex")}`;
  await createDatabase(adminUrl, name);
  databases.push(name);
  return databaseUrl(adminUrl, name);
}

async function prisma(args: string[], url: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, [prismaCli, ...args], {
      cwd: projectRoot,
      env: { ...process.env, DATABASE_URL: url },
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

beforeAll(() => {
  adminUrl = inject("postgresAdminUrl");
});
afterAll(async () => {
  for (const name of databases) await dropDatabase(adminUrl, name);
});

describe("applyMigrations", () => {
  it("applies every migration to an empty database, then nothing", async () => {
    const url = await emptyDatabase();
    const all = readMigrations().map((m) => m.name);
    expect(all.length).toBeGreaterThan(0);
    expect(await applyMigrations(url)).toEqual(all);
    expect(await applyMigrations(url)).toEqual([]);
    const { rows } = await withClient(url, (c) =>
      c.query(`SELECT migration_name, checksum, applied_steps_count, finished_at FROM "_prisma_migrations"`),
    );
    expect(rows.map((r) => r.migration_name)).toEqual(all);
    expect(rows[0]).toMatchObject({ checksum: readMigrations()[0]?.checksum, applied_steps_count: 1 });
  });

  it("leaves nothing of a failing migration and names it", async () => {
    const url = await emptyDatabase();
    const dir = mkdtempSync(join(tmpdir(), "inloco-migrations-"));
    try {
      const write = (name: string, sql: string) => {
        mkdirSync(join(dir, name), { recursive: true });
        writeFileSync(join(dir, name, "migration.sql"), sql);
      };
      write("0001_ok", "CREATE TABLE a (id int);");
      write("0002_broken", "CREATE TABLE b (id int);\nALTER TABLE missing ADD COLUMN x int;");
      const error = await applyMigrations(url, readMigrations(dir)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect(error).toMatchObject({ migration: "0002_broken", code: "MIGRATION_FAILED" });
      const tables = await withClient(url, (c) =>
        c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`),
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual(["_prisma_migrations", "a"]);

      write("0002_broken", "CREATE TABLE b (id int);");
      expect(await applyMigrations(url, readMigrations(dir))).toEqual(["0002_broken"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("stops on a migration the Prisma CLI recorded as failed", async () => {
    const url = await emptyDatabase();
    await applyMigrations(url, []);
    await withClient(url, (c) =>
      c.query(`INSERT INTO "_prisma_migrations" (id, checksum, migration_name) VALUES ('x', 'y', '0001_half')`),
    );
    const error = await applyMigrations(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FailedMigrationPendingError);
    expect(error).toMatchObject({ migration: "0001_half" });
  });
});

describe("Prisma CLI", () => {
  it("the Prisma CLI applies every migration to an empty database too (semicolons in comments and function bodies)", { timeout: 120_000 }, async () => {
    const url = await emptyDatabase();
    const deploy = await prisma(["migrate", "deploy"], url);
    expect(deploy.output).toContain("All migrations have been successfully applied");
    expect(deploy.code).toBe(0);
    const { rows } = await withClient(url, (c) => c.query(`SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL ORDER BY migration_name`));
    expect(rows.map((r) => r.migration_name)).toEqual(readMigrations().map((m) => m.name));
    // The RSVP trigger's body (a plpgsql function, semicolons inside) arrived whole.
    const trigger = await withClient(url, (c) => c.query(`SELECT 1 FROM pg_trigger WHERE tgname = 'rsvps_need_consent'`));
    expect(trigger.rowCount).toBe(1);
  });

  it("sees the database migrated here as up to date", { timeout: 60_000 }, async () => {
    const url = await emptyDatabase();
    await applyMigrations(url);
    const status = await prisma(["migrate", "status"], url);
    expect(status.output).toContain("Database schema is up to date");
    expect(status.code).toBe(0);
  });

  it("finds no difference between schema.prisma and the migrations", { timeout: 60_000 }, async () => {
    // Fails when schema.prisma was changed without `prisma migrate dev` (see src/db/NOTES.md).
    const diff = await prisma(
      ["migrate", "diff", "--from-migrations", "prisma/migrations", "--to-schema-datamodel", "prisma/schema.prisma", "--exit-code"],
      adminUrl,
    );
    expect(diff.output).toContain("No difference detected");
    expect(diff.code).toBe(0);
  });
});
