// Counting the statements an operation sends to PostgreSQL, on the wire (BEGIN/COMMIT included).
import pg from "pg";
import type { Sql, SqlTx } from "../../src/db/sql.ts";

/** A statement as "verb table" (e.g. "insert answers"), or its first word (BEGIN, WITH…). */
export function statementName(sql: string): string {
  const s = sql.trim();
  const table = /^(?:SELECT\b.*?\bFROM|INSERT INTO|UPDATE|DELETE FROM)\s+(?:"public"\.)?"?(\w+)"?/is.exec(s)?.[1];
  const verb = (/^\w+/.exec(s)?.[0] ?? "?").toLowerCase();
  return table ? `${verb} ${table}` : (s.split(/\s/)[0]?.toUpperCase() ?? "?");
}

/** A one-connection pool that records the name of every statement sent through it into `sent`. */
export function countingPool(connectionString: string): { pool: pg.Pool; sent: string[] } {
  const sent: string[] = [];
  const pool = new pg.Pool({ connectionString, max: 1 });
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0];
      sent.push(statementName(typeof first === "string" ? first : ((first as { text?: string }).text ?? "?")));
      return query(...args);
    };
  });
  return { pool, sent };
}

/** The same SQL, telling `onStatement` the name of every statement it sends (BEGIN and COMMIT too). */
export function countingSql(sql: Sql, onStatement: (name: string) => void): Sql {
  const counted = (on: SqlTx): SqlTx => ({ query: (text, values) => (onStatement(statementName(text)), on.query(text, values)) });
  return {
    ...counted(sql),
    transaction: (fn) => {
      onStatement("BEGIN");
      return sql.transaction((tx) => fn(counted(tx))).finally(() => onStatement("COMMIT"));
    },
  };
}
