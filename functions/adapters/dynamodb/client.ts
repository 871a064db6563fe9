import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, DynamoDBDocumentClient, type BatchGetCommandOutput } from "@aws-sdk/lib-dynamodb";

/** A document client that drops undefined attributes (optional fields) instead of failing. */
export function documentClient(client = new DynamoDBClient({})): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** True when a transaction was cancelled because of the condition on item `index`. */
export function failedConditionAt(error: unknown, index: number): boolean {
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  return (
    (error as { name?: string }).name === "TransactionCanceledException" &&
    reasons?.[index]?.Code === "ConditionalCheckFailed"
  );
}

export const isConditionFailed = (error: unknown): boolean =>
  (error as { name?: string }).name === "ConditionalCheckFailedException";

/** Awaits a conditional write: true when it was written, false when its condition held it back. */
export async function writeIf(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

const BATCH_GET_LIMIT = 100;
const MAX_UNPROCESSED_ROUNDS = 8;

/**
 * Every item of `keys` that exists (duplicates read once), in batches of 100, retrying
 * unprocessed keys with backoff. Consistent reads unless a projection-only lookup says otherwise.
 */
export async function batchGetAll(
  db: DynamoDBDocumentClient,
  tableName: string,
  keys: { PK: string; SK: string }[],
  options: { consistent?: boolean; projection?: string } = {},
): Promise<Record<string, unknown>[]> {
  const unique = [...new Map(keys.map((k) => [`${k.PK}|${k.SK}`, k])).values()];
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < unique.length; i += BATCH_GET_LIMIT) {
    let pending: Record<string, unknown>[] | undefined = unique.slice(i, i + BATCH_GET_LIMIT);
    for (let round = 0; pending?.length; round++) {
      if (round >= MAX_UNPROCESSED_ROUNDS) throw new Error("DynamoDB kept returning unprocessed keys");
      if (round > 0) await new Promise((r) => setTimeout(r, 25 * 2 ** round));
      const res: BatchGetCommandOutput = await db.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: options.consistent ?? true, ...(options.projection ? { ProjectionExpression: options.projection } : {}) } },
          ReturnConsumedCapacity: "TOTAL",
        }),
      );
      out.push(...(res.Responses?.[tableName] ?? []));
      pending = res.UnprocessedKeys?.[tableName]?.Keys;
    }
  }
  return out;
}
