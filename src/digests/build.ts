// Building a digest: a few statements (src/repos/digests.ts) for one task force and period, turned
// into a Digest with exact counts and labels in the task force's working language.
import type { Sql } from "../db/index.ts";
import type { Texts } from "../i18n/texts.ts";
import {
  comingMeetingRows,
  feedbackItemRow,
  feedbackItemRows,
  feedbackTopicRows,
  needsRows,
  reachRows,
  type FeedbackItemRow,
} from "../repos/digests.ts";
import { listTaskForces as allTaskForceRows, taskForceById, taskForcesNamed, type TaskForceRow } from "../repos/task-forces.ts";
import { Digest, type FeedbackItem } from "./digest.ts";
import { AmbiguousTaskForceError, DigestPeriodError, TaskForceNotFoundError, type KnownTaskForce } from "./errors.ts";
import { instantOfLocalTime, localTimeOf } from "../meetings/local-time.ts";
import { excerptOf, languageName } from "./format.ts";
import { NEED_CATEGORIES, NEED_SIGNS, NEEDS_FLOW, PRIORITY_RESULT, needLabelKey, type NeedCategory } from "./needs.ts";

/** What digests need: the database, the newcomers' texts (for need and topic names), the privacy threshold, a clock. */
export type DigestsContext = {
  sql: Sql;
  /** The newcomers' texts (`locales/`): names of needs and feedback topics in the working language. */
  texts: Texts;
  /** INLOCO_DIGEST_MIN_COUNT: counts below it are shown as "< minCount". */
  minCount: number;
  now?: () => Date;
};

/** Which digest: a task force's, for the period [from, to). */
export interface DigestRequest {
  taskForceId: string;
  from: Date;
  to: Date;
}

/** Feedback items of each topic a digest carries (the message shows what fits). */
export const ITEMS_PER_TOPIC = 3;
/** Coming meetings a digest lists. */
export const MEETINGS_LISTED = 5;

/** A task force as a digest is addressed: the Digest's `taskForce`. */
export interface DigestTaskForce {
  id: string;
  name: string;
  territoryId: string;
  territoryName: string;
  timeZone: string;
  language: string;
  slackChannel: string | null;
}

const asDigestTaskForce = (r: TaskForceRow): DigestTaskForce => ({
  id: r.id,
  name: r.name,
  territoryId: r.territory_id,
  territoryName: r.territory_name,
  timeZone: r.time_zone,
  language: r.language,
  slackChannel: r.slack_channel,
});
const allTaskForces = async (sql: Sql): Promise<DigestTaskForce[]> => (await allTaskForceRows(sql)).map(asDigestTaskForce);

const known = (rows: readonly DigestTaskForce[]): KnownTaskForce[] => rows.map((t) => ({ id: t.id, name: t.name, territoryId: t.territoryId }));

/** Every task force, by name. */
export async function listTaskForces(ctx: Pick<DigestsContext, "sql">): Promise<DigestTaskForce[]> {
  return allTaskForces(ctx.sql);
}

/** The task force with this id or name (letter case aside); TaskForceNotFoundError lists the known ones. */
export async function findTaskForce(ctx: Pick<DigestsContext, "sql">, idOrName: string): Promise<DigestTaskForce> {
  const found = (await taskForcesNamed(ctx.sql, idOrName)).map(asDigestTaskForce);
  if (found.length === 1) return found[0] as DigestTaskForce;
  if (found.length > 1) throw new AmbiguousTaskForceError(idOrName, known(found));
  throw new TaskForceNotFoundError(idOrName, known(await allTaskForces(ctx.sql)));
}

/** The period the week before `now`: [now − 7 days, now). */
export function lastWeek(now: Date): { from: Date; to: Date } {
  return { from: new Date(now.getTime() - 7 * 86_400_000), to: now };
}

/** A task force's digest for [from, to), compared with the period of the same length before it. */
export async function buildDigest(ctx: DigestsContext, req: DigestRequest): Promise<Digest> {
  const { from, to } = req;
  if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime())) throw new DigestPeriodError("the period's start and end must be dates");
  if (to.getTime() <= from.getTime()) throw new DigestPeriodError(`the period must end after it starts (from ${from.toISOString()}, to ${to.toISOString()})`);
  const row = /^[0-9a-f-]{36}$/i.test(req.taskForceId) ? await taskForceById(ctx.sql, req.taskForceId) : undefined;
  const tf = row ? asDigestTaskForce(row) : null;
  if (!tf) throw new TaskForceNotFoundError(req.taskForceId, known(await allTaskForces(ctx.sql)));
  const now = ctx.now?.() ?? new Date();
  const previousFrom = previousStart(from, to, tf.timeZone);
  const periods = { previousFrom, from, to };
  const lang = tf.language;

  const [needs, reach, topics, items, meetings] = await Promise.all([
    needsRows(ctx.sql, { ...periods, territoryId: tf.territoryId, flowId: NEEDS_FLOW, priorityResult: PRIORITY_RESULT, needs: NEED_CATEGORIES.map((c) => NEED_SIGNS[c]) }),
    reachRows(ctx.sql, { ...periods, territoryId: tf.territoryId }),
    feedbackTopicRows(ctx.sql, { ...periods, taskForceId: tf.id }),
    feedbackItemRows(ctx.sql, { taskForceId: tf.id, from, to, perTopic: ITEMS_PER_TOPIC }),
    comingMeetingRows(ctx.sql, { territoryId: tf.territoryId, taskForceId: tf.id, now, limit: MEETINGS_LISTED }),
  ]);

  // Needs, priorities and surveys, from the runs grouped by period, completion and priority.
  const sum = (current: boolean, value: (r: (typeof needs)[number]) => number) => needs.filter((r) => r.current === current).reduce((n, r) => n + value(r), 0);
  const both = (value: (r: (typeof needs)[number]) => number) => ({ current: sum(true, value), previous: sum(false, value) });
  const needLabel = (c: NeedCategory) => ctx.texts.t(lang, needLabelKey(c));
  const categories = NEED_CATEGORIES.map((id, i) => ({ id, label: needLabel(id), ...both((r) => r.needs[i] ?? 0) }));
  const priorities = NEED_CATEGORIES.map((id) => ({ id, label: needLabel(id), ...both((r) => (r.priority === id ? r.runs : 0)) })).sort((a, b) => b.current - a.current || b.previous - a.previous || NEED_CATEGORIES.indexOf(a.id) - NEED_CATEGORIES.indexOf(b.id));
  const runs = both((r) => r.runs);
  const completed = both((r) => (r.completed ? r.runs : 0));

  const reached = { current: reach.reduce((n, r) => n + r.current, 0), previous: reach.reduce((n, r) => n + r.previous, 0) };
  const languages = reach
    .filter((r) => r.current > 0)
    .map((r) => ({ code: r.language, label: languageName(r.language, lang), count: r.current }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));

  const topicLabel = (t: string) => topicName(ctx.texts, lang, t);
  const topicList = topics
    .map((t) => ({ id: t.topic, label: topicLabel(t.topic), current: t.current, previous: t.previous }))
    .sort((a, b) => b.current - a.current || b.previous - a.previous || a.id.localeCompare(b.id));
  const rank = new Map(topicList.map((t, i) => [t.id, i]));
  const itemList = items
    .map((r) => feedbackItemOf(r, topicLabel(r.topic)))
    .sort((a, b) => Number(b.status === "new") - Number(a.status === "new") || (rank.get(a.topic) ?? 0) - (rank.get(b.topic) ?? 0) || b.createdAt.getTime() - a.createdAt.getTime());

  return Digest.parse({
    taskForce: { id: tf.id, name: tf.name, territoryId: tf.territoryId, territoryName: tf.territoryName, timeZone: tf.timeZone, language: lang, slackChannel: tf.slackChannel },
    period: periods,
    minCount: ctx.minCount,
    generatedAt: now,
    needs: { runs, categories },
    priorities,
    participation: {
      reached,
      newContacts: reach.reduce((n, r) => n + r.new, 0),
      surveysStarted: runs,
      surveysCompleted: completed,
      languages,
    },
    feedback: {
      total: { current: topics.reduce((n, t) => n + t.current, 0), previous: topics.reduce((n, t) => n + t.previous, 0) },
      topics: topicList,
      items: itemList,
    },
    meetings: meetings.map((m) => ({
      id: m.id,
      title: m.title[lang] || m.title[m.baseLanguage] || Object.values(m.title)[0] || "",
      startsAt: m.startsAt,
      endsAt: m.endsAt,
      timeZone: m.timeZone,
      place: m.place,
      capacity: m.capacity,
      rsvps: { yes: m.yes, maybe: m.maybe, no: m.no, waitlist: m.waitlist },
    })),
  });
}

/**
 * Where the period before [from, to) starts: as long before `from` as `to` is after it. A period of whole
 * days on the territory's clocks is compared with as many whole days (a week across the change to summer
 * time is 7 days before, not 167 hours).
 */
export function previousStart(from: Date, to: Date, timeZone: string): Date {
  const [f, t] = [localTimeOf(from, timeZone), localTimeOf(to, timeZone)];
  if (f.endsWith(" 00:00") && t.endsWith(" 00:00") && from.getTime() % 60_000 === 0) {
    const days = Math.round((Date.parse(t.slice(0, 10)) - Date.parse(f.slice(0, 10))) / 86_400_000);
    const day = new Date(Date.parse(f.slice(0, 10)) - days * 86_400_000).toISOString().slice(0, 10);
    const start = instantOfLocalTime(`${day} 00:00`, timeZone);
    if (start instanceof Date) return start;
  }
  return new Date(from.getTime() - (to.getTime() - from.getTime()));
}

/** A feedback topic's name in a language (the feedback flow's own names), or the topic itself. */
export function topicName(texts: Texts, language: string, topic: string): string {
  const key = `feedback:category.${topic}`;
  return texts.has(language, key) || texts.has("en", key) ? texts.t(language, key) : topic;
}

function feedbackItemOf(r: FeedbackItemRow, topicLabel: string): FeedbackItem {
  return {
    id: r.id,
    topic: r.topic,
    topicLabel,
    excerpt: excerptOf(r.text),
    voice: r.voice,
    status: r.status,
    contactBack: r.contactBack,
    createdAt: r.createdAt,
    triagedBy: r.triagedBy,
    triagedAt: r.triagedAt,
  };
}

/**
 * One piece of feedback as a task force is shown it (a new-feedback notice, a button's handler that
 * redraws it), its topic named in `language`; null when there is none with this id.
 */
export async function feedbackItem(ctx: Pick<DigestsContext, "sql" | "texts">, feedbackId: string, language: string): Promise<(FeedbackItem & { taskForceId: string | null; territoryId: string | null }) | null> {
  if (!/^[0-9a-f-]{36}$/i.test(feedbackId)) return null;
  const row = await feedbackItemRow(ctx.sql, feedbackId);
  return row ? { ...feedbackItemOf(row, topicName(ctx.texts, language, row.topic)), taskForceId: row.taskForceId, territoryId: row.territoryId } : null;
}
