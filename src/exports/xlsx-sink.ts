// The XLSX sink: exceljs's streaming writer, each row committed as it is added (written into the
// zip and dropped), no shared strings and no styles table, so memory does not grow with the rows.
// Dates still come out as dates (the writer gives them Excel's built-in date format).
import { rename, rm } from "node:fs/promises";
import ExcelJS from "exceljs";
import { isDay, type Cell } from "./cells.ts";
import { safeText } from "./escaping.ts";
import type { SheetSink, WorkbookSink } from "./sink.ts";

const xlsxCell = (c: Cell): string | number | Date | null => (typeof c === "string" ? safeText(c) : isDay(c) ? new Date(`${c.day}T00:00:00Z`) : c);

/** A workbook written to `file` (through `file.part`, renamed when complete). */
export function xlsxSink(file: string): WorkbookSink {
  const part = `${file}.part`;
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: part, useSharedStrings: false, useStyles: false });
  return {
    async sheet(name, headers) {
      const ws = workbook.addWorksheet(name);
      ws.addRow(headers.map(safeText)).commit();
      const sheet: SheetSink = {
        add: (cells) => ws.addRow(cells.map(xlsxCell)).commit(),
        async end() {
          ws.commit();
        },
      };
      return sheet;
    },
    async close() {
      await workbook.commit();
      await rename(part, file);
      return [file];
    },
    async abort() {
      await workbook.commit().catch(() => undefined);
      await rm(part, { force: true });
    },
  };
}
