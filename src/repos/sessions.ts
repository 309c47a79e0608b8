import type { Sql } from "../db/index.ts";

/** A session that waits for its person: at which turn, in what state, since when. */
export interface WaitingSession {
  turn: number;
  state: unknown;
  updatedAt: Date;
}

/** The contact's session if it waits for them (a timer's one read), else undefined. */
export async function waitingSession(sql: Sql, contactId: string): Promise<WaitingSession | undefined> {
  const { rows } = await sql.query<{ turn: number; state: unknown; updated_at: Date }>(
    "SELECT turn, state, updated_at FROM sessions WHERE contact_id = $1 AND status = 'waiting'",
    [contactId],
  );
  const row = rows[0];
  return row && { turn: row.turn, state: row.state, updatedAt: row.updated_at };
}

/** Keep on the session the latest timer queued for it (what the relay at start arms again). */
export async function keepTimer(sql: Sql, contactId: string, dueAt: Date, turn: number): Promise<void> {
  await sql.query(
    "UPDATE sessions SET timer_due_at = GREATEST(timer_due_at, $2), timer_turn = CASE WHEN timer_due_at IS NULL OR $2 >= timer_due_at THEN $3 ELSE timer_turn END WHERE contact_id = $1",
    [contactId, dueAt, turn],
  );
}
