// The export bench's child process: `inloco export --flow needs` as the CLI does it (runtime, database,
// exportFlow to an XLSX), the export alone timed. Prints one JSON line: rows, seconds, peak RSS.
// Argument: the file to write; DATABASE_URL and the keys in the environment.
import { openStakeholderDatabase } from "../../../src/app/database.ts";
import { loadRuntime } from "../../../src/app/runtime.ts";
import { exportContext } from "../../../src/cli/export.ts";
import { exportFlow } from "../../../src/exports/export.ts";

const out = process.argv[2] as string;
const runtime = loadRuntime();
const opened = await openStakeholderDatabase({ migrate: false });
try {
  const t0 = performance.now();
  const r = await exportFlow(
    exportContext(runtime, opened, "bench"),
    { flowId: "needs", format: "xlsx", out, labels: "en", timeZone: runtime.settings.INLOCO_TIME_ZONE },
  );
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ rows: r.rows, columns: r.columns, seconds, maxRss: process.resourceUsage().maxRSS * 1024 }));
} finally {
  await opened.close();
}
