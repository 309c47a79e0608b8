// The digests ledger: a row per digest posted to a task force's channel. A weekly digest's row is
// unique per task force and period (whichever process inserts it first posts it), and records how far
// the posting got, so a retry after a crash neither misses nor repeats a step it can know about.
import type { Sql } from "../db/index.ts";

export interface DigestPostRow {
  id: string;
  task_force_id: string;
  kind: "weekly" | "on_demand";
  period_start: Date;
  period_end: Date;
  status: "posting" | "posted" | "failed";
  channel: string | null;
  message_ts: string | null;
  chart_posted: boolean;
  attempts: number;
  claimed_at: Date;
}

const COLUMNS = "id, task_force_id, kind::text AS kind, period_start, period_end, status::text AS status, channel, message_ts, chart_posted, attempts, claimed_at";

/**
 * Take a digest to post: a weekly one once per task force and period (undefined when another process
 * has it, or it was posted), taken over when its poster went silent for `staleAfterMs`; an on-demand
 * one always.
 */
export async function claimDigest(
  sql: Sql,
  d: { taskForceId: string; kind: "weekly" | "on_demand"; from: Date; to: Date; channel: string; requestedBy: string },
  now: Date,
  staleAfterMs: number,
): Promise<DigestPostRow | undefined> {
  const { rows } = await sql.query<DigestPostRow>(
    `INSERT INTO digests (id, task_force_id, kind, period_start, period_end, channel, requested_by, claimed_at, attempts)
     VALUES (gen_random_uuid(), $1, $2::digest_kind, $3, $4, $5, $6, $7, 1)
     ON CONFLICT (task_force_id, period_start) WHERE kind = 'weekly' DO NOTHING RETURNING ${COLUMNS}`,
    [d.taskForceId, d.kind, d.from, d.to, d.channel, d.requestedBy, now],
  );
  if (rows[0]) return rows[0];
  // Someone else has it: taken over only if it is still unfinished and its poster has been silent.
  const taken = await sql.query<DigestPostRow>(
    `UPDATE digests SET claimed_at = $3, attempts = attempts + 1
     WHERE task_force_id = $1 AND kind = 'weekly' AND period_start = $2 AND status = 'posting' AND claimed_at < $4
     RETURNING ${COLUMNS}`,
    [d.taskForceId, d.from, now, new Date(now.getTime() - staleAfterMs)],
  );
  return taken.rows[0];
}

/** The message is in the channel: its ts, so a retry only adds what is missing. */
export async function digestMessagePosted(sql: Sql, id: string, ts: string): Promise<void> {
  await sql.query("UPDATE digests SET message_ts = $2 WHERE id = $1", [id, ts]);
}

/** The chart is in the message's thread. */
export async function digestChartPosted(sql: Sql, id: string): Promise<void> {
  await sql.query("UPDATE digests SET chart_posted = true WHERE id = $1", [id]);
}

/** Done: posted whole, or given up after too many attempts (`error` says why). */
export async function endDigest(sql: Sql, id: string, status: "posted" | "failed", now: Date, error: string | null = null): Promise<void> {
  await sql.query("UPDATE digests SET status = $2::digest_status, posted_at = CASE WHEN $2 = 'posted' THEN $3::timestamptz END, error = $4 WHERE id = $1", [id, status, now, error]);
}

/** A failed attempt, to be tried again later (its claim is left to go stale). */
export async function digestAttemptFailed(sql: Sql, id: string, error: string): Promise<void> {
  await sql.query("UPDATE digests SET error = $2 WHERE id = $1", [id, error.slice(0, 500)]);
}

/** The weekly digests posted for a task force, newest first (for tests and the CLI). */
export async function digestPosts(sql: Sql, taskForceId: string): Promise<DigestPostRow[]> {
  return (await sql.query<DigestPostRow>(`SELECT ${COLUMNS} FROM digests WHERE task_force_id = $1 ORDER BY claimed_at DESC`, [taskForceId])).rows;
}
