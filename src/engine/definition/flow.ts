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

const params = z.record(z.string(), ValueRef).optional().describe("values interpolated into the text");

export const MessageNode = z
  .object({ type: z.literal("message"), text: TextKey, params, next: NodeId })
  .strict();
export const QuestionNode = z
  .object({
    type: z.literal("question"),
    text: TextKey,
    params,
    answer: AnswerSpec,
    result: z.string().regex(/^[a-z][a-z0-9_]*$/).optional().describe("name the answer is stored under; default the node id"),
    optional: z.boolean().default(false).describe("the person may skip it"),
    attempts: z.number().int().min(1).max(10).default(3).describe("invalid answers before the invalid exit"),
    hint: TextKey.optional().describe("text shown after an invalid answer, instead of the default for the answer type"),
    next: NodeId,
    invalid: NodeId.optional().describe("where to go after too many invalid answers; default next"),
    skipped: NodeId.optional().describe("where to go when skipped; default next"),
    timeout: z
      .object({ after: z.number().int().positive().describe("seconds"), next: NodeId })
      .strict()
      .optional()
      .describe("where to go when no answer comes in time"),
  })
  .strict();
export const ConsentNode = z
  .object({
    type: z.literal("consent"),
    text: TextKey,
    params,
    version: z.string().min(1).describe("version of the consent note, stored with the consent"),
    next: NodeId,
    declined: TextKey.optional().describe("text sent when the person declines; the flow then ends"),
  })
  .strict();
export const BranchNode = z
  .object({
    type: z.literal("branch"),
    cases: z.array(z.object({ when: Condition, next: NodeId }).strict()).min(1),
    default: NodeId,
  })
  .strict();
export const SetNode = z
  .object({
    type: z.literal("set"),
    field: FieldName,
    value: ValueRef,
    next: NodeId,
  })
  .strict();
export const EmitNode = z
  .object({
    type: z.literal("emit"),
    event: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, "must be a dotted name like survey.completed"),
    data: z.record(z.string(), ValueRef).default({}),
    next: NodeId,
  })
  .strict();
export const SubflowNode = z.object({ type: z.literal("flow"), flow: FlowId, next: NodeId }).strict();
export const EndNode = z.object({ type: z.literal("end"), text: TextKey.optional(), params }).strict();

/** One step of a flow. Only `question` and `consent` wait for the person. */
export const Node = z.discriminatedUnion("type", [
  MessageNode,
  QuestionNode,
  ConsentNode,
  BranchNode,
  SetNode,
  EmitNode,
  SubflowNode,
  EndNode,
]);
export type Node = z.infer<typeof Node>;
export type NodeType = Node["type"];
export type QuestionNode = z.infer<typeof QuestionNode>;
export type ConsentNode = z.infer<typeof ConsentNode>;
export type WaitingNode = QuestionNode | ConsentNode;

/** A flow: a survey, a dialogue or a piece of one, as written in `flows/<id>.yaml`. */
export const Flow = z
  .object({
    $schema: z.string().optional(),
    id: FlowId,
    version: z.number().int().positive().describe("raise it when the flow changes; running sessions then restart it"),
    title: TextKey.optional(),
    texts: z.string().regex(/^[a-z][a-z0-9_-]*$/).optional().describe("locale namespace of unqualified text keys; default the flow id"),
    start: NodeId.optional().describe("first node; default the first one listed"),
    nodes: z.record(NodeId, Node).refine((n) => Object.keys(n).length > 0, "a flow needs at least one node"),
  })
  .strict();
export type Flow = z.infer<typeof Flow>;
export type FlowInput = z.input<typeof Flow>;

/** The node a flow starts at. */
export function startNode(flow: Flow): string {
  return flow.start ?? (Object.keys(flow.nodes)[0] as string);
}

/** Every node id a node can go to, with the property that names it. */
export function exitsOf(node: Node): Array<{ via: string; to: string }> {
  switch (node.type) {
    case "message":
    case "set":
    case "emit":
    case "flow":
    case "consent":
      return [{ via: "next", to: node.next }];
    case "question": {
      const out = [{ via: "next", to: node.next }];
      if (node.invalid) out.push({ via: "invalid", to: node.invalid });
      if (node.skipped) out.push({ via: "skipped", to: node.skipped });
      if (node.timeout) out.push({ via: "timeout.next", to: node.timeout.next });
      return out;
    }
    case "branch":
      return [...node.cases.map((c, i) => ({ via: `cases.${i}.next`, to: c.next })), { via: "default", to: node.default }];
    case "end":
      return [];
  }
}

/** Qualify a text key with the flow's namespace, so hosts always get `namespace:key`. */
export function qualifyKey(flow: Flow, key: string): string {
  if (key.includes(":")) return key;
  // The same string every time: hosts look texts up by it, and a string built anew is hashed anew.
  let byKey = qualified.get(flow);
  if (!byKey) qualified.set(flow, (byKey = new Map()));
  let out = byKey.get(key);
  if (out === undefined) byKey.set(key, (out = `${flow.texts ?? flow.id}:${key}`));
  return out;
}

const qualified = new WeakMap<Flow, Map<string, string>>();
