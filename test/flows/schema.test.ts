// flows/flow.schema.json is generated from the zod schema, for editors; it must never drift.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import { flowJsonSchema } from "../../src/flows/json-schema.ts";

describe("flow JSON Schema", () => {
  it("flows/flow.schema.json is what the zod schema generates (run `npx inloco flows schema`)", () => {
    expect(readFileSync(join(PROJECT_ROOT, "flows", "flow.schema.json"), "utf8")).toBe(flowJsonSchema());
  });

  it("describes node kinds and answer types an editor can offer", () => {
    const schema = JSON.parse(flowJsonSchema()) as { properties: Record<string, unknown> };
    const text = JSON.stringify(schema);
    for (const kind of ["message", "question", "consent", "branch", "set", "emit", "flow", "end"]) expect(text).toContain(`"const":"${kind}"`);
    for (const type of ["text", "number", "choice", "multiple_choice", "yes_no", "scale", "date", "location", "language"]) expect(text).toContain(`"const":"${type}"`);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["id", "version", "nodes"]));
  });

  it("every stock flow points editors at it", () => {
    for (const flow of ["main", "onboarding", "needs", "feedback", "rsvp"]) {
      const text = readFileSync(join(PROJECT_ROOT, "flows", `${flow}.yaml`), "utf8");
      expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=./flow.schema.json");
      expect(parse(text).id).toBe(flow);
    }
  });
});
