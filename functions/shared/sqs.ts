import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { taskHandler } from "./middy.js";
import { logger } from "./powertools.js";

/**
 * The middy stack of a queue consumer that takes each record on its own: a record that throws is
 * logged and reported in `batchItemFailures`, so only it comes back after the visibility timeout.
 */
export function sqsRecordHandler<R>(what: string, onRecord: (record: SQSRecord) => Promise<R>) {
  const processor = new BatchProcessor(EventType.SQS);
  const each = async (record: SQSRecord) => {
    try {
      return await onRecord(record);
    } catch (error) {
      logger.error(`${what} failed; SQS delivers it again after the visibility timeout`, { messageId: record.messageId, receiveCount: record.attributes.ApproximateReceiveCount, error: error as Error });
      throw error;
    }
  };
  return taskHandler(async (event: SQSEvent, context) => processPartialResponse(event, each, processor, { context }));
}
