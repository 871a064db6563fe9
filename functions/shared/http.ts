import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import {
  ConcurrentModificationError,
  ConflictError,
  IdempotencyKeyReuseError,
  DomainError,
  InvalidTransitionError,
  MalformedBodyError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnknownChannelError,
  UnsupportedMediaTypeError,
  ValidationError,
} from "../domain/errors.js";
import { InsufficientStockError, NegativeAvailableError } from "../domain/inventory.js";
import { ReturnNotAllowedError } from "../domain/return.js";

/** The one mapping from domain errors to HTTP status codes. */
const STATUS_BY_ERROR: [new (...args: never[]) => DomainError, number][] = [
  [ValidationError, 400],
  [MalformedBodyError, 400],
  [UnauthorizedError, 401],
  [NotFoundError, 404],
  [UnknownChannelError, 404],
  [ConflictError, 409],
  [ConcurrentModificationError, 409],
  [InsufficientStockError, 409],
  [NegativeAvailableError, 409],
  [InvalidTransitionError, 409],
  [ReturnNotAllowedError, 409],
  [PayloadTooLargeError, 413],
  [IdempotencyKeyReuseError, 422],
  [UnsupportedMediaTypeError, 415],
];

/** HTTP status for an error: 500 for anything that is not a DomainError. */
export function statusFor(error: unknown): number {
  for (const [type, status] of STATUS_BY_ERROR) if (error instanceof type) return status;
  return 500;
}

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" };

/** A JSON response. */
export function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: JSON_HEADERS, body: JSON.stringify(body) };
}

/** `{ "error": { code, message, details? } }`; unexpected errors say nothing beyond the request id. */
export function errorBody(error: unknown, requestId: string): APIGatewayProxyStructuredResultV2 {
  const status = statusFor(error);
  if (error instanceof DomainError && status < 500) {
    const body = { error: { code: error.code, message: error.message, ...(error.details === undefined ? {} : { details: error.details }) } };
    return json(status, body);
  }
  return json(500, { error: { code: "INTERNAL_ERROR", message: "Internal error", details: { requestId } } });
}

/** The raw body as text (API Gateway base64-encodes bodies it does not consider text). */
export function rawBody(event: APIGatewayProxyEventV2): string {
  if (event.body === undefined || event.body === null) return "";
  return event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
}

/** Body size in bytes as received. */
export function bodyBytes(event: APIGatewayProxyEventV2): number {
  if (!event.body) return 0;
  return event.isBase64Encoded ? Buffer.from(event.body, "base64").length : Buffer.byteLength(event.body, "utf8");
}

/** Throws UnsupportedMediaTypeError unless the content type is application/json (any charset). */
export function requireJsonContent(event: APIGatewayProxyEventV2): void {
  const type = (event.headers?.["content-type"] ?? "").split(";")[0]?.trim().toLowerCase();
  if (type !== "application/json")
    throw new UnsupportedMediaTypeError(`Content-Type must be application/json, got ${type ? `"${type}"` : "none"}`);
}

/** The request body parsed as JSON, after checking the media type (415) and the syntax (400). */
export function jsonBody(event: APIGatewayProxyEventV2): unknown {
  requireJsonContent(event);
  try {
    return JSON.parse(rawBody(event)) as unknown;
  } catch (error) {
    throw new MalformedBodyError(`Body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Who made an operator request: the IAM principal in AWS, the local operator locally. */
export const actorOf = (event: APIGatewayProxyEventV2): string =>
  (event.requestContext as { authorizer?: { iam?: { userArn?: string } } }).authorizer?.iam?.userArn ?? "operator";

/** The request's Idempotency-Key header, required where a retry must not act twice (1-128 characters). */
export function idempotencyKeyOf(event: APIGatewayProxyEventV2): string {
  const key = event.headers["idempotency-key"];
  if (!key || key.length > 128) throw new ValidationError("Missing Idempotency-Key", [{ path: "headers.idempotency-key", message: "is required (1-128 characters)" }]);
  return key;
}
