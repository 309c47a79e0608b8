// Vitest global setup: one PostgreSQL and one Redis for the whole run, started here unless
// TEST_DATABASE_URL / TEST_REDIS_URL name servers to use, and a migrated template database that
// createTestDatabase() (test/support/db.ts) copies for each test file.
import type { TestProject } from "vitest/node";
import { createDatabase, databaseUrl, dropDatabase } from "../../src/db/admin.ts";
import { applyMigrations } from "../../src/db/migrate.ts";
import { startPostgres } from "./postgres.ts";
import { startRedis } from "./redis.ts";

export const TEMPLATE_DATABASE = "inloco_template";

declare module "vitest" {
  export interface ProvidedContext {
    /** Superuser (or CREATEDB) URL of the test PostgreSQL server. */
    postgresAdminUrl: string;
    /** Migrated database that test databases are created from. */
    templateDatabase: string;
    /** URL of the test Redis. */
    redisUrl: string;
  }
}

/** Starts (or adopts) the test servers and prepares the template; returns the teardown. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stops: Array<() => Promise<void>> = [];
  // In order: the template is dropped before its server stops (a connection still open when
  // PostgreSQL shuts down receives a FATAL error that nothing handles).
  const teardown = async () => {
    for (const stop of stops) await stop().catch((error: unknown) => console.error("test teardown:", error));
  };
  try {
    const [postgresUrl, redisUrl] = await Promise.all([
      adoptOrStart(process.env.TEST_DATABASE_URL, startPostgres, stops),
      adoptOrStart(process.env.TEST_REDIS_URL, startRedis, stops),
    ]);
    await createTemplate(postgresUrl);
    stops.unshift(() => dropDatabase(postgresUrl, TEMPLATE_DATABASE));
    project.provide("postgresAdminUrl", postgresUrl);
    project.provide("templateDatabase", TEMPLATE_DATABASE);
    project.provide("redisUrl", redisUrl);
    return teardown;
  } catch (error) {
    await teardown();
    throw error;
  }
}

async function adoptOrStart(
  given: string | undefined,
  start: () => Promise<{ url: string; stop(): Promise<void> }>,
  stops: Array<() => Promise<void>>,
): Promise<string> {
  if (given) return given;
  const server = await start();
  stops.push(() => server.stop());
  return server.url;
}

async function createTemplate(adminUrl: string): Promise<void> {
  await dropDatabase(adminUrl, TEMPLATE_DATABASE);
  await createDatabase(adminUrl, TEMPLATE_DATABASE);
  await applyMigrations(databaseUrl(adminUrl, TEMPLATE_DATABASE));
}
