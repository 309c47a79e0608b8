// Question texts and option labels of stored answers, in a person's language, for what they are shown
// of their own data. Texts that need a flow's params (an event's title) can't be filled afterwards:
// those fall back to the question's or option's id.
import { qualifyKey, type Flow, type FlowSource } from "../engine/index.ts";
import type { Texts } from "../i18n/texts.ts";

const SLOT = /\{\{/;

/** What a stored answer's question and options read as in one language. */
export class AnswerLabels {
  constructor(
    private readonly flows: FlowSource,
    private readonly texts: Texts,
    private readonly lang: string,
  ) {}

  /** The question's text, or undefined (the flow or question is gone, or its text needs params). */
  question(flowId: string, question: string): string | undefined {
    const flow = this.flows.get(flowId);
    const node = flow?.nodes[question];
    if (!flow || !node || node.type !== "question") return undefined;
    return this.text(flow, node.text);
  }

  /** An option's label (or yes / no), else the option id itself. */
  option(flowId: string, question: string, id: string): string {
    const flow = this.flows.get(flowId);
    const node = flow?.nodes[question];
    if (flow && node?.type === "question") {
      const spec = node.answer;
      if (spec.type === "yes_no" && (id === "yes" || id === "no")) return this.texts.t(this.lang, `common:${id}`);
      if (spec.type === "choice" || spec.type === "multiple_choice") {
        const option = spec.options.find((o) => o.id === id);
        if (option) return this.text(flow, option.label) ?? id;
      }
    }
    return id;
  }

  private text(flow: Flow, key: string): string | undefined {
    const t = this.texts.t(this.lang, qualifyKey(flow, key));
    return SLOT.test(t) ? undefined : t;
  }
}
