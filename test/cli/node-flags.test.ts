// `npx inloco start` (the #! line of src/cli/inloco.js) and `npm start` run node with the same memory
// flags (README, "What server do I need?"); the memory bench runs the app with the #! line's.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../src/app/runtime.ts";
import { shebangFlags } from "../bench/memory.ts";

describe("node flags of the CLI", () => {
  it("are the same for npx inloco and npm start", () => {
    const flags = shebangFlags();
    expect(flags).toContain("--max-semi-space-size=2");
    const scripts = (JSON.parse(readFileSync(join(PROJECT_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toBe(`node ${flags.join(" ")} src/cli/inloco.js start`);
  });
});
