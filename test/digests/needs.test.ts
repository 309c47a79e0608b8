// The needs mapping is said twice, in src/digests/needs.ts and in the README's table: they must agree,
// and every answer it names must be a question and option of the needs survey as it ships.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import { NEED_CATEGORIES, NEED_SIGNS } from "../../src/digests/index.ts";

const readme = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");
const flow = parse(readFileSync(join(PROJECT_ROOT, "flows", "needs.yaml"), "utf8")) as { nodes: Record<string, { answer?: { type: string; options?: Array<{ id: string }> } }> };

describe("what counts as a need", () => {
  it("names questions and options of the needs survey, and the priority question's categories", () => {
    expect(flow.nodes.priority?.answer?.options?.map((o) => o.id)).toEqual([...NEED_CATEGORIES]);
    for (const category of NEED_CATEGORIES) {
      for (const sign of NEED_SIGNS[category]) {
        const answer = flow.nodes[sign.result]?.answer;
        expect(answer, `${category}: ${sign.result}`).toBeDefined();
        const ids = answer?.type === "yes_no" ? ["yes", "no"] : (answer?.options ?? []).map((o) => o.id);
        const named = "anyOf" in sign ? sign.anyOf : "anyBut" in sign ? sign.anyBut : [];
        for (const option of named) expect(ids, `${category}: ${sign.result} ${option}`).toContain(option);
        if ("atMost" in sign) expect(answer?.type).toBe("scale");
      }
    }
  });

  it("is the README's table", () => {
    for (const category of NEED_CATEGORIES) {
      const row = new RegExp(`^\\| ${category} \\| (.*) \\|$`, "m").exec(readme)?.[1] ?? "";
      expect(row, category).not.toBe("");
      for (const sign of NEED_SIGNS[category]) {
        expect(row, category).toContain(`\`${sign.result}\``);
        for (const option of "anyOf" in sign ? sign.anyOf : "anyBut" in sign ? sign.anyBut : []) expect(row, category).toContain(option);
        if ("atMost" in sign) expect(row, category).toContain(`${sign.atMost} or less`);
      }
    }
  });
});
