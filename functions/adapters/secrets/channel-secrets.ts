import { getSecret } from "@aws-lambda-powertools/parameters/secrets";
import type { ChannelSecrets } from "../../app/ports.js";

/** Seconds a fetched secret is reused before it is read again (a rolled secret takes effect within this). */
const CACHE_SECONDS = 300;

/** Channel HMAC secrets kept as one JSON object `{ "<channel>": "<secret>" }` in Secrets Manager. */
export class SecretsManagerChannelSecrets implements ChannelSecrets {
  constructor(private readonly secretId: string) {}

  async secretFor(channel: string): Promise<string | undefined> {
    const all = await getSecret<Record<string, string>>(this.secretId, { transform: "json", maxAge: CACHE_SECONDS });
    const value = all?.[channel];
    return typeof value === "string" && value.length > 0 ? value : undefined;
  }
}
