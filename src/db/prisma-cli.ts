// What prisma.config.ts hands the Prisma CLI: the adapter factory its WebAssembly schema engine
// migrates through, for a PostgreSQL server (DATABASE_URL) or the embedded database.
//
// Two upstream habits of the CLI are worked around here, in the CLI process only:
//  - it calls the `adapter` function more than once per command, and for commands that need no
//    database: the database is opened once, at the first connection (opening the embedded folder
//    twice would fail on its lock);
//  - it never disposes the adapter and waits for the event loop to empty, while PGlite and the
//    schema engine leave timers behind: timers are unref'd, so are the pool's idle connections and the
//    embedded server's sockets, and the embedded database is closed on `beforeExit` (PGlite must be
//    closed to flush its files).
import { openEmbeddedPostgres } from "./embedded.ts";
import { DataFolderLockedError } from "./errors.ts";
import { schemaEngineAdapterFactory, type SchemaEngineAdapterFactory } from "./schema-engine-adapter.ts";
import type { DatabaseSettings } from "./settings.ts";
import { fixedShadow, inMemoryShadow, temporaryShadow } from "./shadow.ts";

/** The real timer functions, before unrefFutureTimers() replaces them. */
const { setTimeout: refTimeout, setInterval: refInterval } = globalThis;

/** Placeholder for the schema's `env("DATABASE_URL")` in embedded mode; nothing connects to it. */
export const EMBEDDED_PLACEHOLDER_URL = "postgresql://embedded@127.0.0.1:5432/embedded";

/**
 * Returns the `adapter` function for prisma.config.ts. The database is opened (once) at the first
 * connection, not when the CLI asks for the adapter: `prisma generate` (npm install's postinstall) and
 * `prisma -v` ask for it too, and installing must not create an embedded database in ./data.
 */
export function prismaCliAdapter(settings: DatabaseSettings): () => Promise<SchemaEngineAdapterFactory> {
  let factory: Promise<SchemaEngineAdapterFactory> | undefined;
  // An error thrown at connection reaches the user as "External error id#0": say it first.
  const opened = () =>
    (factory ??= createFactory(settings).catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      throw error;
    }));
  const lazy: SchemaEngineAdapterFactory = {
    provider: "postgres",
    adapterName: "@prisma/adapter-pg",
    connect: async () => (await opened()).connect(),
    connectToShadowDb: async () => (await opened()).connectToShadowDb(),
  };
  return () => Promise.resolve(lazy);
}

async function createFactory(settings: DatabaseSettings): Promise<SchemaEngineAdapterFactory> {
  unrefFutureTimers();
  // Idle pool connections must not keep the CLI alive either.
  const poolOptions = { allowExitOnIdle: true };
  if (settings.databaseUrl) {
    const shadow = settings.shadowDatabaseUrl
      ? fixedShadow(settings.shadowDatabaseUrl)
      : temporaryShadow(settings.databaseUrl);
    return schemaEngineAdapterFactory(settings.databaseUrl, shadow, poolOptions);
  }

  const embedded = await openEmbeddedPostgres(settings.dataDir, { keepProcessAlive: false }).catch((error: unknown) => {
    // Coordinator commands work through a running app's database; Prisma's CLI changes or resets the
    // schema the app works on, so it needs the folder alone.
    if (!(error instanceof DataFolderLockedError)) throw error;
    throw new DataFolderLockedError(error.folder, error.pid, error.lockFile, "Prisma's CLI changes the schema the running app works on, so it needs the folder alone");
  });
  let closed = false;
  process.on("beforeExit", () => {
    if (closed) return;
    closed = true;
    // Everything is unref'd by now: hold the process with a real timer until PGlite is closed.
    const hold = refInterval(() => {}, 60_000);
    void embedded.close().finally(() => clearInterval(hold));
  });
  return schemaEngineAdapterFactory(embedded.url, inMemoryShadow, poolOptions);
}

/** Makes every timer created from now on in this process unable to keep it alive. */
function unrefFutureTimers(): void {
  globalThis.setTimeout = Object.assign(
    (...args: Parameters<typeof refTimeout>) => refTimeout(...args).unref(),
    refTimeout,
  ) as typeof setTimeout;
  globalThis.setInterval = Object.assign(
    (...args: Parameters<typeof refInterval>) => refInterval(...args).unref(),
    refInterval,
  ) as typeof setInterval;
}
