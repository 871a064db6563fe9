import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import type { ChannelCredentials, ChannelSecrets } from "../../app/ports.js";
import type { Channel } from "../../domain/channel.js";

/** Seconds a fetched secret is reused before it is read again (a rolled secret takes effect within this). */
const CACHE_SECONDS = 300;
/** A missing key makes the secret be read again, but not more often than this. */
const REFETCH_GAP_MS = 5_000;

/** Channel HMAC secrets kept as one JSON object `{ "<channel>": "<secret>" }` in Secrets Manager. */
export class SecretsManagerChannelSecrets implements ChannelSecrets {
  constructor(private readonly secretId: string) {}

  private lastForced = 0;

  async secretFor(channel: string): Promise<string | undefined> {
    const read = async (forceFetch: boolean) => {
      const all = await getSecret<Record<string, string>>(this.secretId, { transform: "json", maxAge: CACHE_SECONDS, forceFetch });
      const value = all?.[channel];
      return typeof value === "string" && value.length > 0 ? value : undefined;
    };
    const cached = await read(false);
    // A channel registered after the cache was filled: read the secret again, at most every few seconds.
    if (cached !== undefined || Date.now() - this.lastForced < REFETCH_GAP_MS) return cached;
    this.lastForced = Date.now();
    return read(true);
  }
}

/** A channel's API credentials: the JSON object in the secret its `credentialsSecret` names (cached like the webhook secrets). */
export class SecretsManagerChannelCredentials implements ChannelCredentials {
  async credentialsFor(channel: Channel): Promise<Record<string, unknown> | undefined> {
    if (!channel.credentialsSecret) return undefined;
    const value = await getSecret<Record<string, unknown>>(channel.credentialsSecret, { transform: "json", maxAge: CACHE_SECONDS });
    return value && typeof value === "object" ? value : undefined;
  }
}
