/** How a failed attempt is handled: retried, reported as no network, or final. */
export type Failure =
  | { kind: "transient"; reason: string }
  | { kind: "unreachable"; reason: string };

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/i;

/** The text of an error and its causes (Deno puts the socket error in `cause`). */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error && parts.length < 5; e = e.cause) {
    parts.push(e.message);
  }
  return parts.join(": ") || String(error);
}

/**
 * Classifies a thrown fetch or body-read error. DNS failures and refused or
 * unroutable connections to a non-loopback host mean this machine has no
 * network (retrying will not help); everything else (resets, timeouts,
 * dropped bodies, a local server not up yet) is worth a retry.
 */
export function classifyFailure(error: unknown, url: URL): Failure {
  const text = errorText(error);
  const reason = shortReason(text);
  if (
    /dns error|failed to lookup address|name or service not known|temporary failure in name resolution|no address associated/i
      .test(text)
  ) {
    return { kind: "unreachable", reason: `cannot resolve host "${url.hostname}"` };
  }
  if (/network is unreachable|no route to host|os error 101|os error 113/i.test(text)) {
    return { kind: "unreachable", reason };
  }
  if (/connection refused|os error 111/i.test(text) && !LOOPBACK.test(url.hostname)) {
    return { kind: "unreachable", reason: `connection to "${url.host}" refused` };
  }
  return { kind: "transient", reason };
}

/** The most specific part of a nested error text ("Connection refused (os error 111)"). */
function shortReason(text: string): string {
  const last = text.split(/: /).filter((part) => part.trim()).at(-1) ?? text;
  return last.trim();
}

/** HTTP statuses worth retrying: timeouts, rate limits and server errors. */
export function isTransientStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}
