// Engine benchmarks: answers per second over the shipped needs survey, and whether the cost of one
// answer stays flat as a conversation gets longer (it should: a turn touches one wait, not history).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { newSession, resume, Session, type EngineContext, type Input } from "../../src/engine/index.ts";
import { testContext } from "../support/engine.ts";
import { answerTo, LONG_SURVEY_QUESTIONS, longSurvey, longSurveyContext, questionId } from "./long-survey.ts";
import { fmt, heading, microsPerCall, table, verdict } from "./measure.ts";

const GOLDEN = join(import.meta.dirname, "../flows/needs.en-full.yaml");
// Cost of an answer at question 50 over question 1 that still counts as flat.
const FLAT_RATIO = 1.5;
const AT_QUESTIONS = [1, 10, 20, 50] as const;

interface Golden {
  contact?: { language: string; fields?: Record<string, string> };
  turns: Array<{ say: unknown }>;
}
type Say = {
  start?: { params?: Record<string, string> };
  choice?: string;
  node?: string;
  choices?: string[];
  location?: [number, number];
  media?: "voice" | "photo" | "sticker";
  ref?: string;
};

/** The inputs of the golden "whole needs survey" conversation, as the engine takes them (as golden.test.ts reads them). */
function needsSurveyInputs(): { first: Session | null; inputs: Input[] } {
  const golden = parse(readFileSync(GOLDEN, "utf8")) as Golden;
  const inputs = golden.turns.map(({ say }): Input => {
    if (typeof say === "string") return { type: "text", text: say };
    const s = say as Say;
    if (s.start) return { type: "start", params: s.start.params ?? {} };
    if (s.choice) return { type: "choice", id: s.choice, ...(s.node ? { node: s.node } : {}) };
    if (s.choices) return { type: "choices", ids: s.choices };
    if (s.location) return { type: "location", lat: s.location[0], lon: s.location[1] };
    if (s.media && s.ref) return { type: "media", media: s.media, ref: s.ref };
    throw new Error(`${GOLDEN}: the benchmark can't replay ${JSON.stringify(say)} (extend needsSurveyInputs)`);
  });
  return { first: golden.contact ? newSession(golden.contact.language, golden.contact.fields ?? {}) : null, inputs };
}

type Store = "none" | "json" | "json+zod";

/** Answer the whole survey once; the session goes through a store between turns as `store` says. */
function answerSurvey(first: Session | null, inputs: readonly Input[], ctx: EngineContext, store: Store): Session | null {
  let session = first;
  for (const input of inputs) {
    session = resume(session, input, ctx).session;
    if (store !== "none") {
      // What a store does between turns: keep JSON, give back a parsed copy (validated or not).
      const parsed: unknown = JSON.parse(JSON.stringify(session));
      session = store === "json+zod" ? Session.parse(parsed) : (parsed as Session);
    }
  }
  return session;
}

function needsSurveyThroughput(): void {
  const ctx = testContext({ languages: ["en"] });
  const { first, inputs } = needsSurveyInputs();
  // The numbers mean nothing if the conversation doesn't reach the end of the survey.
  const done = answerSurvey(first, inputs, ctx, "json+zod");
  if (done?.status !== "completed") throw new Error(`the needs survey did not complete (status ${done?.status})`);

  const perSurvey = microsPerCall({
    none: () => void answerSurvey(first, inputs, ctx, "none"),
    json: () => void answerSurvey(first, inputs, ctx, "json"),
    "json+zod": () => void answerSurvey(first, inputs, ctx, "json+zod"),
  } satisfies Record<Store, () => void>, { batches: 31, batchMs: 40 });
  const labels: Record<Store, string> = {
    none: "engine only (session stays in memory)",
    json: "+ JSON round trip between turns",
    "json+zod": "+ JSON round trip + Session.parse (zod)",
  };
  const rows = (Object.keys(labels) as Store[]).map((store) => {
    const survey = perSurvey[store];
    const answer = survey / inputs.length;
    return [labels[store], fmt(answer), fmt(1e6 / answer, 0), fmt(1e6 / survey, 0)];
  });
  console.log(`Whole needs survey (shipped flows, English): the ${inputs.length} inputs of test/flows/needs.en-full.yaml, over and over (median of 31 batches):\n`);
  console.log(table(["", "µs/answer", "answers/s", "surveys/s"], rows));
}

function flatCost(): void {
  const flow = longSurvey();
  const ctx = longSurveyContext(flow);
  // Sessions waiting at question k, prepared by answering k−1 questions (not timed).
  const waitingAt = new Map<number, Session>();
  let session = resume(null, { type: "start", params: {} }, ctx).session;
  for (let n = 1; n <= Math.max(...AT_QUESTIONS); n++) {
    if (session.wait?.node !== questionId(n)) throw new Error(`expected to wait at ${questionId(n)}, waiting at ${session.wait?.node}`);
    waitingAt.set(n, session);
    session = resume(session, { type: "text", text: answerTo(n) }, ctx).session;
  }

  const ops: Record<string, () => void> = {};
  for (const k of AT_QUESTIONS) {
    const at = waitingAt.get(k) as Session;
    const stored = JSON.stringify(at);
    const input: Input = { type: "text", text: answerTo(k) };
    const check = resume(at, input, ctx);
    if (check.session.wait?.node !== questionId(k + 1) || check.messages.length !== 1) throw new Error(`the answer at ${questionId(k)} did not move on`);
    ops[`resume ${k}`] = () => void resume(at, input, ctx);
    ops[`store ${k}`] = () => void JSON.stringify(resume(JSON.parse(stored) as Session, input, ctx).session);
  }
  const us = microsPerCall(ops, { batches: 31, batchMs: 25 });
  const row = (prefix: string) => AT_QUESTIONS.map((k) => us[`${prefix} ${k}`] as number);
  const engine = row("resume");
  const stored = row("store");
  const sizes = AT_QUESTIONS.map((k) => JSON.stringify(waitingAt.get(k)).length);
  const ratio = (xs: number[]) => (xs.at(-1) as number) / (xs[0] as number);

  console.log(`\nOne answer at question k of a survey of ${LONG_SURVEY_QUESTIONS} single-choice questions (4 options each), median of 31 batches:\n`);
  console.log(
    table(
      ["µs per answer at question k =", ...AT_QUESTIONS.map(String), "q50/q1"],
      [
        ["resume()", ...engine.map((x) => fmt(x)), fmt(ratio(engine), 2)],
        ["JSON.parse + resume() + JSON.stringify", ...stored.map((x) => fmt(x)), fmt(ratio(stored), 2)],
        ["session JSON (bytes)", ...sizes.map(String), fmt(ratio(sizes), 2)],
      ],
    ),
  );
  console.log(`\nGoal: an answer late in a survey costs what an early one does, resume() q50/q1 ≤ ${FLAT_RATIO}: ${fmt(ratio(engine), 2)}  ${verdict(ratio(engine) <= FLAT_RATIO, "engine: flat cost per answer")}`);
  console.log(`      the same with the store's JSON round trip,             q50/q1 ≤ ${FLAT_RATIO}: ${fmt(ratio(stored), 2)}  ${verdict(ratio(stored) <= FLAT_RATIO, "engine: flat cost per answer with the JSON round trip")}`);
}

/** Engine benchmarks: needs-survey throughput and the flat cost of one answer in a long survey. */
export async function engineBench(): Promise<void> {
  heading("engine");
  needsSurveyThroughput();
  flatCost();
}
