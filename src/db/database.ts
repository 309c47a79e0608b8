// The one way the application opens its database: a PostgreSQL server when DATABASE_URL is set,
// otherwise the embedded PGlite in the data folder. Both are reached through @prisma/adapter-pg,
// so the code paths are the same as in production.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../generated/prisma/client.ts";
import { openEmbeddedPostgres, type EmbeddedPostgres } from "./embedded.ts";
import { applyMigrations } from "./migrate.ts";
import { databaseSettings } from "./settings.ts";

export interface OpenDatabaseOptions {
  /** A PostgreSQL server. Wins over `dataDir` and the environment. */
  url?: string;
  /** Use the embedded database in this folder. Wins over the environment. */
  dataDir?: string;
  /** Where DATABASE_URL and INLOCO_DATA_DIR are read when neither option is given. */
  env?: NodeJS.ProcessEnv;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** Most connections in the pool (default 10). */
  maxConnections?: number;
}

export interface Database {
  readonly prisma: PrismaClient;
  readonly url: string;
  readonly embedded: boolean;
  /** The embedded database's folder (where its generated keys live); undefined on a server. */
  readonly dataDir: string | undefined;
  /** Names of the migrations applied by this open. */
  readonly migrationsApplied: readonly string[];
  /** Disconnects Prisma (its pool), then stops the embedded server and PGlite. */
  close(): Promise<void>;
}

/** Opens the database described by the options or the environment, migrated unless `migrate: false`. */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const target = chooseTarget(options);
  const embedded = target.url === undefined ? await openEmbeddedPostgres(target.dataDir) : undefined;
  const url = target.url ?? (embedded as EmbeddedPostgres).url;
  try {
    const migrationsApplied = options.migrate === false ? [] : await applyMigrations(url);
    // PGlite has one session: pglite-socket mixes the messages of concurrent connections into it
    // (pglite#1046), so the embedded database gets exactly one connection, and transactions queue for it.
    const adapter = new PrismaPg({ connectionString: url, max: embedded ? 1 : (options.maxConnections ?? 10) });
    const prisma = new PrismaClient({
      adapter,
      ...(embedded ? { transactionOptions: { maxWait: 30_000, timeout: 30_000 } } : {}),
    });
    let closing: Promise<void> | undefined;
    return {
      prisma,
      url,
      embedded: embedded !== undefined,
      dataDir: embedded?.dataDir,
      migrationsApplied,
      close() {
        closing ??= (async () => {
          try {
            await prisma.$disconnect();
          } finally {
            await embedded?.close();
          }
        })();
        return closing;
      },
    };
  } catch (error) {
    await embedded?.close();
    throw error;
  }
}

function chooseTarget(options: OpenDatabaseOptions): { url: string; dataDir?: undefined } | { url?: undefined; dataDir: string } {
  if (options.url) return { url: options.url };
  if (options.dataDir) return { dataDir: options.dataDir };
  const settings = databaseSettings(options.env);
  return settings.databaseUrl ? { url: settings.databaseUrl } : { dataDir: settings.dataDir };
}
