// The one place where the app's log lines leave the process. Lines are written with ids and counts,
// never what a person typed or their address; redaction here is the last guard for a line that
// carries one anyway (an error message quoting a phone number or a WhatsApp address, say).

/** Where a part of the app writes one line of its log. */
export type Log = (line: string) => void;

// A phone number: 9 or more digits, maybe with a leading +, spaces, dashes or brackets between them.
const PHONE = /\+?\d(?:[\d ()-]{7,}\d)/g;
// An e-mail or a chat address such as 393331234567@c.us.
const EMAIL_OR_CHAT = /[^\s@<>"'(),;]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;

/** The line with anything that looks like a phone number or an e-mail/chat address masked. */
export function redact(line: string): string {
  return line.replace(EMAIL_OR_CHAT, "[address]").replace(PHONE, (match) => (countDigits(match) >= 9 ? "[number]" : match));
}

function countDigits(text: string): number {
  return text.replace(/\D/g, "").length;
}

/** The process's log: standard error, one redacted line at a time. */
export const processLog: Log = (line) => {
  process.stderr.write(`${redact(line)}\n`);
};
