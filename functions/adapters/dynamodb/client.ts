import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

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
