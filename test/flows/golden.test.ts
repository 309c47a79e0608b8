// Golden conversations: each test/flows/<flow>.<case>.yaml holds a person's inputs and the bot's
// expected replies (rendered, in the person's language) and events. The session is serialised,
// validated and reloaded before every turn, so persistence is tested on every turn.
// UPDATE_GOLDEN=1 rewrites the expectations from what the engine does now (review the diff!).
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { z } from "zod";
import { resume, Session, newSession, type Input } from "../../src/engine/index.ts";
import { plainText } from "../../src/messages/plain-text.ts";
import { ALL_LANGUAGES, describeEvent, TestClock, testContext } from "../support/engine.ts";

const DIR = import.meta.dirname;
const UPDATE = process.env.UPDATE_GOLDEN === "1";

const Say = z.union([
  z.string(),
  z.object({ choice: z.string(), node: z.string().optional() }).strict(),
  z.object({ choices: z.array(z.string()) }).strict(),
  z.object({ location: z.tuple([z.number(), z.number()]) }).strict(),
  z.object({ media: z.enum(["voice", "photo", "sticker"]), ref: z.string() }).strict(),
  z.object({ start: z.object({ flow: z.string().optional(), params: z.record(z.string(), z.string()).default({}) }) }).strict(),
  z.object({ timeout: z.union([z.literal("current"), z.number()]) }).strict(),
]);
const Case = z
  .object({
    description: z.string(),
    languages: z.array(z.string()).default([...ALL_LANGUAGES]),
    contact: z.object({ language: z.string(), fields: z.record(z.string(), z.string()).default({}) }).optional(),
    entry: z.string().optional(),
    turns: z.array(
      z
        .object({
          say: Say,
          /** Minutes since the previous turn. */
          after: z.number().optional(),
          replies: z.array(z.string()).default([]),
          events: z.array(z.string()).default([]),
        })
        .strict(),
    ),
  })
  .strict();

function toInput(say: z.infer<typeof Say>, session: Session | null): Input {
  if (typeof say === "string") return { type: "text", text: say };
  if ("choice" in say) return { type: "choice", id: say.choice, ...(say.node ? { node: say.node } : {}) };
  if ("choices" in say) return { type: "choices", ids: say.choices };
  if ("location" in say) return { type: "location", lat: say.location[0], lon: say.location[1] };
  if ("media" in say) return { type: "media", media: say.media, ref: say.ref };
  if ("start" in say) return { type: "start", ...(say.start.flow ? { flow: say.start.flow } : {}), params: say.start.params };
  return { type: "timeout", turn: say.timeout === "current" ? (session?.turn ?? 0) : say.timeout };
}

const files = readdirSync(DIR).filter((f) => f.endsWith(".yaml")).sort();

describe("golden conversations", () => {
  it("has cases for every stock flow", () => {
    for (const flow of ["main", "onboarding", "needs", "feedback", "rsvp"]) {
      expect(files.some((f) => f.startsWith(`${flow}.`)), `test/flows/${flow}.*.yaml`).toBe(true);
    }
  });

  for (const file of files) {
    it(file.replace(/\.yaml$/, ""), () => {
      const path = join(DIR, file);
      const c = Case.parse(parse(readFileSync(path, "utf8")));
      const clock = new TestClock();
      const ctx = testContext({ languages: c.languages, clock, ...(c.entry ? { entryFlow: c.entry } : {}) });
      let stored: string | null = c.contact ? JSON.stringify(newSession(c.contact.language, c.contact.fields)) : null;
      const actual = c.turns.map((turn) => {
        clock.tick(turn.after ?? 1);
        // What a store would give back: JSON, checked against the schema.
        const session = stored === null ? null : Session.parse(JSON.parse(stored));
        const result = resume(session, toInput(turn.say, session), ctx);
        stored = JSON.stringify(result.session);
        return {
          ...turn,
          replies: result.messages.map((m) => plainText(m, ctx.texts)),
          events: result.events.map(describeEvent).filter((e): e is string => e !== undefined),
        };
      });
      if (UPDATE) {
        writeFileSync(path, stringify({ ...parse(readFileSync(path, "utf8")), turns: actual }, { lineWidth: 0 }));
        return;
      }
      actual.forEach((got, i) => {
        const want = c.turns[i];
        expect({ say: got.say, replies: got.replies, events: got.events }, `turn ${i + 1} of ${file}`).toEqual({
          say: want?.say,
          replies: want?.replies,
          events: want?.events,
        });
      });
    });
  }
});
