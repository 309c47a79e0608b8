import type { Sql } from "../db/index.ts";
import type { Producer } from "../queue/types.ts";
import { pendingTimers, type Inbox, type OutboxMarks } from "../repos/inbox.ts";
import type { Log } from "../log/log.ts";
import { dispatch } from "./dispatch.ts";
import type { TimerJob } from "../jobs/jobs.ts";
import { QUEUES, shardOf } from "./queues.ts";

/** What the relay found to queue again. */
export interface Relayed {
  /** Accepted messages whose turn was never stored. */
  messages: number;
  /** Outbox items (replies, events) stored with a turn whose jobs never finished. */
  outbox: number;
  /** Timers of waiting sessions. */
  timers: number;
}

export interface RelayDeps {
  broker: Producer;
  sql: Sql;
  inbox: Inbox;
  marks: OutboxMarks;
  shards: number;
  now: () => Date;
  log: Log;
}

/**
 * At start, with the in-process queues (transactional outbox): everything the database says was
 * accepted or committed but not done goes back on the queues, before any channel receives — the
 * accepted messages in their order, the outboxes of stored turns, and the timers of waiting sessions.
 * Job ids are the ones they had, and the database's receipts make a repeat harmless.
 */
export async function relay(d: RelayDeps): Promise<Relayed> {
  const now = d.now();
  let messages = 0;
  for (const m of await d.inbox.pending()) {
    // Stored after all (a turn whose message was not deleted with it): nothing left to do.
    if (m.stored) {
      await d.inbox.consume(m.channel, m.messageId);
      continue;
    }
    const input = (m.payload as { input?: { type?: string } }).input;
    await d.broker.put(QUEUES.inbound(shardOf(m.addressHash, d.shards)), input?.type ?? "message", m.payload, { id: `in-${m.channel}-${m.messageId}` });
    messages++;
  }
  const outbox = await d.marks.undone(d.log);
  await dispatch(d.broker, outbox, now);
  const timers = await pendingTimers(d.sql);
  for (const t of timers) {
    const job: TimerJob = { contactId: t.contactId, channel: t.channel, turn: t.turn, shard: shardOf(t.addressHash, d.shards) };
    await d.broker.put(QUEUES.timers, "timer", job, { id: `restart-${t.contactId}-${t.turn}`, delayMs: Math.max(0, t.dueAt.getTime() - now.getTime()) });
  }
  return { messages, outbox: outbox.length, timers: timers.length };
}
