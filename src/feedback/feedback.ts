// The feedback service: the one place staff triage feedback and answer the people who asked to be
// contacted back, for Slack and the CLI alike. It writes the database only: a reply is a broadcast to
// one person, sent by the broadcaster like any other (once, and not if they stop or are erased first).
import { z } from "zod";
import type { Sql } from "../db/index.ts";
import { writeAudit } from "../repos/audit.ts";
import { insertBroadcast } from "../repos/broadcasts.ts";
import { findFeedback, replyTarget, setFeedbackStatus, type FeedbackItemRow, type TriageStatus } from "../repos/feedback.ts";
import { FeedbackNotFoundError, FeedbackReplyError } from "./errors.ts";

/** What the service needs: the database and a clock. */
export interface FeedbackContext {
  sql: Sql;
  now?: () => Date;
}

/** The statuses a task force gives feedback. */
export const Triage = z.enum(["forwarded", "resolved", "not_for_us"]);

/** The longest reply: one message on every channel. */
export const REPLY_MAX = 3000;

/** A feedback item as staff see it (no person, only whether they can be answered). */
export type FeedbackItem = FeedbackItemRow;

/** One feedback item. */
export async function showFeedback(ctx: FeedbackContext, id: string): Promise<FeedbackItem> {
  const row = UUID.test(id) ? await findFeedback(ctx.sql, id) : undefined;
  if (!row) throw new FeedbackNotFoundError(id);
  return row;
}

/** Set a feedback item's status (who did it, when, and an audit row). */
export async function triageFeedback(ctx: FeedbackContext, id: string, status: TriageStatus, actor: string): Promise<FeedbackItem> {
  const row = UUID.test(id) ? await setFeedbackStatus(ctx.sql, id, Triage.parse(status), actor, now(ctx)) : undefined;
  if (!row) throw new FeedbackNotFoundError(id);
  return row;
}

/**
 * Answer the person behind a feedback item, through the bot, framed in their language: a one-person
 * broadcast, sent within seconds (quiet hours on their territory's clocks hold it). The audit row says
 * who answered, never what.
 */
export async function replyToFeedback(ctx: FeedbackContext, id: string, text: string, actor: string): Promise<{ broadcastId: string }> {
  const words = text.trim();
  if (words.length === 0) throw new FeedbackReplyError(id, "text", "write the reply");
  if (words.length > REPLY_MAX) throw new FeedbackReplyError(id, "text", `${words.length} characters: at most ${REPLY_MAX}`);
  await showFeedback(ctx, id);
  const target = await replyTarget(ctx.sql, id);
  if (!target) throw new FeedbackReplyError(id, "person", "this person can't be answered: they didn't ask to be contacted back, stopped, or deleted their data");
  const at = now(ctx);
  const broadcastId = await insertBroadcast(
    ctx.sql,
    {
      kind: "feedback_reply",
      messages: { text: words, from: target.task_force_name ?? "In Loco" },
      baseLanguage: target.language,
      eventId: null,
      flowId: null,
      segment: { contacts: [target.contact_id] },
      scheduledAt: at,
      expiresAt: null,
      quietHours: true,
      status: "scheduled",
      createdBy: actor,
    },
    at,
  );
  if (!broadcastId) throw new Error("the reply was not written");
  await writeAudit(ctx.sql, actor, "feedback_reply", id, { broadcast: broadcastId });
  return { broadcastId };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const now = (ctx: FeedbackContext) => (ctx.now ?? (() => new Date()))();
