import type { Money } from "./money.js";
import type { PaymentMethod } from "./order.js";

export interface AuthorizeRequest {
  orderId: string;
  amount: Money;
  method: PaymentMethod;
  /** The same key always gets the same answer: a retry never authorizes twice. */
  idempotencyKey: string;
}

export type AuthorizeResult = { status: "AUTHORIZED"; authorizationId: string; amount: Money; at: string } | { status: "DECLINED"; declineCode: string; at: string };


/** One capture, per shipment: planned (amount decided) before the provider is called, then done. */
export interface CaptureRecord {
  amount: Money;
  /** Units the shipment carries: the capture that completes the order takes the exact remainder. */
  units: number;
  captureId?: string;
  at?: string;
}

/** A refund as the payment record keeps it: planned (amount and the captures it goes against) before the provider is called, then done. */
export interface RefundEntry {
  amount: Money;
  /** Minor units taken back from each capture (by shipment id). */
  against?: Record<string, number>;
  refundId?: string;
  at?: string;
  /** Refunded outside the provider (an operator's manual refund, or the marketplace that collected the money). */
  manual?: { by: string; reference: string };
  owedByChannel?: boolean;
  /** The channel's id of the refund that executed (or made) this one: a channel's refund is recorded once, and one we asked for is not counted again. */
  channelRefundId?: string;
}

/** What the OMS keeps about an order's payment, beside the order. */
export interface PaymentRecord {
  orderId: string;
  status: "AUTHORIZED" | "DECLINED" | "VOIDED" | "PARTIALLY_CAPTURED" | "CAPTURED";
  method: PaymentMethod["method"];
  amount: Money;
  authorizationId?: string;
  declineCode?: string;
  at: string;
  voidedAt?: string;
  /** Captures by shipment id. */
  captures?: Record<string, CaptureRecord>;
  /** The sum of completed captures. */
  captured?: Money;
  /** Lowerings of the authorization after lines were cancelled (`amount` is what it holds now), by order revision. */
  reductions?: { revision: number; from: Money; to: Money; at: string }[];
  /** Refunds by order revision (`r<n>`): planned (amount decided) before the provider is called, then done. */
  refunds?: Record<string, RefundEntry>;
  /** The sum of completed refunds. */
  refunded?: Money;
}

/**
 * The local provider's test tokens, after the well-known provider test cards: each triggers one
 * behaviour, so every payment path can be driven through the HTTP API.
 */
export const TEST_TOKENS: Record<string, "approve" | "timeout-once" | "refund-fails" | `decline:${string}`> = {
  tok_visa: "approve",
  tok_mastercard: "approve",
  tok_amex: "approve",
  tok_chargeDeclined: "decline:card_declined",
  tok_chargeDeclinedInsufficientFunds: "decline:insufficient_funds",
  tok_chargeDeclinedExpiredCard: "decline:expired_card",
  tok_chargeDeclinedFraudulent: "decline:fraudulent",
  /** Authorizes, but the answer is lost once: the retry must get the same authorization back. */
  tok_timeout: "timeout-once",
  /** Authorizes and captures, but every refund fails (after the provider test card whose refunds fail). */
  tok_refundFail: "refund-fails",
};

/** What the local provider does with a payment method. Marketplace payments were collected by the channel. */
export function testBehaviour(method: PaymentMethod): "approve" | "timeout-once" | "refund-fails" | `decline:${string}` {
  if (method.method === "marketplace") return "approve";
  return TEST_TOKENS[method.token] ?? "decline:invalid_token";
}
