// Per-test-file databases on the test PostgreSQL server, copied from the migrated template that
// the global setup prepared (a copy takes milliseconds; migrating would take far longer).
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { createDatabase, databaseUrl, dropDatabase } from "../../src/db/admin.ts";
import { postgresAdapter } from "../../src/db/database.ts";
import { sqlOver, type Sql } from "../../src/db/sql.ts";
import { PrismaClient } from "../../src/generated/prisma/client.ts";

export interface TestDatabase {
  readonly prisma: PrismaClient;
  /** Plain SQL on the same pool as `prisma`. */
  readonly sql: Sql;
  readonly url: string;
  readonly name: string;
  /** Disconnects and drops the database. */
  drop(): Promise<void>;
}

/** Creates a fresh, migrated database for the calling test file. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminUrl = inject("postgresAdminUrl");
  const name = `inloco_test_${randomBytes(6).toString("hex")}`;
  await createDatabase(adminUrl, name, inject("templateDatabase"));
  const url = databaseUrl(adminUrl, name);
  // As the app does: one pool for Prisma and plain SQL.
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  pool.on("error", () => undefined);
  const prisma = new PrismaClient({ adapter: postgresAdapter(pool) });
  return {
    prisma,
    sql: sqlOver(pool),
    url,
    name,
    async drop() {
      await prisma.$disconnect();
      await pool.end();
      await dropDatabase(adminUrl, name);
    },
  };
}

/** URL of the test Redis (started by the global setup, or TEST_REDIS_URL). */
export function testRedisUrl(): string {
  return inject("redisUrl");
}
