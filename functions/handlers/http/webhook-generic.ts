import { readGenericWebhook, GENERIC_CHANNEL } from "../../adapters/channels/generic.js";
import { SIGNATURE_HEADER } from "../../adapters/channels/signature.js";
import { placeOrder } from "../../app/place-order.js";
import { PayloadTooLargeError } from "../../domain/errors.js";
import { bodyBytes, json, rawBody, requireJsonContent } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { systemClock, ulidIds } from "../../shared/runtime.js";
import * as root from "../composition-root.js";

/** Largest webhook body accepted (bytes). */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

const deps = { orders: root.orders(), workflow: root.workflowStarter(), clock: systemClock, ids: ulidIds };
const secrets = root.channelSecrets();

/** POST /webhooks/generic: size, media type, signature, JSON, schema; then capture exactly once. */
export const handler = httpHandler(async (event) => {
  if (bodyBytes(event) > MAX_WEBHOOK_BYTES) throw new PayloadTooLargeError(`Body exceeds ${MAX_WEBHOOK_BYTES} bytes`);
  requireJsonContent(event);
  const secret = await secrets.secretFor(GENERIC_CHANNEL);
  if (!secret) throw new Error(`No secret configured for channel ${GENERIC_CHANNEL}`);
  const input = readGenericWebhook(rawBody(event), event.headers[SIGNATURE_HEADER], secret, Math.floor(Date.now() / 1000));
  const result = await placeOrder(deps, input);
  return json(result.created ? 202 : 200, { orderId: result.orderId, status: result.status });
});
