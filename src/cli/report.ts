import type { Command } from "commander";
import { openStakeholderDatabase } from "../app/database.ts";
import { loadRuntime } from "../app/runtime.ts";
import { readDigestSettings } from "../config/digests.ts";
import { buildReport } from "../exports/report.ts";
import { reportText } from "../exports/report-text.ts";
import { flowQuestions } from "./export.ts";

/** `inloco report`: a flow's counts in the terminal, with bars, no count under INLOCO_DIGEST_MIN_COUNT shown. */
export function registerReport(program: Command): Command {
  return program
    .command("report")
    .description("print a flow's counts: runs and completion by territory and language, each question's options, with bars")
    .option("--flow <id>", "the flow", "needs")
    .option("--territory <id>", "only people of this territory")
    .action(async (o: { flow: string; territory?: string }) => {
      const runtime = loadRuntime();
      const { INLOCO_DIGEST_MIN_COUNT } = readDigestSettings();
      const opened = await openStakeholderDatabase({ attach: true });
      try {
        const report = await buildReport(
          { sql: opened.db.sql, flows: flowQuestions(runtime), texts: { text: (l, k) => runtime.texts.text(l, k), languages: Object.keys(runtime.texts.resources) }, minCount: INLOCO_DIGEST_MIN_COUNT },
          { flowId: o.flow, territory: o.territory },
        );
        console.log(reportText(report));
      } finally {
        await opened.close();
      }
    });
}
