import { GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { isDeepStrictEqual } from "node:util";
import { ConflictError } from "../../domain/errors.js";
import { AGAIN, withOptimisticRetry } from "../../domain/optimistic.js";
import { defaultReturnPolicy, type ReturnPolicy, type ReturnPolicyInput } from "../../domain/return-policy.js";
import { ITEM_TYPES, keys } from "./keys.js";

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
    return withOptimisticRetry(`Return policy of ${channel}`, async () => {
      const current = await this.current(channel);
      if (expectedVersion !== undefined && current.version !== expectedVersion) throw new ConflictError(`Return policy of ${channel} is at version ${current.version}, not ${expectedVersion}`, { currentVersion: current.version });
      if (current.version > 0 && isDeepStrictEqual(contentOf(current), contentOf(input))) return { policy: current, changed: false };
      const policy: ReturnPolicy = { ...input, channel, version: current.version + 1, updatedAt: at, updatedBy: actor };
      try {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              { Put: { TableName: this.tableName, Item: { ...keys.returnPolicy(channel), type: ITEM_TYPES.returnPolicy, ...policy }, ConditionExpression: current.version === 0 ? "attribute_not_exists(PK)" : "version = :v", ...(current.version === 0 ? {} : { ExpressionAttributeValues: { ":v": current.version } }) } },
              { Put: { TableName: this.tableName, Item: { ...keys.returnPolicyVersion(channel, policy.version), type: ITEM_TYPES.returnPolicyVersion, ...policy }, ConditionExpression: "attribute_not_exists(PK)" } },
            ],
          }),
        );
        return { policy, changed: true };
      } catch (error) {
        if ((error as Error).name !== "TransactionCanceledException") throw error;
        if (expectedVersion !== undefined) throw new ConflictError(`Return policy of ${channel} changed concurrently`, { expectedVersion });
        return AGAIN;
      }
    });
  }
}
