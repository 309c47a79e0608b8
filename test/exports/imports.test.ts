// Exports and the report are staff-facing: `npm run lint` refuses an import of the engine, the queues,
// the pipeline, effects, jobs or the database client from src/exports, and lets src/repos through.
import { join, resolve } from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../..");
const eslint = new ESLint({ cwd: root });

/** The import rule's messages for a file of src/exports holding `code`. */
async function refused(code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\nexport const x = y;\n`, { filePath: join(root, "src/exports/probe.ts") });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

describe("what src/exports may import", () => {
  it("not the engine, the queues, the pipeline, effects, jobs or the database client", async () => {
    for (const from of ["../engine/index.ts", "../queue/index.ts", "../pipeline/pipeline.ts", "../effects/registry.ts", "../jobs/jobs.ts", "pg", "../generated/prisma/client.ts", "bullmq"]) {
      expect(await refused(`import { y } from "${from}";`), from).not.toEqual([]);
    }
  }, 60_000);

  it("the data-access layer, the flows' questions and the digests' formatting", async () => {
    for (const from of ["../repos/exports.ts", "../flows/questions.ts", "../digests/format.ts"]) expect(await refused(`import { y } from "${from}";`), from).toEqual([]);
  }, 60_000);
});
