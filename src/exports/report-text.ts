// The report as terminal text: counts with bars of block characters (eighths of a cell). A count under
// the threshold is written "< 5" as in the digests (the same countText) and gets no bar, since a bar's
// length would tell the number; a percentage is made only of counts that are shown.
import { countText, isShown, percentText } from "../digests/format.ts";
import type { CompletionCount, Report } from "./report.ts";

const EIGHTHS = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
/** Cells of the longest bar. */
export const BAR_WIDTH = 24;

/** A bar of `value` against `max`, `width` cells long at most, in eighths of a cell. */
export function bar(value: number, max: number, width = BAR_WIDTH): string {
  if (max <= 0 || value <= 0) return "";
  const eighths = Math.max(1, Math.round((value / max) * width * 8));
  return "█".repeat(Math.floor(eighths / 8)) + (EIGHTHS[eighths % 8] as string);
}

const cut = (s: string, max: number) => ([...s].length <= max ? s : `${[...s].slice(0, max - 1).join("")}…`);

// Rows of a labelled bar chart: label, bar, count (and more columns), aligned.
function chart(rows: ReadonlyArray<{ label: string; value: number; extra?: string }>, min: number): string[] {
  const shownMax = Math.max(0, ...rows.filter((r) => isShown(r.value, min)).map((r) => r.value));
  const labels = rows.map((r) => cut(r.label, 44));
  const w = Math.max(0, ...labels.map((l) => [...l].length));
  const counts = rows.map((r) => countText(r.value, min, "en"));
  const cw = Math.max(0, ...counts.map((c) => c.length));
  return rows.map((r, i) => {
    const b = isShown(r.value, min) ? bar(r.value, shownMax) : "";
    const label = labels[i] as string;
    return `  ${label}${" ".repeat(w - [...label].length)}  ${b.padEnd(BAR_WIDTH)}  ${(counts[i] as string).padStart(cw)}${r.extra ? `  ${r.extra}` : ""}`.trimEnd();
  });
}

const completionLine = (c: CompletionCount, min: number) => {
  const pct = percentText(c.completed, c.runs, min, "en");
  return `completed ${countText(c.completed, min, "en")}${pct ? ` (${pct})` : ""}`;
};

/** The report as lines of text for a terminal. */
export function reportText(r: Report): string {
  const min = r.minCount;
  const out: string[] = [];
  out.push(`${r.title ? `${r.title} (${r.flowId})` : r.flowId} — ${r.territory ? `territory ${r.territory}` : "all territories"}`);
  out.push(`Runs ${countText(r.total.runs, min, "en")}, ${completionLine(r.total, min)}. Counts under ${min} show as "< ${min}".`);
  const completion = (title: string, groups: readonly CompletionCount[]) => {
    out.push("", title);
    out.push(...chart(groups.map((g) => ({ label: g.key, value: g.runs, extra: completionLine(g, min) })), min));
  };
  completion("Runs by territory", r.byTerritory);
  completion("Runs by language", r.byLanguage);
  for (const q of r.questions) {
    out.push("", `${q.name}${q.text ? ` — ${cut(q.text.replace(/\s+/g, " "), 90)}` : ""} [${q.type}]`);
    const codeWidth = Math.max(0, ...q.options.map((o) => o.code.length));
    const rows = q.options.map((o) => ({ label: o.label ? `${o.code.padEnd(codeWidth)}  ${o.label.replace(/\s+/g, " ")}` : o.code, value: o.count }));
    if (rows.length > 0) out.push(...chart(rows, min));
    out.push(`  answered ${countText(q.answered, min, "en")} · skipped ${countText(q.skipped, min, "en")} · not asked ${countText(q.notAsked, min, "en")}`);
  }
  return out.join("\n");
}
