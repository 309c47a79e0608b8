// Receipts (processed_messages, ingest_receipts) and the outbox: what recognises a repeated message
// or event. Pruned by the retention sweeper (src/retention/) once past every redelivery window.
import type { Sql } from "../db/index.ts";

/** Rows a prune removed, by table. */
export interface Pruned {
  receipts: number;
  outbox: number;
  ingestReceipts: number;
}

// Each statement deletes at most this many rows: short locks and small transactions, however much is due.
const CHUNK = 5000;

const TABLES = [
  ["receipts", "processed_messages", "processed_at"],
  ["outbox", "outbox", "created_at"],
  ["ingestReceipts", "ingest_receipts", "processed_at"],
] as const;

/** Delete delivery records written before `before`, in chunks; several processes may run it at once. */
export async function pruneReceipts(sql: Sql, before: Date, chunk = CHUNK): Promise<Pruned> {
  const pruned: Pruned = { receipts: 0, outbox: 0, ingestReceipts: 0 };
  for (const [key, table, column] of TABLES) {
    for (;;) {
      // SKIP LOCKED: another process pruning at the same moment takes other rows instead of waiting.
      const { rowCount } = await sql.query(
        `DELETE FROM ${table} WHERE ctid = ANY (ARRAY (SELECT ctid FROM ${table} WHERE ${column} < $1 LIMIT $2 FOR UPDATE SKIP LOCKED))`,
        [before, chunk],
      );
      pruned[key] += rowCount ?? 0;
      if ((rowCount ?? 0) < chunk) break;
    }
  }
  return pruned;
}
