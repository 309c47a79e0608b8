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

  /** Someone at the needs survey's first question who accepted the note before its version rose. */
  const midSurveyOnOldNote = (): Session => {
    const { session } = talk(ctx, [{ type: "start", params: {} }, text("1")], newSession("en", { consent: "2026-11", territory: "asti", contact_pref: "yes" }));
    expect(session.wait?.node).toBe("housing");
    // The note's version rose since (the same as the stored consent falling behind it).
    return { ...session, contact: { ...session.contact, fields: { ...session.contact.fields, consent: "2025-01" } } };
  };

  it("the note's version rises while someone waits mid-survey: their next answer is not recorded, the new note comes first, then the survey goes on", () => {
    const { turns, all } = talk(ctx, [text("2"), text("yes")], midSurveyOnOldNote());
    // Their language is known: not asked again; the note comes at once.
    expect(turns[0]?.messages.map((m) => m.key)).toEqual(["onboarding:welcome", "onboarding:consent"]);
    expect(events(turns[0]?.events ?? [])).toEqual(["flow.started onboarding"]);
    const early = beforeConsent(all);
    expect(early.filter((e) => e.type === "answer.recorded" && e.flow !== "onboarding")).toEqual([]);
    expect(early.filter((e) => e.type === "emitted")).toEqual([]);
    expect(events(turns[1]?.events ?? [])).toContain("consent.given 2026-11");
    // After the note (and what onboarding still asks), the survey comes back at the same question, and answers count again.
    let { session, last } = talk(ctx, [], turns[1]?.session);
    for (let i = 0; i < 3 && session.wait?.node !== "housing"; i++) ({ session, last } = talk(ctx, [text("1")], session));
    expect(session.wait?.node).toBe("housing");
    expect(session.runs.map((r) => r.flow)).toEqual(["main", "needs"]);
    expect(last.messages.map((m) => m.key)).toContain("needs:housing.question");
    const answered = talk(ctx, [text("2")], session).last;
    expect(events(answered.events)).toContain("answer needs.housing = reception");
  });

  it("declining the new note mid-survey is the first-time no: every run discarded, the person erased", () => {
    const { last, all, session } = talk(ctx, [text("2"), text("no")], midSurveyOnOldNote());
    expect(all.filter((e) => e.type === "answer.recorded" && e.flow === "needs")).toEqual([]);
    const declined = last.events.find((e) => e.type === "consent.declined") as Extract<Event, { type: "consent.declined" }>;
    expect(declined.discard).toHaveLength(3);
    expect(events(last.events)).toContain("erasure.requested");
    // As a first-time no says it.
    const firstTime = talk(ctx, [text("hello"), text("1"), text("no")]).last;
    expect(last.messages).toEqual(firstTime.messages);
    expect(session).toMatchObject({ status: "new", runs: [], contact: { fields: {} } });
  });

  it("a reminder for someone on an old note collects nothing, and START brings the new note", () => {
    const old = midSurveyOnOldNote();
    const timer = resume(old, { type: "timeout", turn: old.turn }, ctx);
    expect(timer.messages.map((m) => m.key)).toEqual(["session:reminder", "needs:housing.question"]);
    expect(timer.events.filter((e) => e.type === "answer.recorded" || e.type === "emitted")).toEqual([]);
    const back = resume(old, { type: "start", params: {} }, ctx);
    expect(back.messages.map((m) => m.key)).toEqual(["session:welcome_back", "onboarding:welcome", "onboarding:consent"]);
  });

  it("commands still work for someone on an old note (HELP, MY DATA) and collect nothing", () => {
    const { turns } = talk(ctx, [text("help"), text("my data")], midSurveyOnOldNote());
    expect(turns[0]?.messages.map((m) => m.key)).toEqual(["session:help", "needs:housing.question"]);
    expect(events(turns[1]?.events ?? [])).toEqual(["data.requested"]);
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
    ["a timer walking on", { type: "timeout", turn: 1 } as Input],
  ])("inside a flow without the current consent, %s collects nothing: the consent note comes first, then the same question, and from there the flow and its sub-flow run", (_, input) => {
    const ctx = withFlows([consent, sub, outer]);
    const t = resume(inside(ctx), input, ctx);
    expect(events(t.events)).toEqual(["flow.started onboarding"]);
    expect(t.messages.map((m) => m.key)).toEqual(["onboarding:consent"]);
    const agreed = resume(t.session, text("yes"), ctx);
    expect(events(agreed.events)).toEqual(["contact consent = v2", "consent.given v2", "flow.completed onboarding"]);
    expect(agreed.messages.map((m) => m.key)).toEqual(["session:back_to_where", "needs:intro"]);
    const answered = resume(agreed.session, text("yes"), ctx);
    expect(events(answered.events)).toEqual(["answer outer.first = yes", "flow.started sub"]);
    const done = resume(answered.session, text("no"), ctx);
    expect(done.messages.map((m) => m.key)).toEqual(["needs:thanks"]);
    expect(events(done.events)).toEqual(["answer sub.ask = no", "flow.completed sub", "flow.completed outer"]);
  });

  it("with no room left on the stack for the consent note, the conversation starts over behind it, and nothing is collected", () => {
    const ctx = withFlows([consent, sub, outer], { maxDepth: 1 });
    const t = resume(inside(ctx), text("yes"), ctx);
    expect(events(t.events)).toEqual(["flow.exited outer (restart)", "flow.started onboarding"]);
    expect(t.messages.map((m) => m.key)).toEqual(["onboarding:consent"]);
  });

  it("a consent flow named by the host must be loaded and hold a consent note", () => {
    const ctx = withFlows([sub, outer], { consentFlow: "onboarding" });
    expect(() => resume(null, { type: "start", params: {} }, ctx)).toThrow(EngineError);
    const noNote = withFlows([{ ...sub, id: "onboarding" }, sub, outer], { consentFlow: "onboarding" });
    expect(() => resume(null, { type: "start", params: {} }, noNote)).toThrow(/no consent node/);
  });
});
