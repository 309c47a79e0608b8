// A digest as plain text for a terminal (`inloco digest preview`): aligned columns, the threshold applied.
import type { Digest } from "./digest.ts";
import { hasWaitingList, shownLanguages, shownPriorities } from "./shown.ts";
import { changeText, countText, dayText, meetingTimeText, percentText, periodEnds, say } from "./format.ts";

/** Lines of "label  count  change", the labels padded to one width and the counts right-aligned. */
function rows(lines: ReadonlyArray<{ label: string; count: string; change?: string | null; note?: string | null }>, indent = "  "): string[] {
  const width = Math.max(0, ...lines.map((l) => [...l.label].length));
  const countWidth = Math.max(0, ...lines.map((l) => l.count.length));
  return lines.map((l) => {
    const tail = [l.change ?? "", l.note ?? ""].filter((s) => s !== "").join("  ");
    return `${indent}${l.label}${" ".repeat(width - [...l.label].length)}  ${l.count.padStart(countWidth)}${tail ? `  ${tail}` : ""}`.trimEnd();
  });
}

/** Header lines every rendering shares: the title, the period compared, the territory. */
export function digestHeading(d: Digest): { title: string; period: string; territory: string } {
  const lang = d.taskForce.language;
  const zone = d.taskForce.timeZone;
  const now = periodEnds(d.period.from, d.period.to, zone, lang, true);
  const before = periodEnds(d.period.previousFrom, d.period.from, zone, lang);
  return {
    title: say(lang, "title", { taskForce: d.taskForce.name }),
    period: say(lang, "period", { from: now.from, to: now.to, previousFrom: before.from, previousTo: before.to }),
    territory: say(lang, "territory", { territory: d.taskForce.territoryName }),
  };
}

/** The digest as text for a terminal, in the task force's working language. */
export function digestText(d: Digest): string {
  const lang = d.taskForce.language;
  const min = d.minCount;
  const count = (n: number) => countText(n, min, lang);
  const change = (c: { current: number; previous: number }) => changeText(c.current, c.previous, min, lang);
  const head = digestHeading(d);
  const out: string[] = [head.title, head.period, head.territory, ""];
  const section = (key: string) => out.push(say(lang, `sections.${key}`).toUpperCase());

  section("needs");
  if (d.needs.runs.current === 0 && d.needs.runs.previous === 0) out.push(`  ${say(lang, "needs.none")}`);
  else {
    out.push(`  ${say(lang, "needs.among", { runs: count(d.needs.runs.current) })}`);
    out.push(...rows(d.needs.categories.map((c) => ({ label: c.label, count: count(c.current), change: change(c) }))));
  }
  out.push("");

  section("priorities");
  const { ranked, others } = shownPriorities(d);
  out.push(...rows(ranked.map((p, i) => ({ label: `${i + 1}. ${p.label}`, count: count(p.current), change: change(p) }))));
  if (others.length > 0) out.push(`  ${say(lang, "each_under", { min, list: others.map((p) => p.label).join(", ") })}`);
  out.push("");

  section("participation");
  const p = d.participation;
  const rate = percentText(p.surveysCompleted.current, p.surveysStarted.current, min, lang);
  out.push(
    ...rows([
      { label: say(lang, "participation.reached"), count: count(p.reached.current), change: change(p.reached) },
      { label: say(lang, "participation.new"), count: count(p.newContacts) },
      { label: say(lang, "participation.started"), count: count(p.surveysStarted.current), change: change(p.surveysStarted) },
      { label: say(lang, "participation.completed"), count: count(p.surveysCompleted.current), change: change(p.surveysCompleted), note: rate ? `(${say(lang, "participation.rate", { rate })})` : null },
    ]),
  );
  const spoken = shownLanguages(d);
  if (spoken.named.length > 0 || spoken.others > 0) {
    out.push(`  ${say(lang, "participation.languages")}:`);
    const lines = spoken.named.map((l) => ({ label: l.label, count: count(l.count) }));
    if (spoken.others > 0) lines.push({ label: say(lang, "participation.other_languages"), count: count(spoken.others) });
    out.push(...rows(lines, "    "));
  }
  out.push("");

  section("feedback");
  const f = d.feedback;
  out.push(...rows([{ label: say(lang, "feedback.total"), count: count(f.total.current), change: change(f.total) }]));
  const topics = f.topics.filter((t) => t.current > 0);
  if (topics.length > 0) out.push(...rows(topics.map((t) => ({ label: t.label, count: count(t.current), change: change(t) })), "    "));
  if (f.items.length > 0) {
    out.push(`  ${say(lang, "feedback.items")}:`);
    for (const item of f.items) {
      const what = item.excerpt !== null ? `"${item.excerpt}"` : say(lang, item.voice ? "feedback.voice" : "feedback.removed");
      const flags = [say(lang, `feedback.status.${item.status}`), ...(item.contactBack ? [say(lang, "feedback.contact_back")] : [])].join(", ");
      out.push(`  - ${dayText(item.createdAt, d.taskForce.timeZone, lang)} · ${item.topicLabel} · ${what} [${flags}]`);
    }
  }
  out.push("");

  section("meetings");
  if (d.meetings.length === 0) out.push(`  ${say(lang, "meetings.none")}`);
  for (const m of d.meetings) {
    const answers = say(lang, "meetings.rsvps", { yes: count(m.rsvps.yes), maybe: count(m.rsvps.maybe), no: count(m.rsvps.no) });
    const waiting = hasWaitingList(m) ? ` · ${say(lang, "meetings.waitlist", { n: count(m.rsvps.waitlist) })}` : "";
    out.push(`  ${meetingTimeText(m.startsAt, m.timeZone, lang)} · ${m.title} · ${m.place}`);
    out.push(`    ${answers}${waiting}`);
  }
  out.push("", say(lang, "threshold", { min }));
  return out.join("\n");
}
