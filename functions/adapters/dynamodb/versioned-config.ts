import { TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { isDeepStrictEqual } from "node:util";
import { ConflictError } from "../../domain/errors.js";
import { AGAIN, withOptimisticRetry } from "../../domain/optimistic.js";
import type { Key } from "./keys.js";

/** Where a versioned per-channel document lives: its current item, each version's item, and their types. */
export interface VersionedDocument {
  /** "Routing rules of web", for messages. */
  subject: string;
  currentKey: Key;
  versionKey: (version: number) => Key;
  types: { current: string; version: string };
  /** Index attributes of the current item (a listing). */
  index?: Record<string, string>;
}

/** Writes that must commit with a version (a unique claim, say), given the version written and the one replaced. */
export type WithVersion<T> = (next: T, now: T) => NonNullable<TransactWriteCommandInput["TransactItems"]>;

/**
 * Stores `content` as the next version of a document (routing rules, a return policy): the current
 * item and the version's item in one transaction, conditioned on the version read. Unchanged
 * content makes no version; with `expectedVersion` (an If-Match) a stale or concurrent write is a
 * conflict, without it the write reads again.
 */
export async function putNextVersion<C extends object, T extends C & { version: number }>(
  db: DynamoDBDocumentClient,
  tableName: string,
  doc: VersionedDocument,
  current: () => Promise<T>,
  content: (value: C) => unknown,
  build: (version: number) => T,
  expectedVersion?: number,
  alongside?: WithVersion<T>,
): Promise<{ value: T; changed: boolean }> {
  return withOptimisticRetry(doc.subject, async () => {
    const now = await current();
    if (expectedVersion !== undefined && now.version !== expectedVersion) throw new ConflictError(`${doc.subject}: version ${now.version} is current, not ${expectedVersion}`, { currentVersion: now.version });
    const next = build(now.version + 1);
    if (now.version > 0 && isDeepStrictEqual(content(now), content(next))) return { value: now, changed: false };
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: tableName, Item: { ...doc.currentKey, ...doc.index, type: doc.types.current, ...next }, ConditionExpression: now.version === 0 ? "attribute_not_exists(PK)" : "version = :v", ...(now.version === 0 ? {} : { ExpressionAttributeValues: { ":v": now.version } }) } },
            { Put: { TableName: tableName, Item: { ...doc.versionKey(next.version), type: doc.types.version, ...next }, ConditionExpression: "attribute_not_exists(PK)" } },
            ...(alongside?.(next, now) ?? []),
          ],
        }),
      );
      return { value: next, changed: true };
    } catch (error) {
      // Someone wrote a version between our read and our write: with If-Match that is a conflict; without, read again.
      if ((error as Error).name !== "TransactionCanceledException") throw error;
      if (expectedVersion !== undefined) throw new ConflictError(`${doc.subject} changed concurrently`, { expectedVersion });
      return AGAIN;
    }
  });
}
