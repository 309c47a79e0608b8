// Task forces as the Slack app and the CLI see them: where their digests go, in which language, and
// on whose clocks.
import type { Sql } from "../db/index.ts";

/** A task force with what its digests need. */
export interface TaskForceRow {
  id: string;
  name: string;
  kind: string;
  territory_id: string;
  territory_name: string;
  time_zone: string;
  slack_channel: string | null;
  language: string;
}

const SELECT = `SELECT tf.id::text AS id, tf.name, tf.kind::text AS kind, tf.territory_id, t.name AS territory_name, t.time_zone, tf.slack_channel, tf.language
  FROM task_forces tf JOIN territories t ON t.id = tf.territory_id`;

/** Every task force, by name. */
export async function listTaskForces(sql: Sql): Promise<TaskForceRow[]> {
  return (await sql.query<TaskForceRow>(`${SELECT} ORDER BY tf.name, t.id`)).rows;
}

/** The task force with this id, or undefined. */
export async function taskForceById(sql: Sql, id: string): Promise<TaskForceRow | undefined> {
  return (await sql.query<TaskForceRow>(`${SELECT} WHERE tf.id::text = lower($1)`, [id.trim()])).rows[0];
}

/** Task forces whose id is this, or whose name is this (letter case aside): none, one, or several of one name. */
export async function taskForcesNamed(sql: Sql, idOrName: string): Promise<TaskForceRow[]> {
  return (await sql.query<TaskForceRow>(`${SELECT} WHERE tf.id::text = lower($1) OR lower(tf.name) = lower($1) ORDER BY tf.name, t.id`, [idOrName.trim()])).rows;
}

/** A task force by its id, its name (any case) or its territory's id when that territory has one task force. */
export async function findTaskForce(sql: Sql, idOrName: string): Promise<TaskForceRow | undefined> {
  const key = idOrName.trim();
  const { rows } = await sql.query<TaskForceRow>(
    `${SELECT} WHERE tf.id::text = $1 OR lower(tf.name) = lower($1)
       OR (tf.territory_id = $1 AND (SELECT count(*) FROM task_forces x WHERE x.territory_id = $1) = 1)
     ORDER BY (tf.id::text = $1) DESC LIMIT 1`,
    [key],
  );
  return rows[0];
}

/** The task forces whose digests go to a Slack channel. */
export async function taskForcesOfChannel(sql: Sql, channel: string): Promise<TaskForceRow[]> {
  return (await sql.query<TaskForceRow>(`${SELECT} WHERE tf.slack_channel = $1 ORDER BY tf.name`, [channel])).rows;
}

/** Point a task force's digests and feedback notices at a Slack channel (null: none). */
export async function setTaskForceChannel(sql: Sql, id: string, channel: string | null): Promise<void> {
  await sql.query("UPDATE task_forces SET slack_channel = $2 WHERE id = $1", [id, channel]);
}

/** Set the language a task force's digests are written in. */
export async function setTaskForceLanguage(sql: Sql, id: string, language: string): Promise<void> {
  await sql.query("UPDATE task_forces SET language = $2 WHERE id = $1", [id, language]);
}
