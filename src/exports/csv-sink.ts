// The CSV sink: one file per sheet, `<base>-responses.csv`, `<base>-codebook.csv`, `<base>-about.csv`,
// UTF-8 with a byte order mark (so Excel reads Arabic and Ukrainian right). Times are written
// `YYYY-MM-DD HH:MM:SS` and days `YYYY-MM-DD`, on the export's clocks; empty cells are empty fields.
import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { once } from "node:events";
import { finished } from "node:stream/promises";
import { stringify } from "csv-stringify";
import { isDay, timeText, type Cell } from "./cells.ts";
import { safeText } from "./escaping.ts";
import type { SheetName, SheetSink, WorkbookSink } from "./sink.ts";

const csvCell = (c: Cell): string | number | null => (typeof c === "string" ? safeText(c) : c instanceof Date ? timeText(c) : isDay(c) ? c.day : c);

/** The files of a CSV export: `out` without a `.csv` ending, then `-<sheet>.csv`. */
export const csvFiles = (out: string): Record<SheetName, string> => {
  const base = out.replace(/\.csv$/i, "");
  return { responses: `${base}-responses.csv`, codebook: `${base}-codebook.csv`, about: `${base}-about.csv` };
};

/** CSV files named after `out` (each through `<file>.part`, renamed when all are complete). */
export function csvSink(out: string): WorkbookSink {
  const files = csvFiles(out);
  const written: string[] = [];
  return {
    async sheet(name, headers) {
      const file = files[name];
      const stream = createWriteStream(`${file}.part`);
      const csv = stringify({ bom: true });
      csv.pipe(stream);
      written.push(file);
      const write = async (row: ReadonlyArray<string | number | null>) => {
        if (!csv.write(row)) await once(csv, "drain");
      };
      await write(headers.map(safeText));
      const sheet: SheetSink = {
        add: (cells) => write(cells.map(csvCell)),
        async end() {
          csv.end();
          await finished(stream);
        },
      };
      return sheet;
    },
    async close() {
      for (const f of written) await rename(`${f}.part`, f);
      return written;
    },
    async abort() {
      for (const f of written) await rm(`${f}.part`, { force: true });
    },
  };
}
