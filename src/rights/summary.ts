// MY DATA: what we hold about a person, told in a few short numbered lines in their language, and how
// to delete it or stop. Rendered from a summary the host read (src/repos/contact-data.ts).
import type { FlowSource, Message, Session } from "../engine/index.ts";
import type { Texts } from "../i18n/texts.ts";
import { meetingTitle } from "../messages/meeting.ts";
import type { HeldSummary } from "../repos/contact-data.ts";
import { AnswerLabels } from "./labels.ts";

/** The answers MY DATA names as "what you need most": the needs survey's priority. */
export const SUMMARY_TOPICS: ReadonlyArray<{ flow: string; result: string }> = [{ flow: "needs", result: "priority" }];

/** At most this many meeting titles (a short message on a small screen). */
const MAX_TITLES = 3;

/** What MY DATA can say without a database (`inloco chat --memory`, or before the first turn is stored): the session's own fields. */
export function summaryOfSession(session: Session): HeldSummary {
  const consent = session.contact.fields.consent;
  return {
    language: session.contact.language,
    territory: session.contact.fields.territory ?? null,
    consent_version: consent ?? null,
    consent_at: null,
    surveys: [],
    chosen: [],
    feedback: 0,
    meetings: [],
  };
}

/** The MY DATA reply: the summary, then how to delete it or stop. */
export function summaryMessages(summary: HeldSummary, lang: string, texts: Texts, flows: FlowSource): Message[] {
  const t = (key: string, params: Record<string, string | number> = {}) => texts.t(lang, `mydata:${key}`, params);
  const labels = new AnswerLabels(flows, texts, lang);
  const none = t("none");
  const list = (items: string[]) => (items.length === 0 ? none : items.join(t("separator")));
  const consent = !summary.consent_version
    ? t("no_consent")
    : summary.consent_at
      ? t("consent", { date: summary.consent_at.toISOString().slice(0, 10), version: summary.consent_version })
      : t("consent_version", { version: summary.consent_version });
  const titles = summary.meetings.slice(0, MAX_TITLES).map((m) => meetingTitle({ title: m.title, baseLanguage: m.base_language }, lang));
  if (summary.meetings.length > MAX_TITLES) titles.push("…");
  const params = {
    language: texts.t(summary.language, "meta:name"),
    territory: summary.territory ?? none,
    consent,
    surveys: summary.surveys.filter((s) => isSurvey(flows, s.flow_id)).reduce((n, s) => n + s.runs, 0),
    topics: list(summary.chosen.map((c) => labels.option(c.flow_id, c.question, c.choice))),
    feedback: summary.feedback,
    meetings: list(titles),
  };
  return [
    { key: "mydata:summary", params, lang, choices: [] },
    { key: "mydata:how_to", params: {}, lang, choices: [] },
  ];
}

/** A survey is a flow that reports `survey.completed` (needs, not the menu, onboarding or an RSVP). */
function isSurvey(flows: FlowSource, id: string): boolean {
  const flow = flows.get(id);
  return flow !== undefined && Object.values(flow.nodes).some((n) => n.type === "emit" && n.event === "survey.completed");
}
