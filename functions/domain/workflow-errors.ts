import { ConcurrentModificationError, DomainError } from "./errors.js";

/**
 * The errors a workflow step fails with on purpose, which the state machines catch or retry by
 * name (`ErrorEquals`). The one list of them: an infra test holds every custom name in the ASL
 * files against it, so a renamed class cannot silently stop matching its Catch.
 */

/** The order was cancelled while a workflow step worked on it: the step undid its part and stops the workflow. */
export class OrderCancelledError extends DomainError {
  readonly code = "ORDER_CANCELLED";
}

/** A shipment that waits for stock (the rest of a short order): its workflow branch goes to "Wait for stock". */
export class AwaitingStockError extends DomainError {
  readonly code = "AWAITING_STOCK";
}

/** The provider refused the payment: a business outcome the workflow compensates, never retried. */
export class PaymentDeclinedError extends DomainError {
  readonly code = "PAYMENT_DECLINED";
  constructor(readonly declineCode: string) {
    super(`The payment was declined: ${declineCode}`, { declineCode });
  }
}

/** The provider did not answer in time: transient, retried with the same idempotency key. */
export class PaymentProviderTimeoutError extends Error {
  constructor(message = "The payment provider did not answer in time") {
    super(message);
    this.name = "PaymentProviderTimeoutError";
  }
}

/** The error a cancellation fails waiting workflow steps with (SendTaskFailure): OrderCancelledError's name. */
export const ORDER_CANCELLED = "OrderCancelledError";
/** The error a cancelled hold fails the waiting task with (SendTaskFailure). */
export const HOLD_CANCELLED = "HoldCancelled";
/** The error "Release to location" fails with when the location rejects (SendTaskFailure). */
export const SHIPMENT_REJECTED = "ShipmentRejected";
/** The error a shipment's waiting step fails with when every line of it was cancelled; its branch ends, the rest of the order goes on. */
export const SHIPMENT_CANCELLED = "ShipmentCancelled";

/** The provider failed a refund (not a timeout): retried a few times, then the return waits for an operator. */
export class RefundFailedError extends Error {
  constructor(message = "The payment provider refused the refund") {
    super(message);
    this.name = "RefundFailedError";
  }
}

/** The error a declined return fails its waiting approval step with (SendTaskFailure). */
export const RETURN_DECLINED = "ReturnDeclined";
/** The error a cancelled return fails its waiting steps with (SendTaskFailure). */
export const RETURN_CANCELLED = "ReturnCancelled";

/** Every error name a workflow may catch or retry besides the `States.*` and `Lambda.*` ones. */
export const WORKFLOW_ERROR_NAMES: readonly string[] = [
  ORDER_CANCELLED,
  OrderCancelledError.name,
  AwaitingStockError.name,
  PaymentDeclinedError.name,
  new PaymentProviderTimeoutError().name,
  HOLD_CANCELLED,
  SHIPMENT_REJECTED,
  SHIPMENT_CANCELLED,
  new ConcurrentModificationError("", 0).name,
  new RefundFailedError().name,
  RETURN_DECLINED,
  RETURN_CANCELLED,
];
