import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { ConversationSettings, readSettings } from "../config/env.ts";
import { PROJECT_ROOT } from "../app/runtime.ts";
import { checkFlows } from "../flows/catalog.ts";
import { flowJsonSchema } from "../flows/json-schema.ts";
import { formatProblem } from "../flows/problems.ts";
import { Texts } from "../i18n/texts.ts";

/** `inloco flows check` and `inloco flows schema`. */
export function registerFlows(program: Command): void {
  const flows = program.command("flows").description("work with flow files");
  flows
    .command("check")
    .description("report every problem in every flow at once (exit 1 when anything is wrong)")
    .argument("[dir]", "folder of flow files (default: INLOCO_FLOWS_DIR, else the project's flows/)")
    .option("--locales <dir>", "folder of locale files (default: INLOCO_LOCALES_DIR, else the project's locales/)")
    .action((dirArg: string | undefined, opts: { locales?: string }) => {
      const settings = readSettings(ConversationSettings);
      // The folders the bot itself would read (src/app/runtime.ts), unless given here.
      const dir = resolve(dirArg ?? settings.INLOCO_FLOWS_DIR ?? join(PROJECT_ROOT, "flows"));
      const localesDir = resolve(opts.locales ?? settings.INLOCO_LOCALES_DIR ?? join(PROJECT_ROOT, "locales"));
      const texts = Texts.load(localesDir, settings.INLOCO_LANGUAGES);
      const { catalog, problems } = checkFlows(dir, { languages: settings.INLOCO_LANGUAGES, hasText: (l, k) => texts.has(l, k) });
      for (const p of problems) console.log(formatProblem(p));
      const gaps = texts.gaps();
      for (const [lang, keys] of gaps) console.log(`${join(localesDir, lang)}: ${keys.length} keys missing, e.g. ${keys.slice(0, 3).join(", ")}`);
      const count = problems.length + gaps.size;
      console.log(count === 0 ? `${catalog.ids().length} flows OK in ${settings.INLOCO_LANGUAGES.join(", ")} (${dir}, ${localesDir})` : `${count} problem${count === 1 ? "" : "s"}`);
      process.exitCode = count === 0 ? 0 : 1;
    });
  flows
    .command("schema")
    .description("write the JSON Schema of flow files (flows/flow.schema.json) for editors")
    .option("--stdout", "print it instead of writing the file")
    .action((opts: { stdout?: boolean }) => {
      const schema = flowJsonSchema();
      if (opts.stdout) process.stdout.write(schema);
      else writeFileSync(join(PROJECT_ROOT, "flows", "flow.schema.json"), schema);
    });
}
