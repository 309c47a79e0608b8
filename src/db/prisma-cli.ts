// What prisma.config.ts hands the Prisma CLI: the adapter factory its WebAssembly schema engine
// migrates through, for a PostgreSQL server (DATABASE_URL) or the embedded database.
//
// Two upstream habits of the CLI are worked around here, in the CLI process only:
//  - it calls the `adapter` function more than once per command: the result is memoized (opening
//    the embedded folder twice would fail on its lock);
//  - it never disposes the adapter and waits for the event loop to empty, while PGlite and the
//    schema engine leave timers behind: timers are unref'd, so is every socket we open, and the
//    embedded database is closed on `beforeExit` (PGlite must be closed to flush its files).
import { openEmbeddedPostgres } from "./embedded.ts";
import { schemaEngineAdapterFactory, type SchemaEngineAdapterFactory } from "./schema-engine-adapter.ts";
import type { DatabaseSettings } from "./settings.ts";
import { fixedShadow, inMemoryShadow, temporaryShadow } from "./shadow.ts";

/** Placeholder for the schema's `env("DATABASE_URL")` in embedded mode; nothing connects to it. */
export const EMBEDDED_PLACEHOLDER_URL = "postgresql://embedded@127.0.0.1:5432/embedded";

/** Returns the memoized `adapter` function for prisma.config.ts. */
export function prismaCliAdapter(settings: DatabaseSettings): () => Promise<SchemaEngineAdapterFactory> {
  let factory: Promise<SchemaEngineAdapterFactory> | undefined;
  return () => (factory ??= createFactory(settings));
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

  const embedded = await openEmbeddedPostgres(settings.dataDir, { keepProcessAlive: false });
  let closed = false;
  process.on("beforeExit", () => {
    if (closed) return;
    closed = true;
    void embedded.close();
  });
  return schemaEngineAdapterFactory(embedded.url, inMemoryShadow, poolOptions);
}

/** Makes every timer and socket created from now on in this process unable to keep it alive. */
function unrefFutureTimers(): void {
  const { setTimeout: originalTimeout, setInterval: originalInterval } = globalThis;
  globalThis.setTimeout = Object.assign(
    (...args: Parameters<typeof originalTimeout>) => originalTimeout(...args).unref(),
    originalTimeout,
  ) as typeof setTimeout;
  globalThis.setInterval = Object.assign(
    (...args: Parameters<typeof originalInterval>) => originalInterval(...args).unref(),
    originalInterval,
  ) as typeof setInterval;
}
