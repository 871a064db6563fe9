/** A field-level problem reported back to the caller of an API. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Base class of every error the OMS reports to callers on purpose. */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that does not follow the schema: every offending field is listed. */
export class ValidationError extends DomainError {
  readonly code = "VALIDATION_FAILED";
  constructor(
    message: string,
    readonly issues: FieldIssue[],
  ) {
    super(message, { issues });
  }
}

/** A body that is not JSON at all. */
export class MalformedBodyError extends DomainError {
  readonly code = "MALFORMED_JSON";
}

/** The caller could not be authenticated (bad or missing signature or token). */
export class UnauthorizedError extends DomainError {
  readonly code = "UNAUTHORIZED";
}

/** The request body exceeds what the endpoint accepts. */
export class PayloadTooLargeError extends DomainError {
  readonly code = "PAYLOAD_TOO_LARGE";
}

/** The request body is not in a media type the endpoint accepts. */
export class UnsupportedMediaTypeError extends DomainError {
  readonly code = "UNSUPPORTED_MEDIA_TYPE";
}

/** The addressed resource does not exist. */
export class NotFoundError extends DomainError {
  readonly code = "NOT_FOUND";
}

/** The request conflicts with the current state (a different payload under a key already used, a stale version). */
export class ConflictError extends DomainError {
  readonly code = "CONFLICT";
}

/**
 * A record kept changing between our read and our conditional write, attempt after attempt (see
 * domain/optimistic.ts). Nothing was written by the attempt that gave up; trying again later is
 * safe. 409 over HTTP; the workflows retry it by name.
 */
export class ConcurrentModificationError extends DomainError {
  readonly code = "CONCURRENT_MODIFICATION";
  constructor(
    readonly subject: string,
    readonly attempts: number,
  ) {
    super(`${subject} kept changing under us; gave up after ${attempts} attempts`, { subject, attempts, retryable: true });
  }
}

/** A status change along an edge the lifecycle does not allow. */
export class InvalidTransitionError extends DomainError {
  readonly code = "INVALID_TRANSITION";
  constructor(
    readonly from: string,
    readonly to: string,
  ) {
    super(`An order cannot move from ${from} to ${to}`, { from, to });
  }
}

/** The channel named in the path is not one the OMS knows. */
export class UnknownChannelError extends DomainError {
  readonly code = "UNKNOWN_CHANNEL";
}

/** An Idempotency-Key already used with a different request body. */
export class IdempotencyKeyReuseError extends DomainError {
  readonly code = "IDEMPOTENCY_KEY_REUSED";
}
