import { SFNClient } from "@aws-sdk/client-sfn";
import { readGenericWebhook, GENERIC_CHANNEL } from "../../adapters/channels/generic.js";
import { SIGNATURE_HEADER } from "../../adapters/channels/signature.js";
import { documentClient } from "../../adapters/dynamodb/client.js";
import { DynamoOrderRepository } from "../../adapters/dynamodb/order-repository.js";
import { SecretsManagerChannelSecrets } from "../../adapters/secrets/channel-secrets.js";
import { StepFunctionsWorkflowStarter } from "../../adapters/stepfunctions/workflow-starter.js";
import { placeOrder } from "../../app/place-order.js";
import { PayloadTooLargeError } from "../../domain/errors.js";
import { requireEnv } from "../../shared/env.js";
import { bodyBytes, json, rawBody, requireJsonContent } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import { systemClock, ulidIds } from "../../shared/runtime.js";

/** Largest webhook body accepted (bytes). */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

const deps = {
  orders: new DynamoOrderRepository(documentClient(), requireEnv("TABLE_NAME")),
  workflow: new StepFunctionsWorkflowStarter(new SFNClient({}), requireEnv("STATE_MACHINE_ARN")),
  clock: systemClock,
  ids: ulidIds,
};
const secrets = new SecretsManagerChannelSecrets(requireEnv("CHANNEL_SECRETS_ARN"));

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
