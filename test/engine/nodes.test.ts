// Table tests of every node kind and of the engine's guarantees, on small flows built in the test.
import { describe, expect, it } from "vitest";
import { Flow, newSession, resume, type EngineContext, type Event, type FlowInput, type Input, type Session } from "../../src/engine/index.ts";
import { describeEvent, testContext } from "../support/engine.ts";

/** A context whose flows are the given ones (keys reuse shipped English texts). */
function withFlows(flows: FlowInput[], entry = flows[0]?.id ?? "main", languages: string[] = ["en"]): EngineContext & { texts: ReturnType<typeof testContext>["texts"] } {
  const parsed = new Map(flows.map((f) => [f.id, Flow.parse(f)]));
  return testContext({ languages, entryFlow: entry, flows: { get: (id) => parsed.get(id) } });
}

/** Run inputs through the engine (JSON round-trip between turns), returning every turn. */
function talk(ctx: EngineContext, inputs: Array<string | Input>, session: Session | null = newSession("en")) {
  const turns: Array<ReturnType<typeof resume>> = [];
  let s = session;
  for (const i of inputs) {
    const t = resume(s, typeof i === "string" ? { type: "text", text: i } : i, ctx);
    s = JSON.parse(JSON.stringify(t.session)) as Session;
    turns.push(t);
  }
  return { turns, session: s as Session, last: turns.at(-1) as ReturnType<typeof resume> };
}
const events = (evs: Event[]) => evs.map(describeEvent).filter(Boolean);
const keys = (t: ReturnType<typeof resume>) => t.messages.map((m) => m.key);
const start: Input = { type: "start", params: {} };

const q = (id: string, answer: FlowInput["nodes"][string] extends infer N ? (N extends { type: "question"; answer: infer A } ? A : never) : never, next: string, more: Record<string, unknown> = {}) => ({
  [id]: { type: "question" as const, text: "needs:priority.question", answer, next, ...more },
});
const opts = (...ids: string[]) => ids.map((id) => ({ id, label: `needs:priority.${id}` }));
const end = { end: { type: "end" as const } };

describe("node kinds", () => {
  it("message sends its text and goes on; end completes the run and the session", () => {
    const ctx = withFlows([{ id: "m", version: 1, nodes: { hello: { type: "message", text: "needs:intro", next: "bye" }, bye: { type: "end", text: "needs:thanks" } } }]);
    const { last, session } = talk(ctx, [start]);
    expect(keys(last)).toEqual(["needs:intro", "needs:thanks"]);
    expect(events(last.events)).toEqual(["flow.started m", "flow.completed m"]);
    expect(session.status).toBe("completed");
    expect(session.runs).toEqual([]);
  });

  it.each([
    ["text", { type: "text", min: 2, max: 10 }, ["a", "far too long an answer"], "  hi there ", { kind: "text", text: "hi there" }],
    ["number", { type: "number", min: 0, max: 10 }, ["lots", "11", "-1"], "٣", { kind: "number", number: 3 }],
    ["decimal number", { type: "number", integer: false }, ["one and a half"], "1,5", { kind: "number", number: 1.5 }],
    ["choice", { type: "choice", options: opts("housing", "work", "health") }, ["4", "bananas"], "Work", { kind: "choice", choices: ["work"] }],
    ["multiple choice", { type: "multiple_choice", options: opts("housing", "work", "health"), max: 2 }, ["1,2,3", "7"], "3 and 1", { kind: "choice", choices: ["housing", "health"] }],
    ["yes/no", { type: "yes_no" }, ["perhaps"], "yeah", { kind: "choice", choices: ["yes"] }],
    ["scale", { type: "scale", min: 1, max: 5 }, ["6", "0"], "۴", { kind: "number", number: 4 }],
    ["date", { type: "date", past: true }, ["tomorrow", "31/02/2020"], "yesterday", { kind: "date", date: "2026-11-24" }],
    ["location", { type: "location" }, ["x"], "Susa", { kind: "location", place: "Susa" }],
    ["language", { type: "language" }, ["klingon"], "2", { kind: "choice", choices: ["it"] }],
  ] as const)("question (%s): re-asks invalid answers with a hint, records a valid one typed", (_, answer, bad, good, value) => {
    const ctx = withFlows([{ id: "q", version: 1, nodes: { ...q("ask", answer as never, "end", { attempts: 5 }), ...end } }], "q", ["en", "it"]);
    const { turns, last } = talk(ctx, [start, ...bad, good]);
    for (const t of turns.slice(1, -1)) {
      expect(t.messages).toHaveLength(2);
      expect(t.messages[0]?.key).toMatch(/^hints:/);
      expect(t.messages[1]?.node).toBe("ask");
      expect(t.events.filter((e) => e.type === "answer.recorded")).toEqual([]);
    }
    const recorded = last.events.find((e) => e.type === "answer.recorded");
    expect(recorded).toMatchObject({ question: "ask", result: "ask", value, skipped: false, lang: "en" });
  });

  it("question: after the allowed attempts goes to its invalid exit and records nothing", () => {
    const ctx = withFlows([{ id: "q", version: 1, nodes: { ...q("ask", { type: "yes_no" }, "end", { attempts: 2, invalid: "sorry" }), sorry: { type: "end", text: "session:error" }, ...end } }]);
    const { turns } = talk(ctx, [start, "what?", "hm"]);
    expect(keys(turns[1] as never)).toEqual(["hints:yes_no", "needs:priority.question"]);
    expect(keys(turns[2] as never)).toEqual(["hints:moving_on", "session:error"]);
    expect(events(turns[2]?.events ?? [])).toEqual(["answer.invalid q.ask", "flow.completed q"]);
  });

  it("question: skip works only where optional, and goes to the skipped exit", () => {
    const ctx = withFlows([{
      id: "q", version: 1,
      nodes: { ...q("must", { type: "yes_no" }, "may"), ...q("may", { type: "yes_no" }, "end", { optional: true, skipped: "skipped_it" }), skipped_it: { type: "end", text: "needs:thanks" }, ...end },
    }]);
    const { turns } = talk(ctx, [start, "skip", "1", "SKIP"]);
    expect(keys(turns[1] as never)).toEqual(["hints:required", "needs:priority.question"]);
    expect(events(turns[3]?.events ?? [])).toEqual(["answer q.may skipped", "flow.completed q"]);
    expect(keys(turns[3] as never)).toEqual(["needs:thanks"]);
  });

  it("consent: yes records the version and goes on; no discards every run and asks the host to erase the person", () => {
    const flow = { id: "c", version: 1, nodes: { ...q("first", { type: "yes_no" }, "ok"), ok: { type: "consent" as const, text: "onboarding:consent", version: "v7", next: "done" }, done: { type: "end" as const } } };
    const ctx = withFlows([flow]);
    const yes = talk(ctx, [start, "1", "yes"]);
    expect(events(yes.last.events)).toEqual(["contact consent = v7", "consent.given v7", "flow.completed c"]);
    expect(yes.session.contact.fields.consent).toBe("v7");
    const no = talk(withFlows([flow]), [start, "1", "2"]);
    const declined = no.last.events.find((e) => e.type === "consent.declined");
    expect(declined).toMatchObject({ version: "v7", discard: ["run-1"] });
    expect(no.last.events.at(-1)).toEqual({ type: "erasure.requested" });
    expect(no.session.contact.fields).toEqual({});
    expect(no.session.runs).toEqual([]);
    expect(no.session.status).toBe("new");
  });

  const branchFlow = (when: unknown, answer: unknown = { type: "multiple_choice", options: opts("housing", "work", "health") }) => ({
    id: "b", version: 1,
    nodes: {
      ...q("ask", answer as never, "route"),
      route: { type: "branch" as const, cases: [{ when: when as never, next: "hit" }], default: "miss" },
      hit: { type: "end" as const, text: "needs:thanks" },
      miss: { type: "end" as const, text: "session:error" },
    },
  });
  it.each([
    ["equals", { answer: "ask", equals: "work" }, { type: "choice", options: opts("housing", "work") }, "2", true],
    ["equals (no)", { answer: "ask", equals: "work" }, { type: "choice", options: opts("housing", "work") }, "1", false],
    ["in", { answer: "ask", in: ["housing", "health"] }, { type: "choice", options: opts("housing", "work") }, "1", true],
    ["any_of", { answer: "ask", any_of: ["health"] }, undefined, "1,3", true],
    ["any_of (no)", { answer: "ask", any_of: ["health"] }, undefined, "1,2", false],
    ["all_of", { answer: "ask", all_of: ["housing", "work"] }, undefined, "1 2", true],
    ["gt", { answer: "ask", gt: 2 }, { type: "number" }, "3", true],
    ["gte", { answer: "ask", gte: 3 }, { type: "number" }, "3", true],
    ["lt", { answer: "ask", lt: 3 }, { type: "number" }, "3", false],
    ["lte", { answer: "ask", lte: 3 }, { type: "number" }, "3", true],
    ["answered", { answer: "ask", answered: true }, { type: "number" }, "3", true],
    ["field", { field: "territory", equals: "asti" }, { type: "number" }, "1", true],
    ["not", { not: { field: "territory", equals: "asti" } }, { type: "number" }, "1", false],
    ["all", { all: [{ field: "territory", equals: "asti" }, { answer: "ask", lt: 5 }] }, { type: "number" }, "1", true],
    ["any", { any: [{ field: "territory", equals: "torino" }, { answer: "ask", lt: 5 }] }, { type: "number" }, "9", false],
  ])("branch: %s", (_, when, answer, input, hit) => {
    const ctx = withFlows([branchFlow(when, answer)]);
    const { last } = talk(ctx, [start, input], newSession("en", { territory: "asti" }));
    expect(keys(last).at(-1)).toBe(hit ? "needs:thanks" : "session:error");
  });

  it("skipped: true holds for a skipped optional question", () => {
    const flow = branchFlow({ answer: "ask", skipped: true });
    ((flow.nodes as Record<string, unknown>).ask as Record<string, unknown>).optional = true;
    const { last } = talk(withFlows([flow]), [start, "skip"]);
    expect(keys(last).at(-1)).toBe("needs:thanks");
  });

  it("set: sets a contact field from an answer, a literal or a start parameter; language changes the conversation's language", () => {
    const ctx = withFlows([{
      id: "s", version: 1,
      nodes: {
        ...q("lang", { type: "language" }, "set_lang"),
        set_lang: { type: "set", field: "language", value: { answer: "lang" }, next: "set_lit" },
        set_lit: { type: "set", field: "source", value: "poster", next: "set_param" },
        set_param: { type: "set", field: "campaign", value: { param: "campaign" }, next: "bye" },
        bye: { type: "end", text: "needs:thanks" },
      },
    }], "s", ["en", "it"]);
    const first = resume(newSession("en"), { type: "start", params: { campaign: "winter" } }, ctx);
    const t = resume(first.session, { type: "text", text: "italiano" }, ctx);
    expect(events(t.events)).toContain("contact language = it");
    expect(events(t.events)).toContain("contact source = poster");
    expect(events(t.events)).toContain("contact campaign = winter");
    expect(t.messages.at(-1)).toMatchObject({ key: "needs:thanks", lang: "it" });
  });

  it("emit: sends a named event with literals, fields, params and typed answers", () => {
    const ctx = withFlows([{
      id: "e", version: 1,
      nodes: {
        ...q("pick", { type: "multiple_choice", options: opts("housing", "work") }, "tell"),
        tell: { type: "emit", event: "survey.completed", data: { survey: "e", territory: { field: "territory" }, picked: { answer: "pick" }, missing: { answer: "nope" } }, next: "bye" },
        bye: { type: "end" },
      },
    }]);
    const { last } = talk(ctx, [start, "1,2"], newSession("en", { territory: "torino" }));
    expect(last.events.find((e) => e.type === "emitted")).toMatchObject({
      name: "survey.completed",
      data: { survey: "e", territory: "torino", picked: { kind: "choice", choices: ["housing", "work"] }, missing: null },
      flow: "e",
      version: 1,
    });
  });

  it("flow: enters a sub-flow, which sees the parent's answers, and comes back to next", () => {
    const ctx = withFlows([
      { id: "outer", version: 1, nodes: { ...q("first", { type: "number" }, "sub"), sub: { type: "flow", flow: "inner", next: "after" }, after: { type: "end", text: "needs:thanks" } } },
      { id: "inner", version: 1, nodes: { check: { type: "branch", cases: [{ when: { answer: "first", gt: 5 }, next: "big" }], default: "small" }, big: { type: "end", text: "hints:number" }, small: { type: "end", text: "hints:text" } } },
    ]);
    const { last, session } = talk(ctx, [start, "9"]);
    expect(keys(last)).toEqual(["hints:number", "needs:thanks"]);
    expect(events(last.events)).toEqual(["answer outer.first = 9", "flow.started inner", "flow.completed inner", "flow.completed outer"]);
    expect(last.events.find((e) => e.type === "flow.started")).toMatchObject({ parent: "run-1" });
    expect(session.status).toBe("completed");
  });

  it("question: an option with `when` is offered only while it holds; numbers and buttons count the options offered, and its params fill its label", () => {
    const options = [
      { id: "housing", label: "needs:priority.housing", params: { n: { param: "a" } }, when: { param: "a", answered: true } },
      { id: "work", label: "needs:priority.work", when: { param: "b", answered: true } },
      { id: "health", label: "needs:priority.health" },
    ];
    const ctx = withFlows([{ id: "q", version: 1, nodes: { ...q("ask", { type: "choice", options }, "end"), ...end } }], "q");
    const { turns, last } = talk(ctx, [{ type: "start", params: { a: "7" } }, { type: "choice", id: "work", node: "ask" }, "2"]);
    const asked = turns[0]?.messages[0];
    expect(asked?.choices).toEqual([{ id: "housing", key: "needs:priority.housing", params: { n: "7" } }, { id: "health", key: "needs:priority.health" }]);
    // A button of an option not offered is no answer; "2" is the second option offered.
    expect(turns[1]?.messages.map((m) => [m.key, m.params])).toEqual([["hints:choice", { max: 2 }], ["needs:priority.question", {}]]);
    expect(events(last.events)).toContain("answer q.ask = health");
  });

  it("flow: params given to a sub-flow replace the inherited ones in every language, and take the source param's languages along", () => {
    const inner: FlowInput = {
      id: "inner",
      version: 1,
      nodes: { tell: { type: "emit", event: "test.seen", data: { event: { param: "event" }, title: { param: "event_title" }, full: { param: "event_full" } }, next: "done" }, done: { type: "end" } },
    };
    const outer: FlowInput = {
      id: "outer",
      version: 1,
      nodes: { sub: { type: "flow", flow: "inner", params: { event: { param: "pick" }, event_title: { param: "pick_title" }, event_full: { param: "pick_full" } }, next: "bye" }, bye: { type: "end" } },
    };
    const params = { event: "e0", event_title: "Old", "event_title@it": "Vecchio", event_full: "yes", pick: "e1", pick_title: "New", "pick_title@it": "Nuovo" };
    const seen = (lang: string) => {
      const ctx = withFlows([outer, inner], "outer", ["en", "it"]);
      const { last } = talk(ctx, [{ type: "start", params }], newSession(lang));
      return last.events.find((e) => e.type === "emitted")?.data;
    };
    // `pick_full` is not there: the `event_full` of the outer run (another meeting's) doesn't show through.
    expect(seen("en")).toEqual({ event: "e1", title: "New", full: "" });
    expect(seen("it")).toEqual({ event: "e1", title: "Nuovo", full: "" });
  });
});

describe("engine guarantees", () => {
  const survey: FlowInput = { id: "s", version: 1, nodes: { ...q("a", { type: "number" }, "b"), ...q("b", { type: "number" }, "end"), ...end } };

  it("goes back through the last 20 questions of a long survey, and the session stays the same size however far it goes", () => {
    const nodes = Object.assign({}, ...Array.from({ length: 40 }, (_, i) => q(`q${i + 1}`, { type: "number" }, i < 39 ? `q${i + 2}` : "end")), end);
    const ctx = withFlows([{ id: "long", version: 1, nodes }]);
    const at = (n: number) => talk(ctx, [start, ...Array.from({ length: n - 1 }, (_, i) => String(i + 1))]);
    const sizes = [25, 30, 38].map((n) => JSON.stringify(at(n).session).length);
    // Only node ids of two or three digits differ.
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(10);
    // At question 30: 20 steps back reach question 10, the 21st can't go further.
    const { session } = at(30);
    const back = talk(ctx, Array(21).fill("back"), session);
    expect(back.turns[19]?.session.wait?.node).toBe("q10");
    expect(keys(back.last)).toEqual(["hints:no_back", "needs:priority.question"]);
    expect(back.last.session.wait?.node).toBe("q10");
  });

  it("never changes the session it was given", () => {
    const ctx = withFlows([survey]);
    const s1 = resume(newSession("en"), start, ctx).session;
    const copy = structuredClone(s1);
    resume(s1, { type: "text", text: "4" }, ctx);
    expect(s1).toEqual(copy);
  });

  it("is deterministic for a given clock and id generator", () => {
    const a = talk(withFlows([survey]), [start, "1", "2"]);
    const b = talk(withFlows([survey]), [start, "1", "2"]);
    expect(a.turns).toEqual(b.turns);
  });

  it("a loop in flow content stops at the step limit with an error event, never hangs", () => {
    // Built past validation on purpose: flows check refuses this file.
    const loop = Flow.parse({ id: "l", version: 1, nodes: { a: { type: "message", text: "needs:intro", next: "b" }, b: { type: "set", field: "x", value: "1", next: "a" } } });
    const ctx = { ...withFlows([survey]), flows: { get: (id: string) => (id === "l" ? loop : undefined) }, entryFlow: "l", maxSteps: 50 };
    const t = resume(null, start, ctx);
    expect(events(t.events)).toContain("error step_limit");
    expect(t.messages.at(-1)?.key).toBe("session:error");
    expect(t.session.status).toBe("completed");
  });

  it("a sub-flow that enters itself stops at the depth limit", () => {
    const self = Flow.parse({ id: "r", version: 1, nodes: { again: { type: "flow", flow: "r", next: "done" }, done: { type: "end" } } });
    const ctx = { ...withFlows([survey]), flows: { get: () => self }, entryFlow: "r" };
    expect(events(resume(null, start, ctx).events)).toContain("error depth_limit");
  });

  it("a session started on an old flow version restarts with a clear message and never mixes versions", () => {
    const v1 = withFlows([survey]);
    const waiting = talk(v1, [start, "1"]).session;
    const v2 = withFlows([{ ...survey, version: 2 }]);
    const t = resume(waiting, { type: "text", text: "2" }, v2);
    expect(keys(t)).toEqual(["session:flow_updated", "needs:priority.question"]);
    expect(events(t.events)).toEqual(["flow.exited s (outdated)", "flow.started s"]);
    expect(t.events.filter((e) => e.type === "answer.recorded")).toEqual([]);
    expect(t.session.runs).toMatchObject([{ version: 2, answers: {} }]);
  });

  it("after STOP nothing is sent, and the session is left as it was, until START", () => {
    const ctx = withFlows([survey]);
    const stopped = talk(ctx, [start, "stop"]).session;
    for (const text of ["1", "hello", "help"]) {
      const t = resume(stopped, { type: "text", text }, ctx);
      expect(t.messages).toEqual([]);
      expect(t.session).toBe(stopped);
    }
    const back = resume(stopped, { type: "text", text: "START" }, ctx);
    expect(keys(back)).toEqual(["session:resumed", "needs:priority.question"]);
    expect(events(back.events)).toEqual(["contact.resumed"]);
  });

  it("after STOP a person can still delete their data or ask what we keep, and is asked nothing else", () => {
    const ctx = withFlows([survey]);
    const stopped = talk(ctx, [start, "stop"]).session;
    const mine = resume(stopped, { type: "text", text: "my data" }, ctx);
    expect(events(mine.events)).toEqual(["data.requested"]);
    expect(mine.messages).toEqual([]);
    expect(mine.session.status).toBe("stopped");
    const asked = resume(stopped, { type: "text", text: "delete" }, ctx);
    expect(keys(asked)).toEqual(["session:delete_confirm"]);
    const kept = resume(asked.session, { type: "text", text: "no" }, ctx);
    expect(keys(kept)).toEqual(["session:delete_cancelled"]);
    expect(kept.session.status).toBe("stopped");
    const gone = resume(asked.session, { type: "text", text: "yes" }, ctx);
    expect(events(gone.events)).toContain("erasure.requested");
    expect(keys(gone)).toEqual(["session:deleted"]);
  });

  it("commands work in every offered language and only as a whole message", () => {
    const ctx = withFlows([{ id: "t", version: 1, nodes: { ...q("say", { type: "text" }, "end"), ...end } }], "t", ["en", "it"]);
    const waiting = talk(ctx, [start]).session;
    expect(keys(resume(waiting, { type: "text", text: "/stop" }, ctx))).toEqual(["session:stopped"]);
    expect(keys(resume(waiting, { type: "text", text: "Stop!" }, ctx))).toEqual(["session:stopped"]);
    const sentence = resume(waiting, { type: "text", text: "I want to stop smoking" }, ctx);
    expect(events(sentence.events)).toEqual(['answer t.say = "I want to stop smoking"', "flow.completed t"]);
  });

  it("a tap on an old keyboard is ignored; a tap on the current one answers", () => {
    const ctx = withFlows([{ id: "k", version: 1, nodes: { ...q("one", { type: "choice", options: opts("housing", "work") }, "two"), ...q("two", { type: "choice", options: opts("housing", "work") }, "end"), ...end } }]);
    const atTwo = talk(ctx, [start, "1"]).session;
    const old = resume(atTwo, { type: "choice", id: "work", node: "one" }, ctx);
    expect(old.session).toBe(atTwo);
    expect(events(old.events)).toEqual(["ignored (stale_button)"]);
    const current = resume(atTwo, { type: "choice", id: "work", node: "two" }, ctx);
    expect(events(current.events)).toEqual(["answer k.two = work", "flow.completed k"]);
  });

  it("wait timeouts go to the question's timeout exit when it has one", () => {
    const ctx = withFlows([{ id: "w", version: 1, nodes: { ...q("ask", { type: "yes_no" }, "end", { timeout: { after: 3600, next: "late" } }), late: { type: "end", text: "needs:thanks" }, ...end } }]);
    const first = resume(newSession("en"), start, ctx);
    expect(first.events.find((e) => e.type === "wait.started")).toMatchObject({ node: "ask", turn: 1, timeout: 3600 });
    const t = resume(first.session, { type: "timeout", turn: 1 }, ctx);
    expect(keys(t)).toEqual(["needs:thanks"]);
  });

  it("the language can change at any question and the conversation continues there in the new language", () => {
    const ctx = withFlows([survey], "s", ["en", "it", "ar"]);
    const at = talk(ctx, [start, "5", "language"]);
    expect(at.last.messages[0]).toMatchObject({ key: "session:choose_language" });
    expect(at.last.messages[0]?.choices.map((c) => [c.id, c.lang])).toEqual([["en", "en"], ["it", "it"], ["ar", "ar"]]);
    const t = resume(at.session, { type: "text", text: "3" }, ctx);
    expect(t.messages.map((m) => [m.key, m.lang])).toEqual([["session:language_changed", "ar"], ["needs:priority.question", "ar"]]);
    expect(t.messages[1]?.node).toBe("b");
  });

  it("DELETE asks to confirm; yes requests erasure and forgets the session", () => {
    const ctx = withFlows([survey]);
    const asked = talk(ctx, [start, "7", "delete"]);
    expect(asked.last.messages[0]?.key).toBe("session:delete_confirm");
    const kept = resume(asked.session, { type: "text", text: "no" }, ctx);
    expect(keys(kept)).toEqual(["session:delete_cancelled", "needs:priority.question"]);
    const gone = resume(asked.session, { type: "text", text: "yes" }, ctx);
    expect(events(gone.events)).toEqual(["flow.exited s (restart)", "erasure.requested"]);
    expect(gone.session).toMatchObject({ status: "new", runs: [], wait: null, contact: { fields: {} } });
  });
});
