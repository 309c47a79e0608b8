// The code's import graph has no cycle (npm run lint checks it too, with the same function).
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { filesUnder, findCycle, importGraph, importsOf } from "../scripts/import-cycles.ts";

const root = resolve(import.meta.dirname, "..");

describe("imports", () => {
  it("of src/ and bots/ form no cycle", () => {
    const files = filesUnder(join(root, "src"), join(root, "bots")).filter((f) => !f.includes(join("src", "generated")));
    expect(files.length).toBeGreaterThan(50);
    expect(findCycle(importGraph(files))).toBeUndefined();
  });

  it("a cycle is found, through type-only imports too", () => {
    const a = "/x/a.ts";
    const b = "/x/b.ts";
    const c = "/x/c.ts";
    const graph = new Map([
      [a, importsOf(a, 'import { b } from "./b.ts";')],
      [b, importsOf(b, 'import type {\n  C,\n} from "./c.ts";')],
      [c, importsOf(c, 'export { a } from "./a.ts";')],
    ]);
    expect(findCycle(graph)).toEqual([a, b, c, a]);
    expect(findCycle(new Map([[a, [b]], [b, [c]], [c, []]]))).toBeUndefined();
  });
});
