// A digest as a Slack message (Block Kit), and the blocks of one piece of feedback with its triage
// buttons. Pure: plain data in, blocks out. Within Slack's limits: a header at most 150 characters, a
// section at most 3000, at most 50 blocks, and well under the ~13,000 characters in all at which Slack
// is reported to refuse a message (bolt-js#2509); what does not fit ends in "… N more" and a pointer
// to the exports.
import type { types } from "@slack/bolt";
import type { Digest, FeedbackItem, FeedbackStatus } from "./digest.ts";
import { changeText, countText, cutTo, number, dayText, dayTimeText, meetingTimeText, mrkdwn, percentText, say } from "./format.ts";
import { hasWaitingList, shownLanguages, shownPriorities } from "./shown.ts";
import { digestHeading } from "./text.ts";

export type KnownBlock = types.KnownBlock;

/** Slack's limits, and the share of them a digest allows itself. */
export const SLACK_LIMITS = {
  blocks: 50,
  header: 150,
  section: 3000,
  /** Characters of text in all the blocks of one message: kept well under the ~13,000 Slack refuses. */
  message: 10_000,
  /** Feedback topics listed by name in the message (the rest: "… N more"). */
  topics: 12,
  /** Pieces of feedback shown with their buttons in the message. */
  items: 10,
} as const;

/** The action ids of the triage buttons: the click handlers match these. */
export const TRIAGE_ACTIONS = {
  forwarded: "triage_forwarded",
  resolved: "triage_resolved",
  not_for_us: "triage_not_for_us",
  reply: "triage_reply",
} as const;

/** The block id of a piece of feedback's buttons: `triage:<feedback id>`. */
export const triageBlockId = (feedbackId: string): string => `triage:${feedbackId}`;

/** Block Kit's blocks, their texts cut to Slack's limits (the Slack app builds its views with these too). */
export const section = (text: string): KnownBlock => ({ type: "section", text: { type: "mrkdwn", text: cutTo(text, SLACK_LIMITS.section) } });
export const context = (text: string): KnownBlock => ({ type: "context", elements: [{ type: "mrkdwn", text: cutTo(text, SLACK_LIMITS.section) }] });
export const header = (text: string): KnownBlock => ({ type: "header", text: { type: "plain_text", text: cutTo(text, SLACK_LIMITS.header), emoji: true } });
const divider: KnownBlock = { type: "divider" };

/**
 * A section of a title and lines, within Slack's 3000 characters: lines that don't fit are dropped
 * from the end for "… N more" (and `hint`, if given).
 */
function listSection(title: string, lines: readonly string[], more: (n: number) => string, maxLines = Infinity): KnownBlock {
  const head = `*${title}*`;
  let kept = Math.min(lines.length, maxLines);
  const text = (k: number) => [head, ...lines.slice(0, k), ...(k < lines.length ? [more(lines.length - k)] : [])].join("\n");
  while (kept > 0 && text(kept).length > SLACK_LIMITS.section) kept--;
  return section(text(kept));
}

/** A Slack date (shown on the reader's own clock), with a text for clients that can't. */
const slackDate = (at: Date, fallback: string) => `<!date^${Math.floor(at.getTime() / 1000)}^{date_short}|${mrkdwn(fallback)}>`;

/** Who set a status: a Slack user as a mention, anyone else ("cli:anna") as written. */
const whoText = (by: string) => (/^[UW][A-Z0-9]{2,}$/.test(by) ? `<@${by}>` : mrkdwn(by));

/**
 * A piece of feedback: a section (topic, date, status, excerpt) and its triage buttons, in an actions
 * block `triage:<feedback id>` — Forward, Resolved, Not for us, and Reply when the person may be
 * contacted back; each button's value is the feedback's id.
 */
export function feedbackItemBlocks(item: FeedbackItem, language: string): KnownBlock[] {
  return [itemSection(item, language), triageActions(item, language)];
}

function itemSection(item: FeedbackItem, language: string): KnownBlock {
  const what = item.excerpt !== null ? `>${mrkdwn(item.excerpt)}` : `_${say(language, item.voice ? "feedback.voice" : "feedback.removed")}_`;
  const about = [
    `*${mrkdwn(item.topicLabel)}*`,
    slackDate(item.createdAt, dayText(item.createdAt, "UTC", language, true)),
    `_${say(language, `feedback.status.${item.status}`)}_`,
    ...(item.contactBack ? [say(language, "feedback.contact_back")] : []),
  ].join(" · ");
  return section(`${about}\n${what}`);
}

function triageActions(item: FeedbackItem, language: string): KnownBlock {
  const button = (status: keyof typeof TRIAGE_ACTIONS, style?: "primary") => ({
    type: "button" as const,
    action_id: TRIAGE_ACTIONS[status],
    text: { type: "plain_text" as const, text: say(language, `buttons.${status}`) },
    value: item.id,
    ...(style ? { style } : {}),
  });
  return {
    type: "actions",
    block_id: triageBlockId(item.id),
    elements: [button("forwarded", "primary"), button("resolved"), button("not_for_us"), ...(item.contactBack ? [button("reply")] : [])],
  };
}

/** What replaces a piece of feedback's buttons once someone acted: "Forwarded by <@U123> · 7 Dec 14:02". */
export function triageOutcomeBlock(o: { status: FeedbackStatus; by: string; at: Date; timeZone: string; language: string }): KnownBlock {
  return context(say(o.language, `outcome.${o.status}`, { by: whoText(o.by), at: dayTimeText(o.at, o.timeZone, o.language) }));
}

/** The blocks of a piece of feedback in a digest: with its buttons while nobody acted on it, else who did. */
function digestItemBlocks(item: FeedbackItem, d: Digest): KnownBlock[] {
  const lang = d.taskForce.language;
  if (item.status === "new" || item.triagedBy === null || item.triagedAt === null) return feedbackItemBlocks(item, lang);
  return [itemSection(item, lang), triageOutcomeBlock({ status: item.status, by: item.triagedBy, at: item.triagedAt, timeZone: d.taskForce.timeZone, language: lang })];
}

/** Characters of text in blocks (what Slack's overall limit counts, roughly). */
function textLength(blocks: readonly KnownBlock[]): number {
  let n = 0;
  const walk = (v: unknown): void => {
    if (typeof v === "string") n += v.length;
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.entries(v).forEach(([k, x]) => k === "text" || k === "elements" || k === "fields" ? walk(x) : undefined);
  };
  blocks.forEach(walk);
  return n;
}

/**
 * The digest as a Slack message: a header, the needs, priorities and participation, feedback by topic
 * and the newest pieces with their buttons, the coming meetings, and a footer (the threshold, where the
 * whole lists are). `text` is the notification's fallback. `exportHint` replaces the default pointer
 * to `inloco export` / `inloco report`.
 */
export function digestMessage(d: Digest, o: { exportHint?: string } = {}): { text: string; blocks: KnownBlock[] } {
  const lang = d.taskForce.language;
  const min = d.minCount;
  const count = (n: number) => countText(n, min, lang);
  const withChange = (c: { current: number; previous: number }) => {
    const change = changeText(c.current, c.previous, min, lang);
    return `*${count(c.current)}*${change ? ` (${change})` : ""}`;
  };
  // Lines left out (categories, topics, meetings), not people: their number as it is.
  const more = (n: number) => say(lang, "more", { n: number(n, lang) });
  const hint = o.exportHint ?? say(lang, "export_hint");
  const head = digestHeading(d);

  const top: KnownBlock[] = [
    header(head.title),
    context(mrkdwn(`${head.period} · ${head.territory}`)),
  ];

  const needs =
    d.needs.runs.current === 0 && d.needs.runs.previous === 0
      ? section(`*${say(lang, "sections.needs")}*\n${say(lang, "needs.none")}`)
      : listSection(
          say(lang, "sections.needs"),
          [say(lang, "needs.among", { runs: withChange(d.needs.runs) }), ...d.needs.categories.map((c) => `• ${mrkdwn(c.label)}: ${withChange(c)}`)],
          more,
        );
  const { ranked, others } = shownPriorities(d);
  const priorities = listSection(
    say(lang, "sections.priorities"),
    [...ranked.map((p, i) => `${i + 1}. ${mrkdwn(p.label)}: ${withChange(p)}`), ...(others.length > 0 ? [say(lang, "each_under", { min, list: mrkdwn(others.map((p) => p.label).join(", ")) })] : [])],
    more,
  );
  const p = d.participation;
  const rate = percentText(p.surveysCompleted.current, p.surveysStarted.current, min, lang);
  const spoken = shownLanguages(d);
  const languages = [...spoken.named.map((l) => `${mrkdwn(l.label)} ${count(l.count)}`), ...(spoken.others > 0 ? [`${say(lang, "participation.other_languages")} ${count(spoken.others)}`] : [])];
  const participation = listSection(
    say(lang, "sections.participation"),
    [
      `• ${say(lang, "participation.reached")}: ${withChange(p.reached)}`,
      `• ${say(lang, "participation.new")}: *${count(p.newContacts)}*`,
      `• ${say(lang, "participation.started")}: ${withChange(p.surveysStarted)}`,
      `• ${say(lang, "participation.completed")}: ${withChange(p.surveysCompleted)}${rate ? `, ${say(lang, "participation.rate", { rate })}` : ""}`,
      ...(languages.length > 0 ? [`• ${say(lang, "participation.languages")}: ${languages.join(" · ")}`] : []),
    ],
    more,
  );

  const f = d.feedback;
  const topics = f.topics.filter((t) => t.current > 0);
  const feedback = listSection(
    say(lang, "sections.feedback"),
    [`${say(lang, "feedback.total")}: ${withChange(f.total)}`, ...topics.map((t) => `• ${mrkdwn(t.label)}: ${withChange(t)}`)],
    (n) => `${more(n)} · ${hint}`,
    1 + SLACK_LIMITS.topics,
  );

  const meetings = listSection(
    say(lang, "sections.meetings"),
    d.meetings.length === 0
      ? [say(lang, "meetings.none")]
      : d.meetings.map((m) => {
          const answers = say(lang, "meetings.rsvps", { yes: count(m.rsvps.yes), maybe: count(m.rsvps.maybe), no: count(m.rsvps.no) });
          const waiting = hasWaitingList(m) ? ` · ${say(lang, "meetings.waitlist", { n: count(m.rsvps.waitlist) })}` : "";
          return `• *${mrkdwn(meetingTimeText(m.startsAt, m.timeZone, lang))}* · ${mrkdwn(m.title)} · ${mrkdwn(m.place)}\n   ${answers}${waiting}`;
        }),
    more,
  );
  const footer = context(`${say(lang, "threshold", { min })} ${hint}`);

  // The pieces of feedback, as many as fit beside the rest: in blocks, in characters, and in number.
  const fixed = [...top, needs, priorities, participation, divider, feedback, divider, meetings, footer];
  const itemBlocks: KnownBlock[] = [];
  let shown = 0;
  const room = (extra: readonly KnownBlock[], withMore: boolean) =>
    fixed.length + itemBlocks.length + extra.length + (withMore ? 1 : 0) <= SLACK_LIMITS.blocks && textLength([...fixed, ...itemBlocks, ...extra]) + (withMore ? 200 : 0) <= SLACK_LIMITS.message;
  for (const item of f.items.slice(0, SLACK_LIMITS.items)) {
    const blocks = digestItemBlocks(item, d);
    const last = shown + 1 === f.items.length;
    if (!room(blocks, !last)) break;
    itemBlocks.push(...blocks);
    shown++;
  }
  // Pieces not shown: those the digest carries beyond what fits, and those beyond the few per topic it carries.
  const hidden = f.total.current - shown;
  if (hidden > 0 && f.items.length > 0) itemBlocks.push(context(`${say(lang, "feedback.more_items", { n: count(hidden) })} · ${hint}`));

  const blocks = [...top, needs, priorities, participation, divider, feedback, ...itemBlocks, divider, meetings, footer];
  const text = cutTo(
    [head.title, head.period, `${say(lang, "needs.among", { runs: count(d.needs.runs.current) })}`, `${say(lang, "feedback.total")}: ${count(f.total.current)}`].join(" · "),
    SLACK_LIMITS.section,
  );
  return { text, blocks };
}
