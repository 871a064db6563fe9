import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { isDeepStrictEqual } from "node:util";
import { ConflictError } from "../../domain/errors.js";
import { defaultRoutingRules, type RoutingRules, type RoutingRulesInput } from "../../domain/routing-rules.js";
import { AGAIN, withOptimisticRetry } from "../../domain/optimistic.js";
import { ITEM_TYPES, keys } from "./keys.js";

const strip = ({ PK: _a, SK: _b, type: _t, ...rest }: Record<string, unknown>) => rest as unknown as RoutingRules;
const contentOf = ({ filters, objective, costModel, shortagePolicy, holds }: RoutingRulesInput) => ({ filters, objective, costModel, shortagePolicy, holds });

/** Routing rules per sales channel: the current version, and every version kept for audit and simulation. */
export class DynamoRoutingRules {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The channel's current rules (or a given version); the built-in defaults (version 0) when none were set. */
  async get(channel: string, version?: number): Promise<RoutingRules | undefined> {
    if (version === 0) return defaultRoutingRules(channel);
    const key = version === undefined ? keys.routingRules(channel) : keys.routingRulesVersion(channel, version);
    const out = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    if (out.Item) return strip(out.Item);
    return version === undefined ? defaultRoutingRules(channel) : undefined;
  }

  /** The channel's current rules, the defaults when none were set. */
  async current(channel: string): Promise<RoutingRules> {
    return (await this.get(channel)) ?? defaultRoutingRules(channel);
  }

  /** Every stored version, newest first. */
  async versions(channel: string): Promise<RoutingRules[]> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "PK = :pk AND begins_with(SK, :v)",
        ExpressionAttributeValues: { ":pk": keys.routingRulesPartition(channel), ":v": keys.routingRulesVersionPrefix },
        ScanIndexForward: false,
      }),
    );
    return (out.Items ?? []).map(strip);
  }

  /**
   * Stores new rules as the next version. With `expectedVersion` (an If-Match) the write happens
   * only if the current version is still that one; unchanged content makes no new version.
   */
  async put(channel: string, input: RoutingRulesInput, actor: string, at: string, expectedVersion?: number): Promise<{ rules: RoutingRules; changed: boolean }> {
    return withOptimisticRetry(`Routing rules of ${channel}`, async () => {
      const current = await this.current(channel);
      if (expectedVersion !== undefined && current.version !== expectedVersion)
        throw new ConflictError(`Routing rules of ${channel} are at version ${current.version}, not ${expectedVersion}`, { currentVersion: current.version });
      if (current.version > 0 && isDeepStrictEqual(contentOf(current), contentOf(input))) return { rules: current, changed: false };
      const rules: RoutingRules = { channel, version: current.version + 1, ...contentOf(input), updatedAt: at, updatedBy: actor };
      try {
        await this.db.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: this.tableName,
                  Item: { ...keys.routingRules(channel), type: ITEM_TYPES.routingRules, ...rules },
                  ConditionExpression: current.version === 0 ? "attribute_not_exists(PK)" : "version = :v",
                  ...(current.version === 0 ? {} : { ExpressionAttributeValues: { ":v": current.version } }),
                },
              },
              { Put: { TableName: this.tableName, Item: { ...keys.routingRulesVersion(channel, rules.version), type: ITEM_TYPES.routingRulesVersion, ...rules }, ConditionExpression: "attribute_not_exists(PK)" } },
            ],
          }),
        );
        return { rules, changed: true };
      } catch (error) {
        // Someone wrote a version between our read and our write: with If-Match that is a conflict; without, read again.
        if ((error as Error).name !== "TransactionCanceledException") throw error;
        if (expectedVersion !== undefined) throw new ConflictError(`Routing rules of ${channel} changed concurrently`, { expectedVersion });
        return AGAIN;
      }
    });
  }
}
