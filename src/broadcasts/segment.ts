// Who a broadcast goes to. Always people who gave consent and are active (not stopped, not erased);
// announcements, invitations and flows only to those whose contact preference is `all`, a meeting's
// own notices (reminder, moved, cancelled) also to `direct_only`, and only to who said yes or maybe.
import { z } from "zod";
import { ChannelName } from "../channel/contract.ts";
import { NOTICE_KINDS, preferencesFor, type BroadcastKind, type SegmentQuery } from "../repos/broadcasts.ts";

/** A segment as stored with the broadcast; an empty list means everyone. */
export const Segment = z.object({
  territories: z.array(z.string()).default([]),
  languages: z.array(z.string()).default([]),
  channels: z.array(ChannelName).default([]),
  /** Only people who wrote within this many days. */
  seenWithinDays: z.number().int().positive().optional(),
  /** Only people who finished this flow, or left it half-way. */
  flow: z.object({ id: z.string().min(1), state: z.enum(["finished", "left"]) }).optional(),
  /** A meeting's reminder: only people who asked for this one. */
  reminder: z.enum(["day_before", "hour_before"]).optional(),
  /** A place freed up: the people moved up from the waiting list at this moment (ISO 8601). */
  promotedAt: z.string().optional(),
  /** A reply to one person's feedback: only them. */
  contacts: z.array(z.uuid()).optional(),
});
export type Segment = z.infer<typeof Segment>;


// Who each notice is for: reminders to those with a place; a move or a cancellation to the waiting
// list too; a freed place to those it went to.
const NOTICE_ANSWERS: Partial<Record<BroadcastKind, readonly string[]>> = {
  meeting_reminder: ["yes", "maybe"],
  meeting_moved: ["yes", "maybe", "waitlist"],
  meeting_cancelled: ["yes", "maybe", "waitlist"],
  meeting_promoted: ["yes"],
};

/** The query for a broadcast's people, and the contact preferences it may reach. */
export function segmentQuery(b: { kind: BroadcastKind; event_id: string | null; segment: unknown }): { query: SegmentQuery; preferences: readonly string[] } {
  const s = Segment.parse(b.segment ?? {});
  const notice = NOTICE_KINDS.includes(b.kind);
  return {
    query: {
      territories: s.territories,
      languages: s.languages,
      channels: s.channels,
      seenWithinDays: s.seenWithinDays,
      flow: s.flow,
      contacts: s.contacts,
      ...(notice && b.event_id
        ? { rsvp: { eventId: b.event_id, answers: NOTICE_ANSWERS[b.kind] ?? ["yes", "maybe"], reminder: s.reminder, promotedAt: s.promotedAt ? new Date(s.promotedAt) : undefined } }
        : {}),
    },
    preferences: preferencesFor(b.kind),
  };
}
