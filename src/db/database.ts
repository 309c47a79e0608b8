// The one way the application opens its database: a PostgreSQL server when DATABASE_URL is set,
// otherwise the embedded PGlite in the data folder. Both are reached through @prisma/adapter-pg,
// so the code paths are the same as in production.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "../generated/prisma/client.ts";
import { attachEmbeddedPostgres, openEmbeddedPostgres, type EmbeddedPostgres } from "./embedded.ts";
import { applyMigrations, pendingMigrations } from "./migrate.ts";
import { isFreshFolder, migrateApart } from "./migrate-apart.ts";
import { databaseCacheMb, databaseSettings } from "./settings.ts";
import { sqlOver, type Sql } from "./sql.ts";
import { DatabaseUnreachableError, DataFolderLockedError, RunningAppNotMigratedError } from "./errors.ts";

/** How long an unused pooled connection stays open. */
const IDLE_CONNECTION_MS = 5 * 60_000;

export interface OpenDatabaseOptions {
  /** A PostgreSQL server. Wins over `dataDir` and the environment. */
  url?: string;
  /** Use the embedded database in this folder. Wins over the environment. */
  dataDir?: string;
  /** Where DATABASE_URL and INLOCO_DATA_DIR are read when neither option is given. */
  env?: NodeJS.ProcessEnv;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
  /** Embedded: create and migrate the folder in a short-lived child process (default true), so the memory
   * PGlite grows to meanwhile is not kept by this one (migrate-apart.ts). false: in this process. */
  migrateInChild?: boolean;
  /** Most connections in the pool (default 10). */
  maxConnections?: number;
  /** A PostgreSQL server must answer a first connection within this long at open (default 10 s). */
  connectTimeoutMs?: number;
  /** When the embedded folder is held by a running app, work through its database socket instead of
   * refusing with DataFolderLockedError (default false: the app itself must never share its folder;
   * coordinator commands pass true). */
  attach?: boolean;
  /** How long to wait for an app that holds the folder but is still starting to serve its database. */
  attachWaitMs?: number;
}

export interface Database {
  readonly prisma: PrismaClient;
  /** Plain SQL on the same connections, for hot paths. */
  readonly sql: Sql;
  readonly url: string;
  readonly embedded: boolean;
  /** The embedded database's folder (where its generated keys live); undefined on a server. */
  readonly dataDir: string | undefined;
  /** The pid of the running app whose embedded database this goes through (its socket); else undefined. */
  readonly attachedTo: number | undefined;
  /** Names of the migrations applied by this open. */
  readonly migrationsApplied: readonly string[];
  /** Disconnects Prisma (its pool), then stops the embedded server and PGlite. */
  close(): Promise<void>;
}

/** Opens the database described by the options or the environment, migrated unless `migrate: false`. */
export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const target = chooseTarget(options);
  const opened = target.url === undefined ? await openEmbedded(target.dataDir, target.cacheMb, options) : undefined;
  const embedded = opened?.embedded;
  const url = target.url ?? (embedded as EmbeddedPostgres).url;
  const attachedTo = embedded?.attachedTo;
  try {
    // A server is tried once first, with a time limit: an address that never answers (a firewall, a wrong
    // host) fails the open with a clear sentence instead of hanging, with or without migrations.
    if (!embedded) await checkReachable(url, options.connectTimeoutMs ?? 10_000);
    let migrationsApplied: string[] = [];
    if (opened?.migrated !== undefined) {
      migrationsApplied = opened.migrated; // by the child process, before this one opened the folder
    } else if (options.migrate !== false && attachedTo !== undefined) {
      // The running app migrated at its start; changing the schema under it is not this command's to do.
      const pending = await pendingMigrations(url);
      if (pending.length > 0) throw new RunningAppNotMigratedError(attachedTo, pending);
    } else if (options.migrate !== false) {
      migrationsApplied = await applyMigrations(url).catch((e: unknown) => unreachable(url, e));
    }
    // PGlite has one session: pglite-socket mixes the messages of concurrent connections into it
    // (pglite#1046), so the embedded database gets exactly one connection, and transactions queue for it.
    // One pool, shared by Prisma and the plain-SQL hot paths.
    // Idle connections stay open for minutes (pg closes them after 10 s by default): a burst after a
    // quiet spell would otherwise wait for new connections and re-prepare every statement on them.
    // They never keep the process alive on their own.
    const pool = new pg.Pool({
      connectionString: url,
      max: embedded ? 1 : (options.maxConnections ?? 10),
      idleTimeoutMillis: IDLE_CONNECTION_MS,
      allowExitOnIdle: true,
      // PGlite's one session outlives the connections to it: the statements an earlier connection
      // prepared are still there, under the names this one would give them. A new connection drops
      // them before it is lent (the pool has that one connection only). Not when attached to a running
      // app's database: those statements are the app's.
      ...(embedded && attachedTo === undefined ? { onConnect: (client: pg.ClientBase) => client.query("DEALLOCATE ALL") } : {}),
    });
    pool.on("error", () => undefined); // an idle connection dropped by the server: the pool replaces it
    const adapter = postgresAdapter(pool);
    const prisma = new PrismaClient({
      adapter,
      ...(embedded ? { transactionOptions: { maxWait: 30_000, timeout: 30_000 } } : {}),
    });
    let closing: Promise<void> | undefined;
    return {
      prisma,
      // Attached: statements are not named, so none collides with (or outlives this command in) the
      // running app's session.
      sql: sqlOver(pool, { prepare: attachedTo === undefined }),
      url,
      embedded: embedded !== undefined,
      dataDir: embedded?.dataDir,
      attachedTo,
      migrationsApplied,
      close() {
        closing ??= (async () => {
          try {
            await prisma.$disconnect();
            await pool.end();
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

/**
 * Prisma's adapter for node-postgres, with one repair. When the connection drops inside an interactive
 * transaction, Prisma 6.19 sends ROLLBACK (or COMMIT), which fails, and then never hands the connection
 * back to the pool: each such transaction shrinks the pool for good, and once it is empty every query
 * waits forever (and `$disconnect` too). Here a failed COMMIT or ROLLBACK releases the connection (the
 * pool drops it, being dead). test/pipeline/faults.test.ts cuts the database off mid-transaction.
 */
export function postgresAdapter(config: ConstructorParameters<typeof PrismaPg>[0]): PrismaPg {
  const factory = new PrismaPg(config);
  const connect = factory.connect.bind(factory);
  factory.connect = async () => {
    const adapter = await connect();
    const startTransaction = adapter.startTransaction.bind(adapter);
    adapter.startTransaction = async (isolationLevel) => {
      const tx = await startTransaction(isolationLevel);
      const executeRaw = tx.executeRaw.bind(tx);
      tx.executeRaw = async (query) => {
        try {
          return await executeRaw(query);
        } catch (error) {
          if (query.sql === "COMMIT" || query.sql === "ROLLBACK") await tx.rollback(); // releases the connection
          throw error;
        }
      };
      return tx;
    };
    return adapter;
  };
  return factory;
}

/** One connection and `SELECT 1`, given `timeoutMs` in all. */
async function checkReachable(url: string, timeoutMs: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs });
  client.on("error", () => undefined); // reported by connect or query
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (e) {
    unreachable(url, e, timeoutMs);
  } finally {
    await client.end().catch(() => undefined);
  }
}

// Network errors, and what PostgreSQL says when it won't let us in (bad password, no such role or database, starting up).
const UNREACHABLE_CODES = /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH|EPIPE|ECONNABORTED|28P01|28000|3D000|57P03)$/;

// Connection failures at start get one clear sentence; anything else (a bad migration) passes as it is.
function unreachable(url: string, e: unknown, timeoutMs?: number): never {
  const reason = unreachableReason(e, timeoutMs);
  if (reason !== undefined) {
    const shown = url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
    throw new DatabaseUnreachableError(shown, reason, { cause: e });
  }
  throw e;
}

function unreachableReason(e: unknown, timeoutMs: number | undefined): string | undefined {
  if (!(e instanceof Error)) return undefined;
  const code = (e as { code?: unknown }).code;
  if (typeof code === "string" && UNREACHABLE_CODES.test(code)) return e.message || code;
  // pg's own words, without a code: the server went quiet, or hung up before the handshake.
  if (/^timeout expired$|connection timeout|Query read timeout/i.test(e.message)) return `no answer within ${Math.round((timeoutMs ?? 0) / 100) / 10} s`;
  if (/Connection terminated unexpectedly/i.test(e.message)) return "the server closed the connection before answering (is it a PostgreSQL server, and may this machine connect?)";
  // Both addresses of a name refused (IPv4 and IPv6): Node's AggregateError carries the code of each.
  if (e instanceof AggregateError) return e.errors.map((x: unknown) => unreachableReason(x, timeoutMs)).find((r) => r !== undefined);
  return undefined;
}

/**
 * The embedded database, opened (or attached to) and, unless `migrate: false`, migrated in a child
 * process when it has to be: a fresh folder is created there before this process opens it; an existing
 * one with migrations pending is closed again, migrated there and reopened. `migrated`: the names the
 * child applied (an empty list when nothing was pending), or undefined when the caller has to migrate
 * (in-process, or attached to a running app).
 */
async function openEmbedded(dataDir: string, cacheMb: number, options: OpenDatabaseOptions): Promise<{ embedded: EmbeddedPostgres; migrated: string[] | undefined }> {
  if (options.migrate === false || options.migrateInChild === false) return { embedded: await openOrAttach(dataDir, cacheMb, options), migrated: undefined };
  let migrated: string[] | undefined;
  if (isFreshFolder(dataDir)) migrated = await apart(dataDir, cacheMb);
  const embedded = await openOrAttach(dataDir, cacheMb, options);
  if (migrated !== undefined || embedded.attachedTo !== undefined) return { embedded, migrated };
  try {
    if ((await pendingMigrations(embedded.url)).length === 0) return { embedded, migrated: [] };
  } catch (error) {
    await embedded.close();
    throw error;
  }
  await embedded.close();
  migrated = await apart(dataDir, cacheMb);
  return { embedded: await openOrAttach(dataDir, cacheMb, options), migrated };
}

/** migrateApart, or undefined when another process holds the folder (opening it says what to do then). */
async function apart(dataDir: string, cacheMb: number): Promise<string[] | undefined> {
  try {
    return await migrateApart(dataDir, cacheMb);
  } catch (error) {
    if (error instanceof DataFolderLockedError) return undefined;
    throw error;
  }
}

/** The embedded database in `dataDir`: opened here, or, while an app holds the folder, the app's. */
async function openOrAttach(dataDir: string, cacheMb: number, options: OpenDatabaseOptions): Promise<EmbeddedPostgres> {
  // Twice at most: the app holding the folder may stop while this waits for its socket.
  for (let attempt = 0; ; attempt++) {
    try {
      return await openEmbeddedPostgres(dataDir, { cacheMb });
    } catch (error) {
      if (!(error instanceof DataFolderLockedError) || options.attach !== true || attempt > 0) throw error;
      const attached = await attachEmbeddedPostgres(dataDir, error, options.attachWaitMs);
      if (attached) return attached;
    }
  }
}

function chooseTarget(options: OpenDatabaseOptions): { url: string; dataDir?: undefined } | { url?: undefined; dataDir: string; cacheMb: number } {
  if (options.url) return { url: options.url };
  if (options.dataDir) return { dataDir: options.dataDir, cacheMb: databaseCacheMb(options.env) };
  const settings = databaseSettings(options.env);
  return settings.databaseUrl ? { url: settings.databaseUrl } : { dataDir: settings.dataDir, cacheMb: settings.cacheMb };
}
