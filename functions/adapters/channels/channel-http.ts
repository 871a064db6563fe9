/** A call a channel's API refused or failed; `retryable` (429, 5xx, a network error, throttling) makes the queue try it again later. */
export class ChannelApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "ChannelApiError";
  }
}

/** Whether an HTTP status is worth retrying. */
export const retryableStatus = (status: number): boolean => status === 429 || status >= 500;

/** One HTTP call with a deadline; a network failure is a retryable ChannelApiError. */
export async function channelRequest(fetchImpl: typeof fetch, url: string, init: RequestInit): Promise<{ status: number; text: string; link?: string }> {
  try {
    const res = await fetchImpl(url, { ...init, signal: AbortSignal.timeout(10_000) });
    const link = res.headers.get("link");
    return { status: res.status, text: await res.text(), ...(link ? { link } : {}) };
  } catch (error) {
    throw new ChannelApiError(`${new URL(url).host}: ${(error as Error).message}`, 0, true);
  }
}

/** Throws the call's ChannelApiError unless its status is 2xx. */
export function expectOk(what: string, res: { status: number; text: string }): void {
  if (res.status < 200 || res.status >= 300) throw new ChannelApiError(`${what}: HTTP ${res.status} ${res.text.slice(0, 300)}`, res.status, retryableStatus(res.status));
}

/** A string field of a channel's credentials secret, or a non-retryable error naming it. */
export function credential(creds: Record<string, unknown> | undefined, field: string, channelId: string): string {
  const v = creds?.[field];
  if (typeof v !== "string" || !v) throw new ChannelApiError(`Channel ${channelId}: its credentials secret has no ${field}`, 0, false);
  return v;
}

/** The `rel="next"` URL of a Link header (Shopify's REST pagination), if any. */
export function nextLink(link: string | undefined): string | undefined {
  return link?.split(",").map((p) => /<([^>]+)>;\s*rel="?next"?/.exec(p)?.[1]).find((u) => u !== undefined);
}

/** Pages a channel list is read to at most in one run (the next run goes on from the cursor). */
export const MAX_PAGES = 40;
