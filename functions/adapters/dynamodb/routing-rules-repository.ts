import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { defaultRoutingRules, type RoutingRules, type RoutingRulesInput } from "../../domain/routing-rules.js";
import { ITEM_TYPES, keys } from "./keys.js";
import { putNextVersion } from "./versioned-config.js";

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
    const doc = { subject: `Routing rules of ${channel}`, currentKey: keys.routingRules(channel), versionKey: (v: number) => keys.routingRulesVersion(channel, v), types: { current: ITEM_TYPES.routingRules, version: ITEM_TYPES.routingRulesVersion } };
    const { value, changed } = await putNextVersion(this.db, this.tableName, doc, () => this.current(channel), contentOf, (version): RoutingRules => ({ channel, version, ...contentOf(input), updatedAt: at, updatedBy: actor }), expectedVersion);
    return { rules: value, changed };
  }

}
