// What a question accepts: one schema per answer type.
import { z } from "zod";
import { Condition, TextKey, TextParams } from "./parts.ts";

/** Choice ids travel in Telegram callback data (64 bytes in all), so they stay short. */
export const OptionId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, "must be lower-case letters, digits, - or _")
  .max(24);

export const Option = z
  .object({
    id: OptionId,
    label: TextKey.describe("text key of the option's label"),
    synonyms: TextKey.optional().describe("text key of other words for this option, separated by |"),
    exclusive: z
      .boolean()
      .optional()
      .describe('in a multiple choice, an option that is chosen alone ("None of these"): with others it is refused, with a hint'),
    params: TextParams.describe("values interpolated into the label (a list the host looked up: a meeting's title)"),
    when: Condition.optional().describe("offered only when this holds (numbers count the options offered)"),
  })
  .strict();
export type Option = z.infer<typeof Option>;

const options = z.array(Option).min(2, "needs at least 2 options").max(20);

export const TextAnswer = z
  .object({
    type: z.literal("text"),
    min: z.number().int().min(0).default(1),
    max: z.number().int().positive().max(4000).default(1000),
    media: z.array(z.literal("voice")).default([]).describe("media accepted instead of text"),
  })
  .strict();
export const NumberAnswer = z
  .object({
    type: z.literal("number"),
    min: z.number().optional(),
    max: z.number().optional(),
    integer: z.boolean().default(true),
  })
  .strict();
export const ChoiceAnswer = z.object({ type: z.literal("choice"), options }).strict();
export const MultipleChoiceAnswer = z
  .object({
    type: z.literal("multiple_choice"),
    options,
    min: z.number().int().min(1).default(1),
    max: z.number().int().min(1).optional(),
  })
  .strict();
export const YesNoAnswer = z.object({ type: z.literal("yes_no") }).strict();
export const ScaleAnswer = z
  .object({
    type: z.literal("scale"),
    min: z.number().int().default(1),
    max: z.number().int().default(5),
    labels: z.record(z.string().regex(/^-?\d+$/), TextKey).default({}).describe("labels of some points, e.g. 1: very bad"),
  })
  .strict();
export const DateAnswer = z
  .object({
    type: z.literal("date"),
    past: z.boolean().default(false).describe("only today or earlier"),
    future: z.boolean().default(false).describe("only today or later"),
  })
  .strict();
export const LocationAnswer = z.object({ type: z.literal("location") }).strict();
export const LanguageAnswer = z.object({ type: z.literal("language") }).strict();

/** What a question accepts, and how the answer is typed. */
export const AnswerSpec = z.discriminatedUnion("type", [
  TextAnswer,
  NumberAnswer,
  ChoiceAnswer,
  MultipleChoiceAnswer,
  YesNoAnswer,
  ScaleAnswer,
  DateAnswer,
  LocationAnswer,
  LanguageAnswer,
]);
export type AnswerSpec = z.infer<typeof AnswerSpec>;
export type AnswerType = AnswerSpec["type"];


/** Mistakes in an answer spec its schema can't see, each at the property it is about. */
export function answerProblems(spec: AnswerSpec): Array<{ via: string; message: string }> {
  const out: Array<{ via: string; message: string }> = [];
  if (spec.type === "choice" || spec.type === "multiple_choice") {
    const seen = new Set<string>();
    spec.options.forEach((o, i) => {
      if (seen.has(o.id)) out.push({ via: `options.${i}.id`, message: `choice id "${o.id}" is used twice` });
      seen.add(o.id);
      if (o.exclusive && spec.type === "choice") {
        out.push({ via: `options.${i}.exclusive`, message: "only means something in a multiple_choice (a choice takes one option anyway)" });
      }
    });
    if (spec.type === "multiple_choice" && spec.options.every((o) => o.exclusive)) {
      out.push({ via: "options", message: "every option is exclusive: make it a choice" });
    }
    if (spec.type === "multiple_choice" && spec.max !== undefined && spec.max < spec.min) out.push({ via: "max", message: "is smaller than min" });
  }
  if (spec.type === "scale" && spec.max <= spec.min) out.push({ via: "max", message: "must be larger than min" });
  if (spec.type === "number" && spec.min !== undefined && spec.max !== undefined && spec.max < spec.min) {
    out.push({ via: "max", message: "is smaller than min" });
  }
  if (spec.type === "text" && spec.max < spec.min) out.push({ via: "max", message: "is smaller than min" });
  return out;
}
