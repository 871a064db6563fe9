import { MalformedBodyError } from "../../domain/errors.js";
import type { ChannelOrder } from "../../domain/order.js";
import { parseGenericOrder } from "../../domain/order-schema.js";
import { verifyWebhookSignature } from "./signature.js";

/** The channel name of our own documented order schema. */
export const GENERIC_CHANNEL = "generic";

/** Verify the signature, then parse and normalize: a generic-channel webhook becomes a ChannelOrder. */
export function readGenericWebhook(rawBody: string, signature: string | undefined, secret: string, nowSeconds: number): ChannelOrder {
  verifyWebhookSignature(signature, rawBody, secret, nowSeconds);
  let body: unknown;
  try {
    body = JSON.parse(rawBody);
  } catch (error) {
    throw new MalformedBodyError(`Body is not valid JSON: ${(error as Error).message}`);
  }
  return parseGenericOrder(body, GENERIC_CHANNEL);
}
