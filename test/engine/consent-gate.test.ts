// Consent before anything, whatever the way in: no flow but the consent flow runs for a person who
// has not accepted the current consent note, and the flow they asked for follows it.
import { describe, expect, it } from "vitest";
import { EngineError, Flow, newSession, resume, type EngineContext, type Event, type FlowInput, type Input, type Session } from "../../src/engine/index.ts";
import { describeEvent, testContext } from "../support/engine.ts";

const events = (evs: Event[]) => evs.map(describeEvent).filter(Boolean);
const text = (t: string): Input => ({ type: "text", text: t });

/** Run inputs through the engine (JSON round-trip between turns), with every event of every turn. */
function talk(ctx: EngineContext, inputs: Input[], session: Session | null = null) {
  let s = session;
  const all: Event[] = [];
  const turns = inputs.map((input) => {
    const t = resume(s, input, ctx);
    s = JSON.parse(JSON.stringify(t.session)) as Session;
    all.push(...t.events);
    return t;
  });
  return { turns, session: s as Session, all, last: turns.at(-1) as ReturnType<typeof resume> };
}

/** The events before consent was given (all of them if it never was). */
function beforeConsent(all: Event[]): Event[] {
  const i = all.findIndex((e) => e.type === "consent.given");
  return i < 0 ? all : all.slice(0, i);
}

describe("consent before anything (shipped flows)", () => {
  const ctx = testContext({ languages: ["en", "ar"] });
  const ways: Array<[string, Input]> = [
    ["a plain START", { type: "start", params: {} }],
    ["a first message", text("hello")],
    ["a button of a broadcast", { type: "choice", id: "yes" }],
    ...["main", "needs", "feedback", "rsvp"].map((flow): [string, Input] => [`a link to ${flow}`, { type: "start", flow, params: { territory: "valsusa", event: "ev-1", event_title: "Meeting", event_when: "Tue", event_place: "Susa" } }]),
  ];
  it.each(ways)("%s: a stranger gets the language and the consent note first; nothing but onboarding runs before consent", (_, input) => {
    const { turns, all } = talk(ctx, [input, text("1")]);
    expect(turns[0]?.messages.map((m) => m.key)).toEqual(["onboarding:language"]);
    expect(turns[1]?.messages.map((m) => m.key)).toEqual(["onboarding:welcome", "onboarding:consent"]);
    const early = beforeConsent(all);
    expect(early.filter((e) => e.type === "flow.started").map((e) => (e as { flow: string }).flow)).toEqual(["onboarding"]);
    expect(early.filter((e) => (e.type === "answer.recorded" || e.type === "emitted") && e.flow !== "onboarding")).toEqual([]);
  });

  it("a link's flow follows consent, with the link's params, and the territory the link said is not asked", () => {
    const link: Input = { type: "start", flow: "rsvp", params: { territory: "valsusa", event: "ev-1", event_title: "Meeting", event_when: "Tue", event_place: "Susa" } };
    const { last, session } = talk(ctx, [link, text("1"), text("yes"), text("no")]);
    expect(last.messages.map((m) => m.key)).toEqual(["onboarding:done", "rsvp:attend"]);
    expect(last.messages[1]?.params).toEqual({ title: "Meeting", when: "Tue", place: "Susa" });
    expect(session.runs.map((r) => r.flow)).toEqual(["rsvp"]);
  });

  it("someone who accepted an older consent note goes through it again before the menu", () => {
    const old = newSession("en", { consent: "2025-01", territory: "asti", contact_pref: "yes" });
    const { turns } = talk(ctx, [text("hello"), text("1"), text("yes")], old);
    expect(turns[0]?.messages.map((m) => m.key)).toEqual(["onboarding:language"]);
    expect(events(turns[2]?.events ?? [])).toContain("consent.given 2026-11");
  });

  it("a link's details come in the language the person chooses after it", () => {
    const link: Input = { type: "start", flow: "rsvp", params: { event: "ev-1", event_title: "Meeting", "event_title@ar": "اجتماع", event_when: "Tue", event_place: "Susa", territory: "asti" } };
    const { last } = talk(ctx, [link, text("2"), text("1"), text("1")]);
    expect(last.messages.at(-1)).toMatchObject({ key: "rsvp:attend", lang: "ar", params: { title: "اجتماع", when: "Tue", place: "Susa" } });
  });

  it("declining after a link runs nothing of the linked flow and asks the host to erase the person", () => {
    const link: Input = { type: "start", flow: "feedback", params: { territory: "asti" } };
    const { all, last, session } = talk(ctx, [link, text("1"), text("no")]);
    expect(all.filter((e) => e.type === "flow.started").map((e) => (e as { flow: string }).flow)).toEqual(["onboarding"]);
    expect(events(last.events)).toEqual(["flow.exited onboarding (declined)", "consent.declined 2026-11", "erasure.requested"]);
    expect(session).toMatchObject({ status: "new", runs: [], contact: { fields: {} } });
  });
});

describe("consent before anything (any flow, any way in)", () => {
  const consent: FlowInput = {
    id: "onboarding", version: 1,
    nodes: { note: { type: "consent", text: "onboarding:consent", version: "v2", next: "done" }, done: { type: "end" } },
  };
  const sub: FlowInput = { id: "sub", version: 1, nodes: { ask: { type: "question", text: "needs:priority.question", answer: { type: "yes_no" }, next: "bye" }, bye: { type: "end" } } };
  const outer: FlowInput = {
    id: "outer", version: 1,
    nodes: {
      first: { type: "question", text: "needs:intro", answer: { type: "yes_no" }, timeout: { after: 60, next: "enter" }, next: "enter" },
      enter: { type: "flow", flow: "sub", next: "after" },
      after: { type: "end", text: "needs:thanks" },
    },
  };
  const withFlows = (flows: FlowInput[], more: Partial<EngineContext> = {}): EngineContext => {
    const parsed = new Map(flows.map((f) => [f.id, Flow.parse(f)]));
    return { ...testContext({ languages: ["en"], entryFlow: "outer", flows: { get: (id) => parsed.get(id) } }), ...more };
  };
  // Inside `outer` already (as before this rule, or with a consent note that has changed since).
  const inside = (ctx: EngineContext) => resume(null, { type: "start", params: {} }, { ...ctx, consentFlow: undefined, flows: { get: (id) => (id === "onboarding" ? undefined : ctx.flows.get(id)) } }).session;

  it.each([
    ["an answer", text("yes")],
    ["a timer", { type: "timeout", turn: 1 } as Input],
  ])("a sub-flow entered by %s waits for consent; after it, the sub-flow runs and returns to its parent", (_, input) => {
    const ctx = withFlows([consent, sub, outer]);
    const t = resume(inside(ctx), input, ctx);
    expect(events(t.events)).toEqual(input.type === "timeout" ? ["flow.started onboarding"] : ["answer outer.first = yes", "flow.started onboarding"]);
    expect(t.messages.map((m) => m.key)).toEqual(["onboarding:consent"]);
    const agreed = resume(t.session, text("yes"), ctx);
    expect(events(agreed.events)).toEqual(["contact consent = v2", "consent.given v2", "flow.completed onboarding", "flow.started sub"]);
    const done = resume(agreed.session, text("no"), ctx);
    expect(done.messages.map((m) => m.key)).toEqual(["needs:thanks"]);
    expect(events(done.events)).toEqual(["answer sub.ask = no", "flow.completed sub", "flow.completed outer"]);
  });

  it("a consent flow named by the host must be loaded and hold a consent note", () => {
    const ctx = withFlows([sub, outer], { consentFlow: "onboarding" });
    expect(() => resume(null, { type: "start", params: {} }, ctx)).toThrow(EngineError);
    const noNote = withFlows([{ ...sub, id: "onboarding" }, sub, outer], { consentFlow: "onboarding" });
    expect(() => resume(null, { type: "start", params: {} }, noNote)).toThrow(/no consent node/);
  });
});
