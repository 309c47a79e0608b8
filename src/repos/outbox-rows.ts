import { OutboxItem, type OutboxKind } from "../jobs/outbox.ts";
import type { Log } from "../log/log.ts";

/** An outbox row as read back. */
export interface OutboxRead {
  id: string;
  kind: OutboxKind;
  payload: unknown;
  due_at: Date | null;
}

/**
 * Outbox rows as the typed items they were written as. A row that isn't one (written by another
 * version) can't be handed to any queue: it is left out and logged by id, never by content.
 */
export function parseOutbox(rows: readonly OutboxRead[], log: Log): OutboxItem[] {
  const items: OutboxItem[] = [];
  for (const row of rows) {
    const parsed = OutboxItem.safeParse({ id: row.id, kind: row.kind, payload: row.payload, ...(row.due_at ? { dueAt: row.due_at.toISOString() } : {}) });
    if (parsed.success) items.push(parsed.data);
    else log.warn(`outbox ${row.id}: not an item this version can hand over (${parsed.error.issues[0]?.path.join(".") ?? "?"}), left out`);
  }
  return items;
}
