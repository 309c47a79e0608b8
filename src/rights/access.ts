// A person's access request (`inloco contact export`): everything held about them, as JSON (every
// field as stored, answers with their question texts and option labels added) and as a plain-text
// document in their own language, for them to read.
import { qualifyKey, type FlowSource } from "../engine/index.ts";
import type { Texts } from "../i18n/texts.ts";
import { meetingTitle, meetingWhen } from "../messages/meeting.ts";
import type { HeldAnswer, HeldData } from "../repos/contact-data.ts";
import { AnswerLabels } from "./labels.ts";

/** The two forms of one person's data. */
export interface AccessDocument {
  /** Everything, as stored, for a machine or a lawyer. */
  json: Record<string, unknown>;
  /** The same, readable, in the person's language. */
  text: string;
  /** The language the text is written in. */
  lang: string;
}

/** Build the export of one person's data, at `now`. */
export function accessDocument(held: HeldData, flows: FlowSource, texts: Texts, now: Date): AccessDocument {
  const lang = texts.has(held.contact.language, "mydata:doc.title") ? held.contact.language : "en";
  const labels = new AnswerLabels(flows, texts, lang);
  const json = {
    exported_at: now.toISOString(),
    contact: held.contact,
    identities: held.identities,
    session: held.session,
    survey_runs: held.runs,
    answers: held.answers.map((a) => ({
      ...a,
      question_text: labels.question(a.flow_id, a.question) ?? null,
      choice_labels: a.value_choices.map((id) => labels.option(a.flow_id, a.question, id)),
    })),
    feedback: held.feedback,
    rsvps: held.rsvps,
    deliveries: held.deliveries,
    audit: held.audit,
  };
  return { json, text: readable(held, flows, labels, texts, lang, now), lang };
}

const day = (d: Date | null | undefined): string => (d ? d.toISOString().slice(0, 10) : "–");
const minute = (d: Date): string => d.toISOString().slice(0, 16).replace("T", " ");

function readable(held: HeldData, flows: FlowSource, labels: AnswerLabels, texts: Texts, lang: string, now: Date): string {
  const t = (key: string, params: Record<string, string | number> = {}) => texts.t(lang, `mydata:${key}`, params);
  const none = t("doc.none");
  const c = held.contact;
  const out: string[] = [t("doc.title"), t("doc.made", { date: minute(now) }), ""];
  out.push(`== ${t("doc.about")} ==`);
  out.push(t("doc.id", { id: c.id }));
  out.push(t("doc.language", { language: texts.t(c.language, "meta:name") }));
  out.push(t("doc.territory", { territory: c.territory?.name ?? none }));
  out.push(c.consent_version ? t("doc.consent", { date: day(c.consent_at), version: c.consent_version }) : t("doc.no_consent"));
  out.push(t("doc.preference", { preference: t(`doc.preference_${c.contact_preference}`) }));
  out.push(t("doc.status", { status: texts.has(lang, `mydata:doc.status_${c.status}`) ? t(`doc.status_${c.status}`) : c.status }));
  out.push(t("doc.since", { first: day(c.created_at), last: day(c.last_seen_at) }));
  out.push("", `== ${t("doc.identities")} ==`);
  if (held.identities.length === 0) out.push(none);
  for (const i of held.identities) out.push(`- ${i.channel}: ${i.address}`);
  out.push("", `== ${t("doc.answers")} ==`);
  if (held.runs.length === 0) out.push(none);
  for (const run of held.runs) {
    out.push(t("doc.run", { flow: flowTitle(flows, texts, lang, run.flow_id), date: day(run.started_at), status: t(`doc.run_${run.status}`) }));
    for (const a of held.answers.filter((x) => x.run_id === run.run_id)) {
      out.push(`  - ${labels.question(a.flow_id, a.question) ?? a.result_name}`, `    ${answerText(a, labels, t)}`);
    }
  }
  out.push("", `== ${t("doc.feedback")} ==`);
  if (held.feedback.length === 0) out.push(none);
  for (const f of held.feedback) out.push(`- ${day(f.created_at)}: ${f.text ?? (f.media_ref ? t("doc.voice") : none)}`);
  out.push("", `== ${t("doc.meetings")} ==`);
  if (held.rsvps.length === 0) out.push(none);
  for (const r of held.rsvps) {
    const title = meetingTitle({ title: r.title, baseLanguage: r.base_language }, lang);
    const when = meetingWhen({ startsAt: r.starts_at, timeZone: r.time_zone }, lang) || `${minute(r.starts_at)} UTC`;
    out.push(`- ${title}, ${when}, ${r.place}: ${t(`doc.rsvp_${r.answer}`)}`);
  }
  out.push("", `== ${t("doc.broadcasts")} ==`);
  if (held.deliveries.length === 0) out.push(none);
  for (const d of held.deliveries) out.push(`- ${day(d.created_at)}: ${d.kind} (${d.status})`);
  out.push("", `== ${t("doc.audit")} ==`);
  if (held.audit.length === 0) out.push(none);
  for (const a of held.audit) out.push(`- ${minute(a.at)}: ${a.action} (${a.actor})`);
  out.push("", t("how_to"), "");
  return out.join("\n");
}

/** A flow's title in `lang` (its `title` text), else its id. */
function flowTitle(flows: FlowSource, texts: Texts, lang: string, id: string): string {
  const flow = flows.get(id);
  return flow?.title ? texts.t(lang, qualifyKey(flow, flow.title)) : id;
}

function answerText(a: HeldAnswer, labels: AnswerLabels, t: (key: string) => string): string {
  if (a.skipped) return t("doc.skipped");
  switch (a.kind) {
    case "choice":
      return a.value_choices.map((id) => labels.option(a.flow_id, a.question, id)).join(t("separator"));
    case "number":
      return String(a.value_number);
    case "date":
      return a.value_date ?? "";
    case "location":
      return a.value_place ?? `${a.value_lat}, ${a.value_lon}`;
    case "media":
      return t("doc.voice");
    default:
      return a.value_text ?? "";
  }
}
