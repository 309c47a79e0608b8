// What a cell of an exported sheet holds, before a sink writes it as XLSX or CSV.

/** A calendar day without a time (a date answer): XLSX writes it as a date, CSV as `YYYY-MM-DD`. */
export interface Day {
  day: string;
}

/**
 * A cell: text, a number, a time (already moved to the export's time zone: its UTC fields are the
 * wall clock there), a day, or empty.
 */
export type Cell = string | number | Date | Day | null;

/** Whether a cell is a day. */
export const isDay = (c: Cell): c is Day => typeof c === "object" && c !== null && !(c instanceof Date);

/** A time as CSV shows it: `YYYY-MM-DD HH:MM:SS` (the wall clock the cell already holds). */
export const timeText = (d: Date): string => d.toISOString().slice(0, 19).replace("T", " ");
