import { createHash } from "node:crypto";
import type pg from "pg";

/** A connection inside a transaction: plain parameterised SQL. */
export interface SqlTx {
  query<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<pg.QueryResult<R>>;
}

/**
 * Plain SQL on the same pool Prisma uses, for the few hot paths (a turn, a send, an ingest) where
 * Prisma's per-query cost (compiling every query in WebAssembly on the event loop) dominates.
 */
export interface Sql extends SqlTx {
  /** Run `fn` in one transaction: committed if it returns, rolled back if it throws. */
  transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
}

/**
 * Plain SQL over a node-postgres pool. Each statement is prepared once per connection and its plan
 * reused. (The embedded database's one session outlives the pool's connections to it: a statement
 * prepared by a dropped connection would still be there; openDatabase drops them first.)
 * `prepare: false`: nothing is named, for a connection to a session another process prepares in.
 */
export function sqlOver(pool: pg.Pool, options: { prepare?: boolean } = {}): Sql {
  const statements = new PreparedStatements(options.prepare === false ? 0 : MAX_PREPARED);
  const run = <R extends pg.QueryResultRow>(on: pg.Pool | pg.PoolClient, text: string, values?: unknown[]) => on.query<R>(statements.config(text, values));
  return {
    query: (text, values) => run(pool, text, values),
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      // A connection that drops between two statements errors on the client itself: noted here (the
      // next statement fails and the transaction rolls back) instead of crashing the process.
      const onError = (e: Error) => (broken = e);
      client.on("error", onError);
      try {
        await client.query("BEGIN");
        const result = await fn({ query: (text, values) => run(client, text, values) });
        await client.query("COMMIT");
        return result;
      } catch (e) {
        // A connection that can't even roll back is dead: the pool must drop it, not lend it again.
        await client.query("ROLLBACK").catch((rollback: Error) => (broken = rollback));
        throw e;
      } finally {
        client.off("error", onError);
        client.release(broken);
      }
    },
  };
}

// Statement names by text. node-postgres prepares a named statement on a connection the first time
// it runs there and reuses it after: no parsing and planning per message. The hot paths have a few
// dozen distinct texts (some vary with a turn's events); past the cap, texts run unnamed.
const MAX_PREPARED = 256;

class PreparedStatements {
  private readonly names = new Map<string, string>();

  /** `max` 0: every text runs unnamed (a connection to a session another process prepares in). */
  constructor(private readonly max: number) {}

  config(text: string, values: unknown[] | undefined): pg.QueryConfig {
    let name = this.names.get(text);
    // Named by a hash of the text, so two pools' worth of statements (or two Sql objects over one
    // pool) never give one name to two texts.
    if (name === undefined && this.names.size < this.max) this.names.set(text, (name = `inloco_${createHash("sha1").update(text).digest("hex").slice(0, 20)}`));
    return { text, ...(values ? { values } : {}), ...(name ? { name } : {}) };
  }
}

/** PostgreSQL's code for a unique violation. */
export const UNIQUE_VIOLATION = "23505";

/** Whether an error is a unique violation (a lost race to insert the same row). */
export function isUniqueViolation(e: unknown): boolean {
  return (e as { code?: unknown }).code === UNIQUE_VIOLATION;
}
