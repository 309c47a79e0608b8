// The export bench's baseline, in a child process of its own: the rows of the export's responses
// sheet, read back into arrays first (not timed), then written by exceljs's streaming writer alone
// with the same options: what the library does with nothing to read. Prints one JSON line.
// Arguments: the export's file, and the file to write.
import ExcelJS from "exceljs";

const [from, out] = process.argv.slice(2) as [string, string];
const rows: unknown[][] = [];
const reader = new ExcelJS.stream.xlsx.WorkbookReader(from, { worksheets: "emit", sharedStrings: "cache", hyperlinks: "ignore", styles: "ignore" });
let sheets = 0;
// The first sheet is the responses.
for await (const sheet of reader) {
  sheets += 1;
  for await (const row of sheet) if (sheets === 1) rows.push((row.values as unknown[]).slice(1));
}
const t0 = performance.now();
const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: out, useSharedStrings: false, useStyles: false });
const ws = workbook.addWorksheet("responses");
for (const r of rows) ws.addRow(r).commit();
ws.commit();
await workbook.commit();
const seconds = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ rows: rows.length - 1, seconds, maxRss: process.resourceUsage().maxRSS * 1024 }));
