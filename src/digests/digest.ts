// A digest as plain data: what buildDigest reads and every renderer (text, Slack blocks, chart) draws.
// Counts inside are exact; the privacy threshold (`minCount`) travels with them and is applied by each
// renderer as it writes a number. Labels are already in the task force's working language.
import { z } from "zod";
import { NEED_CATEGORIES } from "./needs.ts";

const Count = z.number().int().nonnegative();

/** A count in this period and in the previous one of the same length. */
export const Compared = z.object({ current: Count, previous: Count });
export type Compared = z.infer<typeof Compared>;

export const FEEDBACK_STATUSES = ["new", "triaged", "forwarded", "resolved", "not_for_us"] as const;
export const FeedbackStatus = z.enum(FEEDBACK_STATUSES);
export type FeedbackStatus = z.infer<typeof FeedbackStatus>;

/** A piece of feedback as a task force sees it: a masked excerpt, never who wrote it. */
export const FeedbackItem = z.object({
  id: z.guid(),
  /** The feedback's category (`feedback.category`). */
  topic: z.string(),
  /** The topic's name in the working language (the topic itself when the texts have none). */
  topicLabel: z.string(),
  /** At most ~200 characters, phone numbers, e-mail and chat addresses and self-given names masked; null: none to show. */
  excerpt: z.string().nullable(),
  /** Sent as a voice note (no text to show). */
  voice: z.boolean(),
  status: FeedbackStatus,
  /** The person agreed to be contacted back, and has not been erased since. */
  contactBack: z.boolean(),
  createdAt: z.date(),
  /** Who set the status last (a Slack user id or "cli:<user>") and when; null while new. */
  triagedBy: z.string().nullable(),
  triagedAt: z.date().nullable(),
});
export type FeedbackItem = z.infer<typeof FeedbackItem>;

/** Counts of one category (a need, a priority, a feedback topic) in both periods. */
const Labelled = Compared.extend({ id: z.string(), label: z.string() });

export const Digest = z.object({
  taskForce: z.object({
    id: z.guid(),
    name: z.string(),
    territoryId: z.string(),
    territoryName: z.string(),
    /** The territory's clocks: dates are shown on them. */
    timeZone: z.string(),
    /** The working language every text and label of the digest is in. */
    language: z.string(),
    slackChannel: z.string().nullable(),
  }),
  /** [from, to), compared with [previousFrom, from): the same length just before. */
  period: z.object({ from: z.date(), to: z.date(), previousFrom: z.date() }),
  /** Counts below this are shown as "< minCount"; a change or a percentage only from counts shown. */
  minCount: z.number().int().positive(),
  generatedAt: z.date(),
  needs: z.object({
    /** Needs surveys started in each period by people of the territory: the people the needs are counted among. */
    runs: Compared,
    /** Every category, in the survey's order: how many of those runs show it. */
    categories: z.array(Labelled.extend({ id: z.enum(NEED_CATEGORIES) })),
  }),
  /** How many named each category their top priority (the `priority` question), most named first; every category. */
  priorities: z.array(Labelled.extend({ id: z.enum(NEED_CATEGORIES) })),
  participation: z.object({
    /** Contacts of the territory seen in the period (first message, last message or a survey started in it). */
    reached: Compared,
    /** Of those reached in this period, the ones who first wrote in it. */
    newContacts: Count,
    /** Needs surveys started in the period, and how many of them are completed. */
    surveysStarted: Compared,
    surveysCompleted: Compared,
    /** People reached in this period by the language they talk in, most first. */
    languages: z.array(z.object({ code: z.string(), label: z.string(), count: Count })),
  }),
  feedback: z.object({
    /** Feedback routed to the task force in each period. */
    total: Compared,
    /** By topic, most in this period first (topics with none in either period left out). */
    topics: z.array(Labelled),
    /** A few of each topic in this period, not yet triaged first, then the newest. */
    items: z.array(FeedbackItem),
  }),
  /** The territory's meetings not over yet that the task force (or nobody in particular) holds, soonest first. */
  meetings: z.array(
    z.object({
      id: z.guid(),
      /** In the working language, else the meeting's base language. */
      title: z.string(),
      startsAt: z.date(),
      endsAt: z.date().nullable(),
      timeZone: z.string(),
      place: z.string(),
      capacity: z.number().int().positive().nullable(),
      rsvps: z.object({ yes: Count, maybe: Count, no: Count, waitlist: Count }),
    }),
  ),
});
export type Digest = z.infer<typeof Digest>;
