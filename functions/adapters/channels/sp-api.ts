import type { AmazonOrderSource, ChannelCredentials } from "../../app/ports.js";
import type { Channel } from "../../domain/channel.js";
import { objects, obj, parseLossless, str, type Json } from "./payload.js";

/** Login with Amazon's token endpoint (the same for every region). */
export const LWA_TOKEN_URL = "https://api.amazon.com/auth/o2/token";
/** SP-API's North America endpoint: a channel's `apiEndpoint` names its region's (EU, FE) instead. */
export const SP_API_DEFAULT_ENDPOINT = "https://sellingpartnerapi-na.amazon.com";

/** What a channel's credentials secret holds for SP-API: the app's LWA client and the seller's refresh token. */
interface LwaCredentials {
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  /** Only for a test double of LWA; Amazon has one token endpoint. */
  tokenUrl?: string;
}

/** A call SP-API refused or failed; `retryable` (429, 5xx, network) makes the notification be tried again later. */
export class SpApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "SpApiError";
  }
}

const MAX_ITEM_PAGES = 20;

/**
 * Orders API v0 over HTTPS, as the SP-API docs describe it: an LWA access token from the seller's
 * refresh token (`grant_type=refresh_token`, kept until a minute before it expires), sent as
 * `x-amz-access-token`; `getOrder` then `getOrderItems`, following `NextToken`. Bodies are read
 * losslessly (ids and amounts stay text). SigV4 signing is no longer required by SP-API.
 */
export class SpApiOrders implements AmazonOrderSource {
  private readonly tokens = new Map<string, { token: string; until: number }>();

  constructor(
    private readonly credentials: ChannelCredentials,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  async fetchOrder(channel: Channel, amazonOrderId: string): Promise<{ order: Json; items: Json[] }> {
    const base = (channel.apiEndpoint ?? SP_API_DEFAULT_ENDPOINT).replace(/\/+$/, "");
    const id = encodeURIComponent(amazonOrderId);
    const order = obj((await this.get(channel, `${base}/orders/v0/orders/${id}`)).payload);
    if (!order) throw new SpApiError(`getOrder ${amazonOrderId}: the response has no payload`, 200, false);
    const items: Json[] = [];
    let next: string | undefined;
    for (let page = 0; page < MAX_ITEM_PAGES; page++) {
      const body = obj((await this.get(channel, `${base}/orders/v0/orders/${id}/orderItems${next ? `?NextToken=${encodeURIComponent(next)}` : ""}`)).payload);
      items.push(...objects(body?.OrderItems));
      next = str(body?.NextToken);
      if (!next) break;
    }
    return { order, items };
  }

  private async get(channel: Channel, url: string): Promise<Json> {
    const call = async (token: string) => this.request(url, { headers: { "x-amz-access-token": token, accept: "application/json", "user-agent": "serverless-oms/1.0 (Language=TypeScript)" } });
    let res = await call(await this.token(channel));
    // An access token revoked or expired early: fetch a new one once.
    if (res.status === 403 && /Unauthorized|expired/i.test(res.text)) {
      this.tokens.delete(channel.channelId);
      res = await call(await this.token(channel));
    }
    if (res.status >= 200 && res.status < 300) return parseLossless(res.text);
    throw new SpApiError(`SP-API ${new URL(url).pathname}: HTTP ${res.status} ${res.text.slice(0, 300)}`, res.status, res.status === 429 || res.status >= 500);
  }

  private async token(channel: Channel): Promise<string> {
    const cached = this.tokens.get(channel.channelId);
    if (cached && cached.until > Date.now()) return cached.token;
    const c = await this.credentials.credentialsFor(channel);
    const creds = c as Partial<LwaCredentials> | undefined;
    if (!creds?.clientId || !creds.clientSecret || !creds.refreshToken) throw new SpApiError(`Channel ${channel.channelId}: its credentials secret must hold clientId, clientSecret and refreshToken`, 0, false);
    const form = new URLSearchParams({ grant_type: "refresh_token", refresh_token: creds.refreshToken, client_id: creds.clientId, client_secret: creds.clientSecret });
    const res = await this.request(creds.tokenUrl ?? LWA_TOKEN_URL, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded;charset=UTF-8" }, body: form.toString() });
    if (res.status !== 200) throw new SpApiError(`LWA token: HTTP ${res.status} ${res.text.slice(0, 300)}`, res.status, res.status === 429 || res.status >= 500);
    const body = JSON.parse(res.text) as { access_token?: string; expires_in?: number };
    if (!body.access_token) throw new SpApiError("LWA token: no access_token in the answer", res.status, false);
    this.tokens.set(channel.channelId, { token: body.access_token, until: Date.now() + Math.max(0, (body.expires_in ?? 3600) - 60) * 1000 });
    return body.access_token;
  }

  private async request(url: string, init: RequestInit): Promise<{ status: number; text: string }> {
    try {
      const res = await this.fetchImpl(url, { ...init, signal: AbortSignal.timeout(10_000) });
      return { status: res.status, text: await res.text() };
    } catch (error) {
      throw new SpApiError(`${new URL(url).host}: ${(error as Error).message}`, 0, true);
    }
  }
}
