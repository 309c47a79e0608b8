import type { Sql } from "../db/index.ts";
import { columns } from "./columns.ts";

/** One survey started or completed in a territory, from one ingest event. */
export interface CountRow {
  eventId: string;
  kind: string;
  territory: string | null;
  flow: string;
  started: number;
  completed: number;
}

/**
 * Receipts and counts in one statement: both or neither, a replayed event finds its receipt and adds
 * nothing (an event twice in one batch counts once), and each territory's row is updated once.
 */
export async function addCounts(sql: Sql, rows: readonly CountRow[]): Promise<void> {
  await sql.query(
    `WITH v AS (
       SELECT DISTINCT ON (event_id) * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::int[])
         AS v(event_id, kind, territory_id, flow_id, started, completed)
     ),
     receipt AS (INSERT INTO ingest_receipts (event_id, kind) SELECT event_id, kind FROM v ON CONFLICT DO NOTHING RETURNING event_id),
     fresh AS (
       SELECT v.territory_id, v.flow_id, sum(v.started)::int AS started, sum(v.completed)::int AS completed
       FROM v JOIN receipt r ON r.event_id = v.event_id JOIN territories t ON t.id = v.territory_id
       GROUP BY v.territory_id, v.flow_id
     )
     INSERT INTO territory_stats (territory_id, flow_id, started, completed, updated_at)
     SELECT territory_id, flow_id, started, completed, now() FROM fresh
     ON CONFLICT (territory_id, flow_id) DO UPDATE SET started = territory_stats.started + EXCLUDED.started,
       completed = territory_stats.completed + EXCLUDED.completed, updated_at = now()`,
    columns(rows, ["eventId", "kind", "territory", "flow", "started", "completed"]),
  );
}
