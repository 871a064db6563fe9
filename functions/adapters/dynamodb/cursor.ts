import { QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ValidationError } from "../../domain/errors.js";

const KEY_ATTRIBUTES = ["PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK"];

/** Cursors are opaque to callers: base64url of the index and its LastEvaluatedKey. */
export function encodeCursor(index: string, key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify({ i: index, k: key })).toString("base64url");
}

/** The LastEvaluatedKey inside a cursor this listing issued, or ValidationError on anything else. */
export function decodeCursor(cursor: string, index: string): Record<string, string> {
  const invalid = () => new ValidationError("Invalid query", [{ path: "cursor", message: "is not a cursor this listing returned" }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw invalid();
  }
  const { i, k } = (parsed ?? {}) as { i?: unknown; k?: unknown };
  if (i !== index || typeof k !== "object" || k === null) throw invalid();
  const entries = Object.entries(k);
  if (entries.length === 0 || entries.some(([name, v]) => !KEY_ATTRIBUTES.includes(name) || typeof v !== "string")) throw invalid();
  return k as Record<string, string>;
}

/** One page of an index partition (keys and projected attributes), and the cursor of the next page if there is one. */
export async function indexPage(db: DynamoDBDocumentClient, tableName: string, target: { index: string; pk: string; value: string }, limit: number, cursor?: string): Promise<{ items: Record<string, unknown>[]; cursor?: string }> {
  const page = await db.send(
    new QueryCommand({
      TableName: tableName,
      IndexName: target.index,
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": target.pk },
      ExpressionAttributeValues: { ":pk": target.value },
      Limit: limit,
      ExclusiveStartKey: cursor ? decodeCursor(cursor, target.index) : undefined,
      ReturnConsumedCapacity: "TOTAL",
    }),
  );
  return { items: page.Items ?? [], ...(page.LastEvaluatedKey ? { cursor: encodeCursor(target.index, page.LastEvaluatedKey) } : {}) };
}
