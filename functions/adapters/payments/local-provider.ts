import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { PaymentProviderTimeoutError, RefundFailedError } from "../../domain/workflow-errors.js";
import { testBehaviour, type AuthorizeRequest, type AuthorizeResult } from "../../domain/payment.js";
import type { Money } from "../../domain/money.js";
import { isConditionFailed, writeIf } from "../dynamodb/client.js";
import { ITEM_TYPES, keys } from "../dynamodb/keys.js";
import type { Clock, IdGenerator, PaymentProvider } from "../../app/ports.js";

/**
 * A payment provider that behaves like a real one, for local runs and tests: answers are kept
 * under their idempotency key (the same key always gets the same answer, declines included),
 * test tokens decline with real decline codes, and `tok_timeout` authorizes but loses the
 * answer once, so the caller's retry must be the one that learns of the authorization.
 */
export class LocalPaymentProvider implements PaymentProvider {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async authorize(request: AuthorizeRequest): Promise<AuthorizeResult> {
    const key = keys.providerRequest("authorize", request.idempotencyKey);
    const prior = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    if (prior.Item) return prior.Item.result as AuthorizeResult;
    const behaviour = testBehaviour(request.method);
    const at = this.clock.now();
    const result: AuthorizeResult = behaviour.startsWith("decline:")
      ? { status: "DECLINED", declineCode: behaviour.slice("decline:".length), at }
      : { status: "AUTHORIZED", authorizationId: `auth_${this.ids.next()}`, amount: request.amount, at };
    try {
      await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...key, type: ITEM_TYPES.providerRequest, orderId: request.orderId, result, version: 1 }, ConditionExpression: "attribute_not_exists(PK)" }));
    } catch (error) {
      // A concurrent call with the same key answered first: its answer is the answer.
      if (!isConditionFailed(error)) throw error;
      return this.authorize(request);
    }
    // Refunds of this authorization will fail: kept beside the answers, since a refund names only the authorization.
    if (behaviour === "refund-fails" && result.status === "AUTHORIZED")
      await writeIf(this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.providerRequest("refund-fails", result.authorizationId), type: ITEM_TYPES.providerRequest, version: 1 }, ConditionExpression: "attribute_not_exists(PK)" })));
    if (behaviour === "timeout-once") {
      const answered = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.providerRequest("timeout", request.idempotencyKey), ConsistentRead: true }));
      if (!answered.Item) {
        await this.db.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.providerRequest("timeout", request.idempotencyKey), type: ITEM_TYPES.providerRequest, version: 1 } }));
        throw new PaymentProviderTimeoutError();
      }
    }
    return result;
  }

  async capture(request: { orderId: string; authorizationId: string; amount: Money; idempotencyKey: string }): Promise<{ status: "CAPTURED"; captureId: string; amount: Money; at: string }> {
    return this.once("capture", request, { status: "CAPTURED" as const, captureId: `cap_${this.ids.next()}`, amount: request.amount, at: this.clock.now() });
  }

  async void(request: { orderId: string; authorizationId: string; idempotencyKey: string }): Promise<{ status: "VOIDED"; at: string }> {
    return this.once("void", request, { status: "VOIDED" as const, at: this.clock.now() });
  }

  async reduceAuthorization(request: { orderId: string; authorizationId: string; amount: Money; idempotencyKey: string }): Promise<{ status: "REDUCED"; amount: Money; at: string }> {
    return this.once("reduce", request, { status: "REDUCED" as const, amount: request.amount, at: this.clock.now() });
  }

  async refund(request: { orderId: string; authorizationId: string; amount: Money; idempotencyKey: string }): Promise<{ status: "REFUNDED"; refundId: string; amount: Money; at: string }> {
    const fails = await this.db.send(new GetCommand({ TableName: this.tableName, Key: keys.providerRequest("refund-fails", request.authorizationId), ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }));
    if (fails.Item) throw new RefundFailedError(`Refund of ${request.amount.amount} ${request.amount.currency} on ${request.authorizationId} failed: refund_failed`);
    return this.once("refund", request, { status: "REFUNDED" as const, refundId: `re_${this.ids.next()}`, amount: request.amount, at: this.clock.now() });
  }

  /** Records the answer under the operation's idempotency key unless one is there; the first answer is the answer. */
  private async once<T>(operation: string, request: { orderId: string; authorizationId: string; idempotencyKey: string }, result: T): Promise<T> {
    const key = keys.providerRequest(operation, request.idempotencyKey);
    const item = { ...key, type: ITEM_TYPES.providerRequest, orderId: request.orderId, authorizationId: request.authorizationId, result, version: 1 };
    if (await writeIf(this.db.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: "attribute_not_exists(PK)" })))) return result;
    const prior = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
    return prior.Item?.result as T;
  }
}
