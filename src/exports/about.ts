// The `about` sheet: what the export holds and how to read it, as item / value rows.
import type { Cell } from "./cells.ts";
import { MARKS } from "./responses.ts";

/** What the about sheet tells. */
export interface AboutFacts {
  flowId: string;
  /** The flow's title in English, when it has one. */
  flowTitle?: string | undefined;
  /** The version the current flow file declares (none: the flow is only in the data). */
  fileVersion?: string | undefined;
  /** Runs exported per flow version. */
  versions: ReadonlyArray<{ version: string; runs: number }>;
  /** The options as written (`--from`: `2027-03-01`), or "all"/"no" when not given. */
  filters: ReadonlyArray<[string, string]>;
  timeZone: string;
  /** When it was made, on the export's clocks (wall clock in the UTC fields). */
  exportedAt: Date;
  rows: number;
  people: number;
  consent: ReadonlyArray<{ version: string | null; people: number; runs: number }>;
  includeText: boolean;
  stableIds: boolean;
  labels?: string | undefined;
  appVersion: string;
}

/** The about sheet's header row. */
export const ABOUT_HEADERS = ["item", "value"];

/** The about sheet's rows. */
export function aboutRows(f: AboutFacts): Cell[][] {
  const rows: Cell[][] = [
    ["what", `survey runs of the flow "${f.flowId}"${f.flowTitle ? ` (${f.flowTitle})` : ""}: one row per run in "responses", every column explained in "codebook"`],
    ["flow", f.flowId],
    ["flow version in the current flow file", f.fileVersion ?? "(none: the flow file is gone; variables come from the data)"],
    ...f.versions.map((v): Cell[] => [`runs of flow version ${v.version}`, v.runs]),
    ...f.filters.map(([k, v]): Cell[] => [`filter ${k}`, v]),
    ["time zone", `${f.timeZone} (every time in this export is on its clocks; in XLSX a time shows as a date until its column gets a date-and-time format)`],
    ["exported at", f.exportedAt],
    ["rows", f.rows],
    ["people", f.people],
    ...f.consent.map((c): Cell[] => [`consent version ${c.version ?? "(none recorded)"}`, `${c.people} people, ${c.runs} runs`]),
    ["not asked", "an empty cell: the run never reached the question (a branch skipped it, the run stopped before it, or its flow version lacked it)"],
    ["skipped", `"${MARKS.skipped}" in each of the question's columns: asked, and the person chose to skip it`],
    ["multiple choice", "the chosen codes joined by \";\", and one column per option (<question>__<code>): 1 chosen, 0 not"],
    ["person ids", f.stableIds ? "stable across exports made with the same INLOCO_HASH_KEY (--stable-ids): a keyed hash of the person, not their contact id" : "random for this export: the same person has another id in any other export, so exports can't be joined"],
    ["free text and places", f.includeText ? "INCLUDED (--include-text): free text can identify people; keep this file as personal data" : `withheld ("${MARKS.textWithheld}", "${MARKS.placeWithheld}"); a voice note is "${MARKS.voiceNote}"`],
    ["labels", f.labels ? `label columns in ${f.labels} beside the codes` : "codes only (--labels <language> adds label columns)"],
    ["escaping", "text beginning with = + - @ (or a tab or carriage return) starts with ' so that no cell is read as a formula"],
    ["made by", `In Loco Outreach ${f.appVersion} (inloco export)`],
  ];
  return rows;
}
