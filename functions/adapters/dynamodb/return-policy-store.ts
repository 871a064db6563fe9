import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { defaultReturnPolicy, type ReturnPolicy, type ReturnPolicyInput } from "../../domain/return-policy.js";
import { ITEM_TYPES, keys } from "./keys.js";
import { putNextVersion } from "./versioned-config.js";

const strip = ({ PK: _a, SK: _b, type: _t, ...rest }: Record<string, unknown>) => rest as unknown as ReturnPolicy;
const contentOf = ({ channel: _c, version: _v, updatedAt: _u, updatedBy: _b, ...content }: ReturnPolicy | (ReturnPolicyInput & Partial<ReturnPolicy>)) => content;

/** Return policies per sales channel: the current version, and every version (a return keeps the version it was decided under). */
export class DynamoReturnPolicies {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The channel's current policy (or a given version); the defaults (version 0) when none was set. */
  async get(channel: string, version?: number): Promise<ReturnPolicy | undefined> {
    if (version === 0) return defaultReturnPolicy(channel);
    const out = await this.db.send(new GetCommand({ ReturnConsumedCapacity: "TOTAL", TableName: this.tableName, Key: version === undefined ? keys.returnPolicy(channel) : keys.returnPolicyVersion(channel, version), ConsistentRead: true }));
    if (out.Item) return strip(out.Item);
    return version === undefined ? defaultReturnPolicy(channel) : undefined;
  }

  async current(channel: string): Promise<ReturnPolicy> {
    return (await this.get(channel)) ?? defaultReturnPolicy(channel);
  }

  /** Stores the policy as the next version (unchanged content makes none); with `expectedVersion` (If-Match) only if that is still current. */
  async put(channel: string, input: ReturnPolicyInput, actor: string, at: string, expectedVersion?: number): Promise<{ policy: ReturnPolicy; changed: boolean }> {
    const doc = { subject: `Return policy of ${channel}`, currentKey: keys.returnPolicy(channel), versionKey: (v: number) => keys.returnPolicyVersion(channel, v), types: { current: ITEM_TYPES.returnPolicy, version: ITEM_TYPES.returnPolicyVersion } };
    const { value, changed } = await putNextVersion(this.db, this.tableName, doc, () => this.current(channel), contentOf, (version): ReturnPolicy => ({ ...input, channel, version, updatedAt: at, updatedBy: actor }), expectedVersion);
    return { policy: value, changed };
  }
}
