// The golden conversation runner (test/flows/golden.test.ts): each test/flows/<flow>.<case>.yaml holds a
// person's inputs and, for every turn, the bot's exact replies (rendered in the person's language) and
// every event the engine returned, each with all its fields (`goldenEvent`), timers (`wait.started`)
// included. The session is serialised, validated and reloaded before every turn, so persistence is
// tested on every turn. Left out, because it is not the engine's: what the host makes of the events
// (rows stored, jobs queued, the reminder's due time from INLOCO_REMINDER_AFTER; test/pipeline/ and
// test/repos/ check those) and the rendering of a message on a platform (test/bots/).
//
// UPDATE_GOLDEN=1 rewrites a file whose expectations differ from what the engine does now; the test of
// that file still fails in that run (review the diff, then run again), so the variable can never turn a
// failure green. Under CI (`CI` set) it is refused outright.
import { readFileSync, writeFileSync } from "node:fs";
import { parse, stringify } from "yaml";
import { z } from "zod";
import { resume, Session, newSession, type Input } from "../../src/engine/index.ts";
import { withDataReplies } from "../../src/effects/data-requested.ts";
import { plainText } from "../../src/messages/plain-text.ts";
import { summaryMessages, summaryOfSession } from "../../src/rights/summary.ts";
import { ALL_LANGUAGES, goldenEvent, TestClock, testContext } from "./engine.ts";

// `facts`: what the host looked up for that turn (src/repos/events-for-start.ts at the menu), as the
// engine gets it; the lookup itself is tested on a database in test/repos/.
const Facts = z.record(z.string(), z.string()).optional();
const Say = z.union([
  z.string(),
  z.object({ text: z.string(), facts: Facts }).strict(),
  z.object({ choice: z.string(), node: z.string().optional(), facts: Facts }).strict(),
  z.object({ choices: z.array(z.string()) }).strict(),
  z.object({ location: z.tuple([z.number(), z.number()]) }).strict(),
  z.object({ media: z.enum(["voice", "photo", "sticker"]), ref: z.string() }).strict(),
  z.object({ start: z.object({ flow: z.string().optional(), params: z.record(z.string(), z.string()).default({}) }) }).strict(),
  z.object({ timeout: z.union([z.literal("current"), z.number()]) }).strict(),
]);
// `held`: what the host read for MY DATA (src/repos/contact-data.ts heldSummary) over what the session
// says (language, territory, consent); its reading is tested on a database in test/pipeline/.
const Held = z
  .object({
    territory: z.string().optional(),
    consent_at: z.string().optional(),
    surveys: z.array(z.object({ flow_id: z.string(), runs: z.number() })).default([]),
    chosen: z.array(z.object({ flow_id: z.string(), question: z.string(), choice: z.string() })).default([]),
    feedback: z.number().default(0),
    meetings: z.array(z.object({ title: z.record(z.string(), z.string()), base_language: z.string(), answer: z.string() })).default([]),
  })
  .strict();
const Turn = z
  .object({
    say: Say,
    /** Minutes since the previous turn. */
    after: z.number().optional(),
    replies: z.array(z.string()).default([]),
    events: z.array(z.string()).default([]),
  })
  .strict();
export const GoldenCase = z
  .object({
    description: z.string(),
    languages: z.array(z.string()).default([...ALL_LANGUAGES]),
    contact: z.object({ language: z.string(), fields: z.record(z.string(), z.string()).default({}) }).optional(),
    entry: z.string().optional(),
    held: Held.optional(),
    turns: z.array(Turn),
  })
  .strict();
type GoldenTurn = z.infer<typeof Turn>;

export class GoldenUpdateRefused extends Error {
  constructor() {
    super("UPDATE_GOLDEN=1 is refused under CI: it would rewrite the golden files instead of checking them. Unset it.");
    this.name = "GoldenUpdateRefused";
  }
}

/** "update" when UPDATE_GOLDEN=1 outside CI, "compare" otherwise; throws when both are set. */
export function goldenMode(env: NodeJS.ProcessEnv = process.env): "compare" | "update" {
  if (env.UPDATE_GOLDEN === undefined || env.UPDATE_GOLDEN === "" || env.UPDATE_GOLDEN === "0") return "compare";
  if (env.CI !== undefined && env.CI !== "" && env.CI !== "false" && env.CI !== "0") throw new GoldenUpdateRefused();
  return "update";
}

function toInput(say: z.infer<typeof Say>, session: Session | null): Input {
  if (typeof say === "string") return { type: "text", text: say };
  if ("text" in say) return { type: "text", text: say.text, ...(say.facts ? { facts: say.facts } : {}) };
  if ("choice" in say) return { type: "choice", id: say.choice, ...(say.node ? { node: say.node } : {}), ...(say.facts ? { facts: say.facts } : {}) };
  if ("choices" in say) return { type: "choices", ids: say.choices };
  if ("location" in say) return { type: "location", lat: say.location[0], lon: say.location[1] };
  if ("media" in say) return { type: "media", media: say.media, ref: say.ref };
  if ("start" in say) return { type: "start", ...(say.start.flow ? { flow: say.start.flow } : {}), params: say.start.params };
  return { type: "timeout", turn: say.timeout === "current" ? (session?.turn ?? 0) : say.timeout };
}

export interface GoldenRun {
  /** The turns as the file has them. */
  want: GoldenTurn[];
  /** The same inputs, with what the engine replies and returns now. */
  got: GoldenTurn[];
}

/** Plays a golden file's inputs through the engine. */
export function playGolden(path: string): GoldenRun {
  const c = GoldenCase.parse(parse(readFileSync(path, "utf8")));
  const clock = new TestClock();
  const ctx = testContext({ languages: c.languages, clock, ...(c.entry ? { entryFlow: c.entry } : {}) });
  let stored: string | null = c.contact ? JSON.stringify(newSession(c.contact.language, c.contact.fields)) : null;
  const got = c.turns.map((turn) => {
    clock.tick(turn.after ?? 1);
    // What a store would give back: JSON, checked against the schema.
    const session = stored === null ? null : Session.parse(JSON.parse(stored));
    const result = withHeld(resume(session, toInput(turn.say, session), ctx), c.held, ctx);
    stored = JSON.stringify(result.session);
    return {
      ...turn,
      replies: result.messages.map((m) => plainText(m, ctx.texts)),
      events: result.events.map(goldenEvent),
    };
  });
  return { want: c.turns, got };
}

/** A turn with the MY DATA reply the host would put in it, from `held` and the session. */
function withHeld(turn: ReturnType<typeof resume>, held: z.infer<typeof Held> | undefined, ctx: ReturnType<typeof testContext>): ReturnType<typeof resume> {
  if (!turn.events.some((e) => e.type === "data.requested")) return turn;
  const { consent_at, territory, ...rest } = held ?? { surveys: [], chosen: [], feedback: 0, meetings: [] };
  const base = summaryOfSession(turn.session);
  const summary = { ...base, ...rest, ...(territory ? { territory } : {}), ...(consent_at ? { consent_at: new Date(consent_at) } : {}) };
  return withDataReplies(turn, summaryMessages(summary, turn.session.contact.language, ctx.texts, ctx.flows));
}

/** What a turn is compared on. */
export const compared = (t: GoldenTurn | undefined) => ({ say: t?.say, replies: t?.replies, events: t?.events });

/**
 * Plays a golden file; in "update" mode rewrites it when a turn differs. Returns the run either way:
 * the caller compares `got` with `want` (the file as it was), so an update never passes a test.
 */
export function checkGolden(path: string, mode: "compare" | "update"): GoldenRun & { rewritten: boolean } {
  const run = playGolden(path);
  const differs = JSON.stringify(run.want.map(compared)) !== JSON.stringify(run.got.map(compared));
  if (mode === "update" && differs) {
    const raw = parse(readFileSync(path, "utf8")) as Record<string, unknown>;
    writeFileSync(path, stringify({ ...raw, turns: run.got }, { lineWidth: 0 }));
  }
  return { ...run, rewritten: mode === "update" && differs };
}
