// Where an export's sheets go: an XLSX workbook, or one CSV file per sheet. Rows are handed over one
// at a time and written as they come (nothing is held back), so memory stays flat.
import type { Cell } from "./cells.ts";

/** The sheets of an export, in the order they are written. */
export type SheetName = "responses" | "codebook" | "about";

/** One sheet being written. */
export interface SheetSink {
  /** Add a row; wait when the sink asks for a pause (its file is behind). */
  add(cells: readonly Cell[]): Promise<void> | void;
  /** The sheet is complete. */
  end(): Promise<void>;
}

/** An export's files. */
export interface WorkbookSink {
  /** Start a sheet with its header row (one sheet at a time, each ended before the next). */
  sheet(name: SheetName, headers: readonly string[]): Promise<SheetSink>;
  /** Finish: the files appear under their names only now. Returns their paths. */
  close(): Promise<string[]>;
  /** Give up: remove what was written. */
  abort(): Promise<void>;
}
