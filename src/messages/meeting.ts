// How a meeting reads in a person's language: its title (the base language's when there is none in
// theirs) and its time written the way their language writes dates, on the meeting's own clocks.

/** What a meeting shows: its titles per language, base language, start, time zone and place. */
export interface MeetingText {
  title: Record<string, string>;
  baseLanguage: string;
  startsAt: Date;
  timeZone: string;
  place: string;
}

/** The meeting's title in `lang`, else in its base language (else any it has). */
export function meetingTitle(m: Pick<MeetingText, "title" | "baseLanguage">, lang: string): string {
  return m.title[lang] ?? m.title[m.baseLanguage] ?? m.title.en ?? Object.values(m.title)[0] ?? "";
}

/** When the meeting starts, as `lang` writes a weekday, date and time ("" for a language Intl can't write). */
export function meetingWhen(m: Pick<MeetingText, "startsAt" | "timeZone">, lang: string): string {
  try {
    return new Intl.DateTimeFormat(lang, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: m.timeZone }).format(m.startsAt);
  } catch {
    return "";
  }
}

/** Title, time and place in `lang`: the params of a meeting's messages. */
export function meetingParams(m: MeetingText, lang: string): { title: string; when: string; place: string } {
  return { title: meetingTitle(m, lang), when: meetingWhen(m, lang), place: m.place };
}
