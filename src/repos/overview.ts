// The project's numbers over a period, for the coordinators' App Home: counts only.
import type { Sql } from "../db/index.ts";

export interface Overview {
  peopleSeen: number;
  newPeople: number;
  surveysStarted: number;
  surveysCompleted: number;
  feedback: number;
}

/** People seen and new, surveys started and completed, feedback received, in [from, to). */
export async function overview(sql: Sql, from: Date, to: Date): Promise<Overview> {
  const { rows } = await sql.query<Record<string, string>>(
    `SELECT
       (SELECT count(*) FROM contacts WHERE status <> 'erased' AND last_seen_at >= $1 AND last_seen_at < $2) AS seen,
       (SELECT count(*) FROM contacts WHERE status <> 'erased' AND created_at >= $1 AND created_at < $2) AS fresh,
       (SELECT count(*) FROM survey_runs WHERE started_at >= $1 AND started_at < $2) AS started,
       (SELECT count(*) FROM survey_runs WHERE completed_at >= $1 AND completed_at < $2) AS completed,
       (SELECT count(*) FROM feedback WHERE created_at >= $1 AND created_at < $2) AS feedback`,
    [from, to],
  );
  const r = rows[0] ?? {};
  return { peopleSeen: Number(r.seen ?? 0), newPeople: Number(r.fresh ?? 0), surveysStarted: Number(r.started ?? 0), surveysCompleted: Number(r.completed ?? 0), feedback: Number(r.feedback ?? 0) };
}
