// The pieces flows and their node kinds are made of: ids, text keys, options, conditions, value references.
import { z } from "zod";

/** A node id: lower_snake_case, unique within its flow; short, because buttons carry it (64 bytes in all). */
export const NodeId = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/, "must be lower_snake_case (a-z, 0-9, _), starting with a letter")
  .max(32);

/** A flow id, as other flows and deep links refer to it. */
export const FlowId = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*$/, "must be lower-case letters, digits, - or _");

/**
 * A text key in `locales/<lang>/<namespace>.json`: `namespace:path.to.key`, or `path.to.key`
 * inside the flow's own namespace (its `texts`, else its id).
 */
export const TextKey = z.string().regex(/^([a-z][a-z0-9_-]*:)?[a-zA-Z0-9_]+(\.[a-zA-Z0-9_]+)*$/, "must be a text key like needs:housing.question");

/** A contact field a flow may read and set (language and territory are the ones the system uses). */
export const FieldName = z.string().regex(/^[a-z][a-z0-9_]*$/, "must be lower_snake_case");

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

/** A test on an earlier answer or a contact field; `all`/`any`/`not` combine tests. */
export const Condition = z
  .object({
    answer: z.string().optional().describe("result name of an earlier question (its node id unless `result` is set)"),
    field: FieldName.optional().describe("contact field"),
    param: z.string().optional().describe("start parameter (from a deep link), e.g. event"),
    equals: Scalar.optional(),
    in: z.array(Scalar).optional(),
    any_of: z.array(z.string()).optional().describe("multiple choice: any of these options chosen"),
    all_of: z.array(z.string()).optional().describe("multiple choice: all of these options chosen"),
    gt: z.number().optional(),
    gte: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    answered: z.boolean().optional().describe("the answer was given (not skipped); for fields and params: has a value"),
    skipped: z.boolean().optional(),
    get all() {
      return z.array(Condition).optional();
    },
    get any() {
      return z.array(Condition).optional();
    },
    get not() {
      return Condition.optional();
    },
  })
  .strict()
  .superRefine((c, ctx) => {
    const combinators = [c.all, c.any, c.not].filter((x) => x !== undefined).length;
    const subjects = [c.answer, c.field, c.param].filter((x) => x !== undefined).length;
    const tests = [c.equals, c.in, c.any_of, c.all_of, c.gt, c.gte, c.lt, c.lte, c.answered, c.skipped].filter(
      (x) => x !== undefined,
    ).length;
    if (combinators > 0 && (subjects > 0 || tests > 0 || combinators > 1)) {
      ctx.addIssue({ code: "custom", message: "use one of all / any / not alone, or one answer/field test" });
    } else if (combinators === 0 && subjects !== 1) {
      ctx.addIssue({ code: "custom", message: "name exactly one of `answer`, `field` or `param`" });
    } else if (combinators === 0 && tests !== 1) {
      ctx.addIssue({
        code: "custom",
        message: "give exactly one test: equals, in, any_of, all_of, gt, gte, lt, lte, answered or skipped",
      });
    } else if (c.answer === undefined && c.skipped !== undefined) {
      ctx.addIssue({ code: "custom", message: "skipped tests answers, not fields or params" });
    }
  });
export type Condition = z.infer<typeof Condition>;

/** A value in `emit` data or message params: a literal, or a reference resolved when the node runs. */
export const ValueRef = z.union([
  Scalar,
  z.object({ answer: z.string() }).strict(),
  z.object({ field: FieldName }).strict(),
  z.object({ param: z.string() }).strict(),
]);
export type ValueRef = z.infer<typeof ValueRef>;

/** Message params: values interpolated into a node's text. */
export const TextParams = z.record(z.string(), ValueRef).optional().describe("values interpolated into the text");

/** What qualifying a text key needs of a flow. */
export interface FlowNames {
  id: string;
  texts?: string | undefined;
}

/** Qualify a text key with the flow's namespace, so hosts always get `namespace:key`. */
export function qualifyKey(flow: FlowNames, key: string): string {
  if (key.includes(":")) return key;
  // The same string every time: hosts look texts up by it, and a string built anew is hashed anew.
  let byKey = qualified.get(flow);
  if (!byKey) qualified.set(flow, (byKey = new Map()));
  let out = byKey.get(key);
  if (out === undefined) byKey.set(key, (out = `${flow.texts ?? flow.id}:${key}`));
  return out;
}

const qualified = new WeakMap<FlowNames, Map<string, string>>();

