// How a turn is cut into statements: each part may change a row once (its writes see one snapshot).
import { describe, expect, it } from "vitest";
import type { Event } from "../../src/engine/index.ts";
import { splitEvents } from "../../src/effects/registry.ts";

const started = (run: string): Event => ({ type: "flow.started", run, flow: "needs", version: 1 });
const completed = (run: string): Event => ({ type: "flow.completed", run, flow: "needs", version: 1 });
const answered = (run: string, question: string): Event => ({
  type: "answer.recorded",
  run,
  flow: "needs",
  version: 1,
  question,
  result: question,
  value: { kind: "choice", choices: ["a"] },
  skipped: false,
  lang: "en",
  at: "2026-12-01T10:00:00.000Z",
});
const types = (groups: Event[][]) => groups.map((g) => g.map((e) => ("question" in e ? `${e.type} ${e.question}` : "run" in e ? `${e.type} ${e.run}` : e.type)));

describe("splitEvents", () => {
  it("keeps a usual turn in one part, an empty one too", () => {
    expect(types(splitEvents([answered("r1", "housing"), { type: "wait.started", node: "work", turn: 3 }, { type: "contact.changed", field: "territory", value: "asti" }]))).toEqual([
      ["answer.recorded housing", "wait.started", "contact.changed"],
    ]);
    expect(splitEvents([])).toEqual([[]]);
  });

  it("starts a new part where a row would change a second time", () => {
    const events = [completed("r1"), started("r2"), answered("r2", "housing"), { type: "answer.cleared" as const, run: "r2", flow: "needs", question: "housing", result: "housing" }, completed("r2")];
    expect(types(splitEvents(events))).toEqual([
      ["flow.completed r1", "flow.started r2", "answer.recorded housing"],
      ["answer.cleared housing", "flow.completed r2"],
    ]);
  });

  it("gives a declined consent a part of its own", () => {
    const declined: Event = { type: "consent.declined", run: "r1", flow: "onboarding", version: "2026-11", discard: ["r1", "r0"] };
    expect(types(splitEvents([answered("r1", "consent"), declined, { type: "flow.exited", run: "r1", flow: "onboarding", version: 1, reason: "declined" }]))).toEqual([
      ["answer.recorded consent"],
      ["consent.declined r1"],
      ["flow.exited r1"],
    ]);
    expect(types(splitEvents([declined]))).toEqual([["consent.declined r1"]]);
  });
});
