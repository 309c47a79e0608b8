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

/** Plain SQL over a node-postgres pool. */
export function sqlOver(pool: pg.Pool): Sql {
  return {
    query: (text, values) => pool.query(text, values),
    async transaction(fn) {
      const client = await pool.connect();
      let broken: Error | undefined;
      // A connection that drops between two statements errors on the client itself: noted here (the
      // next statement fails and the transaction rolls back) instead of crashing the process.
      const onError = (e: Error) => (broken = e);
      client.on("error", onError);
      try {
        await client.query("BEGIN");
        const result = await fn(client);
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

/** PostgreSQL's code for a unique violation. */
export const UNIQUE_VIOLATION = "23505";

/** Whether an error is a unique violation (a lost race to insert the same row). */
export function isUniqueViolation(e: unknown): boolean {
  return (e as { code?: unknown }).code === UNIQUE_VIOLATION;
}
