import * as z from "zod/mini";
import "../../domain/schema.js";
import { verifyWebhookSignature, SIGNATURE_HEADER } from "../../adapters/channels/signature.js";
import { recordTracking } from "../../app/delivery.js";
import { recordReturnTracking } from "../../app/return-steps.js";
import { TRACKING_STATUSES } from "../../domain/carrier.js";
import { MalformedBodyError, NotFoundError, PayloadTooLargeError, UnauthorizedError, ValidationError } from "../../domain/errors.js";
import { toFieldIssues } from "../../domain/order-schema.js";
import { bodyBytes, json, rawBody, requireJsonContent } from "../../shared/http.js";
import { httpHandler } from "../../shared/middy.js";
import * as root from "../composition-root.js";

const shipDeps = root.shipDeps();
const returnDeps = root.returnDeps();

const MAX_BYTES = 64 * 1024;
const secrets = root.carrierSecrets();
const bodySchema = z.strictObject({
  trackingNumber: z.string().check(z.trim(), z.minLength(4), z.maxLength(40)),
  status: z.enum(TRACKING_STATUSES),
  at: z.optional(z.iso.datetime({ offset: true })),
});

/**
 * POST /carriers/{carrier}/tracking: a carrier's tracking update, HMAC-signed like the channel
 * webhooks (x-oms-signature, the carrier's secret, or the "default" one). `delivered` completes
 * the shipment and, once every unit has arrived, the order. A return label's number moves its return.
 */
export const handler = httpHandler(async (event) => {
  const carrier = event.pathParameters?.carrier ?? "";
  if (!/^[a-z0-9-]{1,40}$/.test(carrier)) throw new ValidationError("Invalid carrier", [{ path: "carrier", message: "lower-case letters, digits and dashes" }]);
  if (bodyBytes(event) > MAX_BYTES) throw new PayloadTooLargeError(`Body exceeds ${MAX_BYTES} bytes`);
  requireJsonContent(event);
  const secret = (await secrets.secretFor(carrier)) ?? (await secrets.secretFor("default"));
  if (!secret) throw new UnauthorizedError(`No secret is configured for carrier ${carrier}`);
  const raw = rawBody(event);
  verifyWebhookSignature(event.headers[SIGNATURE_HEADER], raw, secret, Math.floor(Date.now() / 1000));
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (error) {
    throw new MalformedBodyError(`Body is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success) throw new ValidationError("Invalid tracking update", toFieldIssues(parsed.error));
  const { at, ...rest } = parsed.data;
  const when = at ? new Date(at).toISOString() : undefined;
  try {
    return json(200, await recordTracking(shipDeps, carrier, { ...rest, ...(when ? { at: when } : {}) }));
  } catch (error) {
    // Not a shipment's number: perhaps a return label's (both are indexed under the carrier and number).
    if (!(error instanceof NotFoundError)) throw error;
    const found = await returnDeps.returns.byTracking(carrier, rest.trackingNumber);
    if (!found) throw error;
    return json(200, await recordReturnTracking(returnDeps, found.returnId, rest.status, when ?? returnDeps.clock.now()));
  }
});
