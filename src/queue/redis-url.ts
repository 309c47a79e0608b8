/** The URL with its password (and a username's secret) replaced by `***`, for messages and logs. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    // Not a URL: keep only what cannot be a secret.
    return url.replace(/\/\/[^@/]*@/, "//***@");
  }
}
