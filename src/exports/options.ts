// What an export is asked for, checked once (the CLI and any other caller pass the same shape).
import { z } from "zod";

export const ExportFormat = z.enum(["xlsx", "csv"]);
export type ExportFormat = z.infer<typeof ExportFormat>;

/** An export's options, as the exporter takes them (times already instants). */
export const ExportOptions = z.object({
  flowId: z.string().min(1),
  format: ExportFormat.default("xlsx"),
  /** Runs started at or after this instant. */
  from: z.date().optional(),
  /** Runs started before this instant. */
  to: z.date().optional(),
  /** Territory ids; empty: all. */
  territories: z.array(z.string()).default([]),
  /** A language for label columns beside the codes; unset: codes only. */
  labels: z.string().optional(),
  /** Free text (and places) in the file; without it those cells say they were withheld. */
  includeText: z.boolean().default(false),
  /** Person ids stable across exports (from INLOCO_HASH_KEY) instead of random per export. */
  stableIds: z.boolean().default(false),
  /** The file (XLSX) or the files' common start (CSV: `<out>-responses.csv`, …). */
  out: z.string().min(1),
  /** The time zone times are written in, and --from/--to were read in. */
  timeZone: z.string().min(1),
  /** How the options were written, for the about sheet (`--from 2027-03-01`). */
  given: z.record(z.string(), z.string()).default({}),
});
export type ExportOptions = z.infer<typeof ExportOptions>;
export type ExportOptionsInput = z.input<typeof ExportOptions>;

/** Rows read from the database at a time: memory stays flat whatever the export's size. */
export const PAGE_SIZE = 1000;
/** Rows between two progress lines. */
export const PROGRESS_EVERY = 10_000;
