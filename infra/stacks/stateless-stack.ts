import { ArnFormat, CfnOutput, Duration, Stack, type StackProps } from "aws-cdk-lib";
import { AccountPrincipal, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { CfnSchedule } from "aws-cdk-lib/aws-scheduler";
import { HttpApi, HttpMethod, HttpNoneAuthorizer, LogGroupLogDestination } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpIamAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { Rule, Schedule, type IEventBus } from "aws-cdk-lib/aws-events";
import { LambdaFunction, SqsQueue } from "aws-cdk-lib/aws-events-targets";
import { FilterCriteria, StartingPosition } from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource, SqsDlq, SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import { ITEM_TYPES } from "../../functions/adapters/dynamodb/keys.js";
import { channelCredentialsPrefix } from "../../functions/domain/channel.js";
import { CUSTOMER_FACING_FULFILLMENT_EVENTS, CUSTOMER_FACING_ORDER_EVENTS, CUSTOMER_FACING_RETURN_EVENTS, EVENT_SOURCES, FULFILLMENT_EVENTS, INVENTORY_EVENTS, ORDER_EVENTS, PURCHASING_EVENTS, RETURN_EVENTS } from "../../functions/domain/events.js";
import type { StageConfig } from "../config.js";
import { OmsFunction } from "../constructs/oms-function.js";
import { Workflow } from "../constructs/workflow.js";

export interface StatelessStackProps extends StackProps {
  config: StageConfig;
  table: ITable;
  bus: IEventBus;
  channelSecrets: ISecret;
  carrierSecrets: ISecret;
}

/** The AWS account SP-API sends notifications from (Notifications API: "Grant Selling Partner API permission to write to your SQS queue"). */
const SP_API_NOTIFICATIONS_ACCOUNT = "437568002678";

/** What computes: functions, the HTTP API, the order workflow and the event rules. */
export class StatelessStack extends Stack {
  readonly api: HttpApi;
  readonly orderWorkflow: Workflow;
  readonly returnWorkflow: Workflow;
  readonly planningWorkflow: Workflow;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, table, bus } = props;
    const fn = (fid: string, handler: string, description: string) => new OmsFunction(this, fid, { handler, config, description });

    // Workflow steps
    // Validation also places an address without coordinates on the map: it carries the geocoder's tables.
    const validateOrder = new OmsFunction(this, "ValidateOrder", { handler: "tasks/validate-order.ts", config, description: "Workflow step: validate an order (and geocode its address) and confirm, hold or reject it", geoData: true }).bindTable(table);
    const changeOrderStatus = fn("ChangeOrderStatus", "tasks/change-order-status.ts", "Workflow step: move an order along its lifecycle").bindTable(table);
    const authorizePayment = fn("AuthorizePayment", "tasks/authorize-payment.ts", "Workflow step: authorize the order's payment once").bindTable(table);
    // Steps that answer their own task (the decision, the stock or the location came first) may
    // send task responses to the workflow, named by ARN: a reference would make a dependency cycle.
    const workflowName = `oms-${config.stage}-order-fulfillment`;
    const workflowArn = Stack.of(this).formatArn({ service: "states", resource: "stateMachine", resourceName: workflowName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const answersTasks = (f: OmsFunction, arn = workflowArn) => {
      f.addToRolePolicy(new PolicyStatement({ actions: ["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"], resources: [arn] }));
      return f;
    };
    const reserveAndRoute = answersTasks(fn("ReserveAndRoute", "tasks/reserve-and-route.ts", "Workflow step: route an order with the optimizer and reserve the plan, or wait for stock").bindTable(table));
    const holdOrder = answersTasks(fn("HoldOrder", "tasks/hold-order.ts", "Workflow step: park the hold's task token for the operator's decision").bindTable(table));
    const releaseOrder = fn("ReleaseOrder", "tasks/release-order.ts", "Workflow compensation: release an order's reservations and void its authorization").bindTable(table);
    const releaseShipment = answersTasks(fn("ReleaseShipment", "tasks/release-shipment.ts", "Workflow step: release a shipment to its location and wait for its callbacks").bindTable(table));
    const withdrawShipment = fn("WithdrawShipment", "tasks/withdraw-shipment.ts", "Workflow step: take back a shipment a location rejected or let lapse").bindTable(table);
    const shipShipment = fn("ShipShipment", "tasks/ship-shipment.ts", "Workflow step: book the carrier, consume the stock, capture the shipment's payment").bindTable(table);
    const awaitDelivery = answersTasks(fn("AwaitDelivery", "tasks/await-delivery.ts", "Workflow step: wait for the carrier's delivery scan").bindTable(table));
    const flagLateDelivery = fn("FlagLateDelivery", "tasks/flag-late-delivery.ts", "Workflow step: flag a delivery past its promised time").bindTable(table);
    // Closing short is an order change, which may end waiting steps: it answers tasks too.
    const closeBackorder = answersTasks(fn("CloseBackorder", "tasks/close-backorder.ts", "Workflow step: a backorder that expired: cancel the order, or close short what partly shipped").bindTable(table));
    const waitForStock = answersTasks(fn("WaitForStock", "tasks/wait-for-stock.ts", "Workflow step: the rest of a short order waits for stock beside its other shipments").bindTable(table));
    const closeRemainder = answersTasks(fn("CloseRemainder", "tasks/close-remainder.ts", "Workflow step: the rest of a short order did not get its stock in time: close it short").bindTable(table));

    this.orderWorkflow = new Workflow(this, "OrderFulfillment", {
      definitionFile: "order-fulfillment.asl.json",
      name: workflowName,
      config,
      functions: {
        ValidateOrderFunctionArn: validateOrder,
        ChangeOrderStatusFunctionArn: changeOrderStatus,
        ReserveAndRouteFunctionArn: reserveAndRoute,
        AuthorizePaymentFunctionArn: authorizePayment,
        HoldOrderFunctionArn: holdOrder,
        ReleaseOrderFunctionArn: releaseOrder,
        ReleaseShipmentFunctionArn: releaseShipment,
        WithdrawShipmentFunctionArn: withdrawShipment,
        ShipShipmentFunctionArn: shipShipment,
        AwaitDeliveryFunctionArn: awaitDelivery,
        FlagLateDeliveryFunctionArn: flagLateDelivery,
        CloseBackorderFunctionArn: closeBackorder,
        WaitForStockFunctionArn: waitForStock,
        CloseRemainderFunctionArn: closeRemainder,
      },
    });

    // The return workflow: one execution per return; its seven steps share one function (they are short and rare).
    const returnWorkflowName = `oms-${config.stage}-order-return`;
    const returnWorkflowArn = Stack.of(this).formatArn({ service: "states", resource: "stateMachine", resourceName: returnWorkflowName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    // An exchange's replacement is an order: the steps start its workflow, answer its waiting reservation and cancel it.
    const returnSteps = answersTasks(answersTasks(fn("ReturnSteps", "tasks/return-step.ts", "Return workflow steps: open, approval, label and goods (and an exchange's replacement order), overdue, settle (refund), manual refund").bindTable(table).bindStateMachine(this.orderWorkflow.stateMachine), returnWorkflowArn));
    this.returnWorkflow = new Workflow(this, "OrderReturn", { definitionFile: "order-return.asl.json", name: returnWorkflowName, config, functions: { ReturnStepsFunctionArn: returnSteps } });

    // A bus rule that invokes a function, retried, with a dead-letter queue so no event vanishes.
    const eventRule = (ruleId: string, target: OmsFunction, what: { description: string; sources: string[]; detailTypes: string[]; deadLettersId: string; maxEventAge?: Duration }) => {
      const deadLetterQueue = new Queue(this, what.deadLettersId, { retentionPeriod: Duration.days(14), encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true });
      new Rule(this, ruleId, {
        eventBus: bus,
        description: what.description,
        eventPattern: { source: what.sources, detailType: what.detailTypes },
        targets: [new LambdaFunction(target, { deadLetterQueue, retryAttempts: 8, maxEventAge: what.maxEventAge ?? Duration.hours(6) })],
      });
    };

    // Replenishment planning: every night (the merchant's time zone) EventBridge Scheduler starts the
    // planning workflow, whose Distributed Map plans every SKU-location in units of work (a
    // location's SKUs in runs of segmentSize), each a child execution with one function call.
    const planningName = `oms-${config.stage}-replenishment-planning`;
    const planningArn = Stack.of(this).formatArn({ service: "states", resource: "stateMachine", resourceName: planningName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const replenishment = new OmsFunction(this, "Replenishment", { handler: "tasks/replenishment.ts", config, description: "Replenishment planning steps: list the work, plan a unit of SKU-locations (forecast, safety stock, reorder point, draft purchase orders), finish the run", timeout: Duration.minutes(15), memorySize: 1024, environment: { PLANNING_SEGMENT_SIZE: String(config.planning.segmentSize), PLANNING_COVER_DAYS: "14", PLANNING_HOLDING_RATE: "0.25", PLANNING_DEFAULT_LEAD_TIME_DAYS: "7" } })
      .bindTable(table)
      .bindEventBus(bus);
    this.planningWorkflow = new Workflow(this, "ReplenishmentPlanning", { definitionFile: "replenishment-planning.asl.json", name: planningName, config, functions: { ReplenishmentFunctionArn: replenishment } });
    // A Distributed Map runs its iterations as child executions of the state machine itself.
    this.planningWorkflow.stateMachine.addToRolePolicy(new PolicyStatement({ actions: ["states:StartExecution"], resources: [planningArn] }));
    this.planningWorkflow.stateMachine.addToRolePolicy(
      new PolicyStatement({ actions: ["states:DescribeExecution", "states:StopExecution"], resources: [Stack.of(this).formatArn({ service: "states", resource: "execution", resourceName: `${planningName}/*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME })] }),
    );
    const schedulerRole = new Role(this, "PlanningScheduleRole", { assumedBy: new ServicePrincipal("scheduler.amazonaws.com"), description: "EventBridge Scheduler starts the nightly replenishment planning" });
    this.planningWorkflow.stateMachine.grantStartExecution(schedulerRole);
    new CfnSchedule(this, "PlanningSchedule", {
      name: `oms-${config.stage}-replenishment-nightly`,
      description: "Nightly replenishment planning in the merchant's time zone",
      scheduleExpression: config.planning.scheduleExpression,
      scheduleExpressionTimezone: config.planning.timeZone,
      flexibleTimeWindow: { mode: "OFF" },
      state: "ENABLED",
      target: { arn: this.planningWorkflow.stateMachine.stateMachineArn, roleArn: schedulerRole.roleArn, input: "{}" },
    });

    // Demand history: each order's allocation and each return's restock, counted once.
    eventRule("DemandHistory", fn("RecordDemand", "events/record-demand.ts", "Counts each order's demand at allocation (and returned units) into the daily demand history").bindTable(table), {
      description: "Orders allocated or backordered, and returns restocked: counted into the demand history",
      sources: [EVENT_SOURCES.orders, EVENT_SOURCES.returns],
      detailTypes: [ORDER_EVENTS.allocated, ORDER_EVENTS.backordered, RETURN_EVENTS.restocked],
      deadLettersId: "RecordDemandDeadLetters",
    });

    // Purchase orders sent go to their supplier (webhook, signed, with the PDF; or email).
    eventRule("PurchaseOrderSent", fn("SendPurchaseOrder", "events/send-purchase-order.ts", "Sends a purchase order and its PDF to the supplier's webhook (signed) or records its email").bindTable(table), {
      description: "A purchase order was sent: deliver it to the supplier",
      sources: [EVENT_SOURCES.purchasing],
      detailTypes: [PURCHASING_EVENTS.sent],
      deadLettersId: "SendPurchaseOrderDeadLetters",
      maxEventAge: Duration.hours(12),
    });

    // Orders waiting for stock are planned again when stock of their SKU comes in.
    eventRule("BackInStock", answersTasks(fn("ResumeBackorders", "events/resume-backorders.ts", "Plans backordered orders again when their SKU is back in stock").bindTable(table)), {
      description: "Stock came in (back in stock, or a positive adjustment such as a receipt): resume the orders waiting for it",
      sources: [EVENT_SOURCES.inventory],
      detailTypes: [INVENTORY_EVENTS.backInStock, INVENTORY_EVENTS.adjusted],
      deadLettersId: "ResumeBackordersDeadLetters",
    });

    // A committed order change (lines cancelled, an edit) has effects beyond the order: stock, payment,
    // the workflow steps waiting on it. The HTTP call carries them out at once; this rule makes sure
    // they happen even if that call died right after the commit (each effect is idempotent).
    eventRule("OrderChanged", answersTasks(fn("ApplyOrderChange", "events/apply-order-change.ts", "Carries out a committed order change: stock, payment and the waiting workflow steps").bindTable(table)), {
      description: "An order change was committed: carry out its effects (idempotent; the API call did so already unless it died)",
      sources: [EVENT_SOURCES.orders],
      detailTypes: [ORDER_EVENTS.changed],
      deadLettersId: "ApplyOrderChangeDeadLetters",
    });

    // A channel's API credentials live in a secret it names, under one prefix per stage: the
    // functions that call channels may read those and no other.
    const channelCredentialsArn = Stack.of(this).formatArn({ service: "secretsmanager", resource: "secret", resourceName: `${channelCredentialsPrefix(config.stage)}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const readsChannelCredentials = (f: OmsFunction) => {
      f.addToRolePolicy(new PolicyStatement({ actions: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], resources: [channelCredentialsArn] }));
      return f.addEnvironment("CHANNEL_CREDENTIALS_PREFIX", channelCredentialsPrefix(config.stage));
    };

    // HTTP API
    const intake = fn("GenericWebhook", "http/webhook-generic.ts", "POST /webhooks/generic: signed order intake")
      .bindTable(table)
      .bindStateMachine(this.orderWorkflow.stateMachine)
      .bindSecret(props.channelSecrets, "CHANNEL_SECRETS_ARN");
    // Marketplace webhooks: the channel's secret (in the channel secrets) verifies each delivery;
    // they capture orders and cancel them, which ends the workflow steps waiting on an order.
    const marketplaceWebhooks: [string, string, string, string][] = [
      ["ShopifyWebhook", "http/webhook-shopify.ts", "/webhooks/shopify", "Shopify order webhooks (HMAC-verified; the shop's domain picks the channel)"],
      ["WooCommerceWebhook", "http/webhook-woocommerce.ts", "/webhooks/woocommerce/{channelId}", "WooCommerce order webhooks (signature-verified) and pings"],
    ];
    const webhookFunctions = marketplaceWebhooks.map(([id, handler, routePath, what]) => {
      const f = fn(id, handler, `POST ${routePath}: ${what}`).bindTable(table).bindStateMachine(this.orderWorkflow.stateMachine).bindSecret(props.channelSecrets, "CHANNEL_SECRETS_ARN");
      this.orderWorkflow.stateMachine.grantTaskResponse(f);
      // Shopify's webhook does not say an order is a local pickup; its fulfillment orders do (Admin API).
      if (id === "ShopifyWebhook") readsChannelCredentials(f);
      return [routePath, id, f] as const;
    });

    // Amazon SP-API notifications (ORDER_CHANGE) arrive on a queue SP-API may send to (its account,
    // as the Notifications API docs name it). Each record is handled alone: a failed one comes back
    // after the visibility timeout, and after five receives it moves to the dead-letter queue.
    // Two batches at a time keep within SP-API's getOrder rate (0.5 requests/s, burst 30).
    // A queue a 30-second function reads, with its dead-letter queue.
    const workQueue = (id: string, maxReceiveCount: number) => {
      const deadLetters = new Queue(this, `${id}DeadLetters`, { retentionPeriod: Duration.days(14), encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true });
      // Six times the function's timeout, as Lambda advises for a queue it reads.
      const queue = new Queue(this, id, { visibilityTimeout: Duration.seconds(180), retentionPeriod: Duration.days(4), encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, deadLetterQueue: { queue: deadLetters, maxReceiveCount } });
      return { queue, deadLetters };
    };
    const { queue: amazonQueue } = workQueue("AmazonNotifications", 5);
    amazonQueue.grantSendMessages(new AccountPrincipal(SP_API_NOTIFICATIONS_ACCOUNT));
    const amazonNotifications = readsChannelCredentials(
      new OmsFunction(this, "AmazonNotificationsFunction", { handler: "events/amazon-notifications.ts", config, description: "Amazon SP-API ORDER_CHANGE notifications: read the order from SP-API and capture or cancel it", timeout: Duration.seconds(30) })
        .bindTable(table)
        .bindStateMachine(this.orderWorkflow.stateMachine),
    );
    this.orderWorkflow.stateMachine.grantTaskResponse(amazonNotifications);
    amazonNotifications.addEventSource(new SqsEventSource(amazonQueue, { batchSize: 10, reportBatchItemFailures: true, maxConcurrency: 2 }));

    const getOrder = fn("GetOrder", "http/get-order.ts", "GET /orders/{orderId}").bindTable(table, "read");
    const listOrders = fn("ListOrders", "http/list-orders.ts", "GET /orders").bindTable(table, "read");
    const health = fn("Health", "http/health.ts", "GET /health");

    const accessLogs = new LogGroup(this, "ApiAccessLogs", { retention: config.logRetention, removalPolicy: config.removalPolicy });
    this.api = new HttpApi(this, "Api", {
      apiName: `oms-${config.stage}`,
      description: "OMS HTTP API: channel webhooks (signed) and operator routes (IAM)",
      // Operators sign requests with SigV4; webhooks carry their own HMAC signature instead.
      defaultAuthorizer: new HttpIamAuthorizer(),
      createDefaultStage: false,
    });
    this.api.addStage("DefaultStage", {
      stageName: "$default",
      autoDeploy: true,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs) },
      throttle: { rateLimit: 1000, burstLimit: 2000 },
    });
    const integration = (name: string, f: OmsFunction) => new HttpLambdaIntegration(name, f);
    const open = new HttpNoneAuthorizer();
    this.api.addRoutes({ path: "/webhooks/generic", methods: [HttpMethod.POST], integration: integration("IntakeIntegration", intake), authorizer: open });
    for (const [routePath, id, f] of webhookFunctions) this.api.addRoutes({ path: routePath, methods: [HttpMethod.POST], integration: integration(`${id}Integration`, f), authorizer: open });
    this.api.addRoutes({ path: "/health", methods: [HttpMethod.GET], integration: integration("HealthIntegration", health), authorizer: open });
    // Carriers sign their tracking updates with an HMAC, like channels.
    const tracking = fn("CarrierTracking", "http/carrier-tracking.ts", "POST /carriers/{carrier}/tracking: signed tracking updates").bindTable(table).bindSecret(props.carrierSecrets, "CARRIER_SECRETS_ARN");
    this.orderWorkflow.stateMachine.grantTaskResponse(tracking);
    this.api.addRoutes({ path: "/carriers/{carrier}/tracking", methods: [HttpMethod.POST], integration: integration("CarrierTrackingIntegration", tracking), authorizer: open });
    this.api.addRoutes({ path: "/orders", methods: [HttpMethod.GET], integration: integration("ListOrdersIntegration", listOrders) });
    this.api.addRoutes({ path: "/orders/{orderId}", methods: [HttpMethod.GET], integration: integration("GetOrderIntegration", getOrder) });

    // Operator routes for locations, inventory and reservations (IAM, the API's default authorizer).
    const operatorRoutes: [string, HttpMethod, string, string, "read" | "readWrite"][] = [
      ["/orders/{orderId}/cancel", HttpMethod.POST, "CancelOrder", "http/cancel-order.ts", "readWrite"],
      ["/orders/{orderId}", HttpMethod.PATCH, "ChangeOrder", "http/change-order.ts", "readWrite"],
      ["/orders/{orderId}/hold/release", HttpMethod.POST, "ReleaseHold", "http/decide-hold.ts", "readWrite"],
      ["/orders/{orderId}/hold/cancel", HttpMethod.POST, "CancelHold", "http/decide-hold.ts", "readWrite"],
      ["/fulfillments/{fulfillmentId}/events", HttpMethod.POST, "FulfillmentEvents", "http/fulfillment-events.ts", "readWrite"],
      ["/shipments/{shipmentId}/label", HttpMethod.GET, "GetShipmentLabel", "http/get-shipment-label.ts", "read"],
      ["/locations", HttpMethod.GET, "ListLocations", "http/list-locations.ts", "read"],
      ["/locations/{locationId}", HttpMethod.GET, "GetLocation", "http/get-location.ts", "read"],
      ["/locations/{locationId}", HttpMethod.PUT, "PutLocation", "http/put-location.ts", "readWrite"],
      ["/inventory", HttpMethod.GET, "ListInventory", "http/list-inventory.ts", "read"],
      ["/inventory/{sku}", HttpMethod.GET, "GetInventory", "http/get-inventory.ts", "read"],
      ["/inventory/{sku}/locations/{locationId}", HttpMethod.PUT, "PutStockPlanning", "http/put-stock-planning.ts", "readWrite"],
      ["/inventory/adjustments", HttpMethod.POST, "AdjustInventory", "http/adjust-inventory.ts", "readWrite"],
      ["/routing/rules/{channel}", HttpMethod.GET, "GetRoutingRules", "http/get-routing-rules.ts", "read"],
      ["/routing/rules/{channel}", HttpMethod.PUT, "PutRoutingRules", "http/put-routing-rules.ts", "readWrite"],
      ["/routing/quote", HttpMethod.POST, "QuoteRoute", "http/quote-route.ts", "read"],
      ["/reservations", HttpMethod.POST, "CreateReservation", "http/create-reservation.ts", "readWrite"],
      ["/reservations/{orderId}/release", HttpMethod.POST, "ReleaseReservation", "http/release-reservation.ts", "readWrite"],
    ];
    // Return routes: one function per handler file, shared by its routes (one role, one warm container).
    const returnRoutes: [string, HttpMethod, string, string, "read" | "readWrite"][] = [
      ["/orders/{orderId}/returns", HttpMethod.GET, "OrderReturns", "http/read-returns.ts", "read"],
      ["/returns", HttpMethod.GET, "ListReturns", "http/read-returns.ts", "read"],
      ["/returns/{returnId}", HttpMethod.GET, "GetReturn", "http/read-returns.ts", "read"],
      ["/returns/{returnId}/label", HttpMethod.GET, "GetReturnLabel", "http/get-return-label.ts", "read"],
      ["/returns/{returnId}/approve", HttpMethod.POST, "ApproveReturn", "http/return-actions.ts", "readWrite"],
      ["/returns/{returnId}/decline", HttpMethod.POST, "DeclineReturn", "http/return-actions.ts", "readWrite"],
      ["/returns/{returnId}/cancel", HttpMethod.POST, "CancelReturn", "http/return-actions.ts", "readWrite"],
      ["/returns/{returnId}/events", HttpMethod.POST, "ReturnEvents", "http/return-actions.ts", "readWrite"],
      ["/returns/{returnId}/refund/retry", HttpMethod.POST, "RetryRefund", "http/return-actions.ts", "readWrite"],
      ["/returns/policies/{channel}", HttpMethod.GET, "GetReturnPolicy", "http/return-policy.ts", "read"],
      ["/returns/policies/{channel}", HttpMethod.PUT, "PutReturnPolicy", "http/return-policy.ts", "readWrite"],
      ["/reports/returns", HttpMethod.GET, "ReturnsReport", "http/returns-report.ts", "read"],
    ];
    // The sales channels: one function for the registry's routes.
    const channelRoutes: typeof returnRoutes = [
      ["/channels", HttpMethod.GET, "ListChannels", "http/channels.ts", "read"],
      ["/channels/{channelId}", HttpMethod.GET, "GetChannel", "http/channels.ts", "read"],
      ["/channels/{channelId}", HttpMethod.PUT, "PutChannel", "http/channels.ts", "readWrite"],
      // The product catalog: one function for its routes.
      ["/products", HttpMethod.GET, "ListProducts", "http/products.ts", "read"],
      ["/products/{sku}", HttpMethod.GET, "GetProduct", "http/products.ts", "read"],
      ["/products/{sku}", HttpMethod.PUT, "PutProduct", "http/products.ts", "readWrite"],
      ["/products/import", HttpMethod.POST, "ImportProducts", "http/products.ts", "readWrite"],
    ];
    // Purchasing: suppliers, purchase orders and their receipts, and the inventory report.
    const purchasingRoutes: typeof returnRoutes = [
      ["/suppliers", HttpMethod.GET, "ListSuppliers", "http/suppliers.ts", "read"],
      ["/suppliers/{supplierId}", HttpMethod.GET, "GetSupplier", "http/suppliers.ts", "read"],
      ["/suppliers/{supplierId}", HttpMethod.PUT, "PutSupplier", "http/suppliers.ts", "readWrite"],
      ["/purchase-orders", HttpMethod.GET, "ListPurchaseOrders", "http/purchase-orders.ts", "read"],
      ["/purchase-orders/{poId}", HttpMethod.GET, "GetPurchaseOrder", "http/purchase-orders.ts", "read"],
      ["/purchase-orders/{poId}", HttpMethod.PATCH, "ChangePurchaseOrder", "http/purchase-orders.ts", "readWrite"],
      ["/purchase-orders/{poId}/document", HttpMethod.GET, "PurchaseOrderDocument", "http/purchase-orders.ts", "read"],
      // approve | send | acknowledge | cancel | close | receipts: one route (each route costs the stack three resources).
      ["/purchase-orders/{poId}/{action}", HttpMethod.POST, "PurchaseOrderAction", "http/purchase-orders.ts", "readWrite"],
      ["/reports/inventory", HttpMethod.GET, "InventoryReport", "http/inventory-report.ts", "read"],
    ];
    const sharedRoutes = [...returnRoutes, ...channelRoutes, ...purchasingRoutes];
    const returnFunctions = new Map<string, OmsFunction>();
    for (const [routePath, method, id, handler] of sharedRoutes) {
      let f = returnFunctions.get(handler);
      if (!f) {
        const routes = sharedRoutes.filter((r) => r[3] === handler);
        f = fn(id, handler, routes.map((r) => `${r[1]} ${r[0]}`).join(", ").slice(0, 256)).bindTable(table, routes.some((r) => r[4] === "readWrite") ? "readWrite" : "read");
        // Cancelling a return cancels its exchange's replacement order, whose waiting steps it then ends.
        if (handler === "http/return-actions.ts") for (const w of [this.returnWorkflow, this.orderWorkflow]) w.stateMachine.grantTaskResponse(f);
        // A channel's credentials secret must be one the channel functions may read.
        if (handler === "http/channels.ts") f.addEnvironment("CHANNEL_CREDENTIALS_PREFIX", channelCredentialsPrefix(config.stage));
        returnFunctions.set(handler, f);
      }
      this.api.addRoutes({ path: routePath, methods: [method], integration: integration(`${id}Integration`, f) });
    }
    const requestReturn = fn("RequestReturn", "http/request-return.ts", "POST /orders/{orderId}/returns").bindTable(table).bindStateMachine(this.returnWorkflow.stateMachine, "RETURN_STATE_MACHINE_ARN");
    this.api.addRoutes({ path: "/orders/{orderId}/returns", methods: [HttpMethod.POST], integration: integration("RequestReturnIntegration", requestReturn) });
    for (const [routePath, method, id, handler, access] of operatorRoutes) {
      const f = fn(id, handler, `${method} ${routePath}`).bindTable(table, access);
      this.api.addRoutes({ path: routePath, methods: [method], integration: integration(`${id}Integration`, f) });
      if (["http/decide-hold.ts", "http/cancel-order.ts", "http/change-order.ts", "http/fulfillment-events.ts"].includes(handler)) this.orderWorkflow.stateMachine.grantTaskResponse(f);
    }

    // Customer notifications: a rule on the bus, retried, with a dead-letter queue so no event vanishes.
    const notifications = fn("Notifications", "events/notifications.ts", "Renders and records customer notifications").bindTable(table);
    const deadLetters = new Queue(this, "NotificationsDeadLetters", {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    new Rule(this, "CustomerNotifications", {
      eventBus: bus,
      description: "Customer-facing order, shipment and return events to the notifications function",
      eventPattern: { source: [EVENT_SOURCES.orders, EVENT_SOURCES.fulfillment, EVENT_SOURCES.returns], detailType: [...CUSTOMER_FACING_ORDER_EVENTS, ...CUSTOMER_FACING_FULFILLMENT_EVENTS, ...CUSTOMER_FACING_RETURN_EVENTS] },
      targets: [new LambdaFunction(notifications, { deadLetterQueue: deadLetters, retryAttempts: 8, maxEventAge: Duration.hours(6) })],
    });

    // Channel sync: what shipped goes back to the order's marketplace (Shopify fulfillmentCreate,
    // WooCommerce tracking + completed, Amazon confirmShipment), and so do the orders we cancelled
    // (Shopify orderCancel, WooCommerce cancelled) and the returns' refunds the channel owes (Shopify
    // refundCreate, WooCommerce refunds). The bus feeds a queue, not the
    // function, so the marketplaces' rate limits hold however many orders ship at once: two batches
    // at a time, a failed call retried after the visibility timeout, and after eight receives the
    // event waits in the dead-letter queue. Each call is also logged on the order.
    // A bus rule that feeds a work queue (retried, dead letters beside the queue's own), and the 30 s channel function that reads it.
    const channelWork = (id: string, what: { description: string; sources: string[]; detailTypes: string[]; handler: string; fnDescription: string; }, reading: ConstructorParameters<typeof SqsEventSource>[1]) => {
      const { queue, deadLetters } = workQueue(id, 8);
      new Rule(this, `${id}Events`, { eventBus: bus, description: what.description, eventPattern: { source: what.sources, detailType: what.detailTypes }, targets: [new SqsQueue(queue, { retryAttempts: 8, maxEventAge: Duration.hours(6), deadLetterQueue: deadLetters })] });
      const f = readsChannelCredentials(new OmsFunction(this, `${id}Function`, { handler: what.handler, config, description: what.fnDescription, timeout: Duration.seconds(30) }).bindTable(table));
      f.addEventSource(new SqsEventSource(queue, reading));
    };
    channelWork(
      "ChannelSync",
      { description: "Shipments that left, orders cancelled and refunds the channel owes: told to the order's marketplace through the channel sync queue", sources: [EVENT_SOURCES.fulfillment, EVENT_SOURCES.orders, EVENT_SOURCES.returns], detailTypes: [FULFILLMENT_EVENTS.shipped, ORDER_EVENTS.cancelled, RETURN_EVENTS.refundIssued], handler: "events/channel-sync.ts", fnDescription: "Tells marketplaces what shipped (carrier and tracking) and what we cancelled, logged on the order" },
      { batchSize: 5, reportBatchItemFailures: true, maxConcurrency: 2 },
    );

    // Stock levels to the channels: every change of availability goes to a queue whose batching
    // window coalesces a burst (a sale reserves, a receipt adds, a cancellation releases) into one
    // batch, and one call per listed SKU and channel with the level as it stands then.
    channelWork(
      "ChannelStock",
      { description: "Availability changed: the channels' stock levels follow, coalesced by the channel stock queue", sources: [EVENT_SOURCES.inventory], detailTypes: [INVENTORY_EVENTS.availabilityChanged], handler: "events/channel-stock.ts", fnDescription: "Sets the channels' stock levels of SKUs whose availability changed (coalesced)" },
      { batchSize: 100, maxBatchingWindow: Duration.seconds(20), maxConcurrency: 2 },
    );

    // Reconciliation: every 15 minutes each marketplace channel is asked for the orders updated since
    // its cursor, which go through the webhooks' idempotent path: a missed webhook is a delay.
    const reconcile = readsChannelCredentials(
      new OmsFunction(this, "ReconcileChannels", { handler: "events/reconcile-channels.ts", config, description: "Imports what the channels' webhooks missed: orders updated since each channel's cursor", timeout: Duration.minutes(5) })
        .bindTable(table)
        .bindStateMachine(this.orderWorkflow.stateMachine),
    );
    this.orderWorkflow.stateMachine.grantTaskResponse(reconcile);
    new Rule(this, "ReconcileChannelsSchedule", { description: "Every 15 minutes: reconcile the marketplace channels' orders", schedule: Schedule.rate(Duration.minutes(15)), targets: [new LambdaFunction(reconcile, { retryAttempts: 2 })] });

    // Domain events from the table's change stream: order headers, stock items, new journal
    // entries, payment records and shipments only (filtered before invocation: order lines,
    // reservations, allocation rounds and the rest cost no Lambda call). One consumer, so the stream keeps a reader to spare. Retried with bisection;
    // what still fails lands in a queue with its stream position, so nothing passes unnoticed.
    const domainEvents = fn("DomainEvents", "streams/domain-events.ts", "Publishes order and inventory events from the table's changes").bindEventBus(bus);
    const streamFailures = new Queue(this, "DomainEventsFailures", { retentionPeriod: Duration.days(14), encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true });
    domainEvents.addEventSource(
      new DynamoEventSource(table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 100,
        bisectBatchOnError: true,
        retryAttempts: 10,
        maxRecordAge: Duration.days(1),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(streamFailures),
        filters: [
          FilterCriteria.filter({ eventName: ["INSERT", "MODIFY"], dynamodb: { NewImage: { type: { S: [ITEM_TYPES.order] } } } }),
          FilterCriteria.filter({ eventName: ["INSERT", "MODIFY"], dynamodb: { NewImage: { type: { S: [ITEM_TYPES.stock] } } } }),
          FilterCriteria.filter({ eventName: ["INSERT"], dynamodb: { NewImage: { type: { S: [ITEM_TYPES.adjustment] } } } }),
          FilterCriteria.filter({ eventName: ["INSERT", "MODIFY"], dynamodb: { NewImage: { type: { S: [ITEM_TYPES.payment, ITEM_TYPES.shipment, ITEM_TYPES.return, ITEM_TYPES.purchaseOrder] } } } }),
        ],
      }),
    );

    new CfnOutput(this, "ApiUrl", { value: this.api.apiEndpoint });
    new CfnOutput(this, "AmazonNotificationsQueueArn", { value: amazonQueue.queueArn, description: "SP-API createDestination: the SQS destination of ORDER_CHANGE subscriptions" });
    new CfnOutput(this, "OrderWorkflowArn", { value: this.orderWorkflow.stateMachine.stateMachineArn });
    new CfnOutput(this, "PlanningWorkflowArn", { value: this.planningWorkflow.stateMachine.stateMachineArn });
    new CfnOutput(this, "ReturnWorkflowArn", { value: this.returnWorkflow.stateMachine.stateMachineArn });
  }
}
