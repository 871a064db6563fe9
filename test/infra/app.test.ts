import { COLLECTION_WINDOW_SECONDS } from "../../functions/domain/shipment.js";
import { App, Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { stageConfig } from "../../infra/config.js";
import { Match, Template } from "aws-cdk-lib/assertions";
import { Table, AttributeType } from "aws-cdk-lib/aws-dynamodb";
import { AwsSolutionsChecks } from "cdk-nag";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildApp } from "../../infra/app.js";
import { OmsFunction } from "../../infra/constructs/oms-function.js";
import { CUSTOMER_FACING_FULFILLMENT_EVENTS, CUSTOMER_FACING_ORDER_EVENTS, CUSTOMER_FACING_RETURN_EVENTS, EVENT_SOURCES, ORDER_EVENTS } from "../../functions/domain/events.js";
import { EVENT_FOR_STATUS } from "../../functions/domain/order-events.js";
import { ConcurrentModificationError } from "../../functions/domain/errors.js";
import { OrderCancelledError, PaymentDeclinedError, PaymentProviderTimeoutError, WORKFLOW_ERROR_NAMES } from "../../functions/domain/workflow-errors.js";
import { ORDER_STATUSES } from "../../functions/domain/order.js";
import { checkDefinition } from "../../local/stepfunctions.js";

const cdkJson = JSON.parse(readFileSync(new URL("../../cdk.json", import.meta.url), "utf8")) as { context: Record<string, unknown> };
/** Same context as `cdk synth`, without bundling (template shape only). */
const newApp = () => new App({ context: { ...cdkJson.context, "aws:cdk:bundling-stacks": [] } });

const { app, stateful, stateless } = buildApp(newApp());
const data = Template.fromStack(stateful);
const compute = Template.fromStack(stateless);

describe("stateful stack", () => {
  it("has one single table with generic keys, three list indexes, TTL, PITR and a stream", () => {
    data.resourceCountIs("AWS::DynamoDB::Table", 1);
    data.hasResourceProperties("AWS::DynamoDB::Table", {
      KeySchema: [{ AttributeName: "PK", KeyType: "HASH" }, { AttributeName: "SK", KeyType: "RANGE" }],
      BillingMode: "PAY_PER_REQUEST",
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: "expiresAt", Enabled: true },
      StreamSpecification: { StreamViewType: "NEW_AND_OLD_IMAGES" },
      GlobalSecondaryIndexes: ["GSI1", "GSI2", "GSI3"].map((name) =>
        Match.objectLike({ IndexName: name, KeySchema: [{ AttributeName: `${name}PK`, KeyType: "HASH" }, { AttributeName: `${name}SK`, KeyType: "RANGE" }] }),
      ),
    });
  });

  it("has the custom bus with an archive and generated channel secrets", () => {
    data.hasResourceProperties("AWS::Events::EventBus", { Name: "oms-dev" });
    data.resourceCountIs("AWS::Events::Archive", 1);
    data.hasResourceProperties("AWS::SecretsManager::Secret", { GenerateSecretString: Match.objectLike({ GenerateStringKey: "generic" }) });
  });
});

describe("stateless stack", () => {
  it("runs every function on nodejs22.x arm64 with tracing, Powertools env and its own log group", () => {
    const fns = compute.findResources("AWS::Lambda::Function");
    expect(Object.keys(fns).length).toBeGreaterThanOrEqual(7);
    for (const fn of Object.values(fns)) {
      expect(fn.Properties).toMatchObject({
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        TracingConfig: { Mode: "Active" },
        LoggingConfig: { LogGroup: expect.anything() as unknown },
        Environment: { Variables: expect.objectContaining({ POWERTOOLS_SERVICE_NAME: expect.stringMatching(/^oms-/) as unknown }) as unknown },
      });
    }
  });

  it("serves the intake and health openly and the order reads behind IAM", () => {
    type Props = { Properties: Record<string, unknown> };
    const routes = Object.values(compute.findResources("AWS::ApiGatewayV2::Route") as Record<string, Props>).map((r) => [r.Properties.RouteKey, r.Properties.AuthorizationType]);
    expect(routes.sort()).toEqual(
      [
        ["GET /health", "NONE"],
        ["POST /webhooks/generic", "NONE"],
        ["POST /webhooks/shopify", "NONE"],
        ["POST /webhooks/woocommerce/{channelId}", "NONE"],
        ["POST /carriers/{carrier}/tracking", "NONE"],
        ...[
          "GET /orders",
          "GET /orders/{orderId}",
          "POST /orders/{orderId}/cancel",
          "PATCH /orders/{orderId}",
          "POST /orders/{orderId}/hold/release",
          "POST /orders/{orderId}/hold/cancel",
          "POST /fulfillments/{fulfillmentId}/events",
          "GET /shipments/{shipmentId}/label",
          "GET /locations",
          "GET /locations/{locationId}",
          "PUT /locations/{locationId}",
          "GET /inventory",
          "GET /inventory/{sku}",
          "PUT /inventory/{sku}/locations/{locationId}",
          "POST /inventory/adjustments",
          "GET /routing/rules/{channel}",
          "PUT /routing/rules/{channel}",
          "POST /routing/quote",
          "POST /reservations",
          "POST /reservations/{orderId}/release",
          "POST /orders/{orderId}/returns",
          "GET /orders/{orderId}/returns",
          "GET /returns",
          "GET /returns/{returnId}",
          "GET /returns/{returnId}/label",
          "POST /returns/{returnId}/approve",
          "POST /returns/{returnId}/decline",
          "POST /returns/{returnId}/cancel",
          "POST /returns/{returnId}/events",
          "POST /returns/{returnId}/refund/retry",
          "GET /returns/policies/{channel}",
          "PUT /returns/policies/{channel}",
          "GET /reports/returns",
          "GET /channels",
          "GET /channels/{channelId}",
          "PUT /channels/{channelId}",
          "GET /products",
          "GET /products/{sku}",
          "PUT /products/{sku}",
          "POST /products/import",
          "GET /suppliers",
          "GET /suppliers/{supplierId}",
          "PUT /suppliers/{supplierId}",
          "GET /purchase-orders",
          "GET /purchase-orders/{poId}",
          "PATCH /purchase-orders/{poId}",
          "GET /purchase-orders/{poId}/document",
          "POST /purchase-orders/{poId}/{action}",
          "GET /reports/inventory",
        ].map((r) => [r, "AWS_IAM"]),
      ].sort(),
    );
    compute.hasResourceProperties("AWS::ApiGatewayV2::Stage", { StageName: "$default", AccessLogSettings: Match.anyValue() });
  });

  it("builds the workflow from the ASL file with substitutions for every placeholder, full logging and tracing", () => {
    const asl = readFileSync(new URL("../../statemachines/order-fulfillment.asl.json", import.meta.url), "utf8");
    const placeholders = [...new Set([...asl.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]))].sort();
    const [sm] = Object.values(compute.findResources("AWS::StepFunctions::StateMachine") as Record<string, { Properties: Record<string, unknown> }>);
    expect(Object.keys(sm?.Properties.DefinitionSubstitutions as object).sort()).toEqual(placeholders);
    expect(sm?.Properties).toMatchObject({
      StateMachineName: "oms-dev-order-fulfillment",
      StateMachineType: "STANDARD",
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { Level: "ALL", IncludeExecutionData: true },
    });
  });

  it("routes exactly the customer-facing order, shipment and return events to notifications, with retries and a DLQ", () => {
    compute.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: { source: [EVENT_SOURCES.orders, EVENT_SOURCES.fulfillment, EVENT_SOURCES.returns], "detail-type": [...CUSTOMER_FACING_ORDER_EVENTS, ...CUSTOMER_FACING_FULFILLMENT_EVENTS, ...CUSTOMER_FACING_RETURN_EVENTS] },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 8 }) })],
    });
  });

  it("resumes backorders when stock comes in (BackInStock or an adjustment), with retries and a DLQ", () => {
    compute.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: { source: [EVENT_SOURCES.inventory], "detail-type": ["BackInStock", "InventoryAdjusted"] },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 8 }) })],
    });
  });

  it("plans replenishment nightly: a Scheduler schedule in the merchant's time zone starts the planning workflow, whose Distributed Map plans the units", () => {
    const [schedule] = Object.values(compute.findResources("AWS::Scheduler::Schedule")) as { Properties: { ScheduleExpression: string; ScheduleExpressionTimezone: string; Target: { Arn: unknown; RoleArn: unknown } } }[];
    expect(schedule?.Properties).toMatchObject({ ScheduleExpression: "cron(0 2 * * ? *)", ScheduleExpressionTimezone: "Europe/Berlin", State: "ENABLED" });
    expect(JSON.stringify(schedule?.Properties.Target.Arn)).toContain("ReplenishmentPlanning");
    const asl = JSON.parse(readFileSync(new URL("../../statemachines/replenishment-planning.asl.json", import.meta.url), "utf8")) as { States: Record<string, { Type: string; ItemProcessor?: { ProcessorConfig?: unknown } }> };
    expect(asl.States["Plan every SKU-location"]?.ItemProcessor?.ProcessorConfig).toEqual({ Mode: "DISTRIBUTED", ExecutionType: "EXPRESS" });
    // A Distributed Map starts its children as executions of its own state machine.
    compute.hasResourceProperties("AWS::IAM::Policy", { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: "states:StartExecution", Resource: Match.objectLike({ "Fn::Join": Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp("stateMachine:oms-dev-replenishment-planning")])]) }) })]) } });
    compute.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: { source: [EVENT_SOURCES.orders, EVENT_SOURCES.returns], "detail-type": ["OrderAllocated", "OrderBackordered", "ReturnRestocked"] },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 8 }) })],
    });
    compute.hasResourceProperties("AWS::Events::Rule", { EventPattern: { source: [EVENT_SOURCES.purchasing], "detail-type": ["PurchaseOrderSent"] }, Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue() })] });
  });

  it("feeds order headers, stock changes, new journal entries, payments, shipments and returns (only) from the table's stream to the domain events function, with retries, bisection and a failure queue", () => {
    const streamMappings = Object.values(compute.findResources("AWS::Lambda::EventSourceMapping")).filter((m) => JSON.stringify(m).includes("StreamArn"));
    expect(streamMappings).toHaveLength(1);
    compute.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      StartingPosition: "TRIM_HORIZON",
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: {
        Filters: [
          { Pattern: JSON.stringify({ eventName: ["INSERT", "MODIFY"], dynamodb: { NewImage: { type: { S: ["Order"] } } } }) },
          { Pattern: JSON.stringify({ eventName: ["INSERT", "MODIFY"], dynamodb: { NewImage: { type: { S: ["Stock"] } } } }) },
          { Pattern: JSON.stringify({ eventName: ["INSERT"], dynamodb: { NewImage: { type: { S: ["Adjustment"] } } } }) },
          { Pattern: JSON.stringify({ eventName: ["INSERT", "MODIFY"], dynamodb: { NewImage: { type: { S: ["Payment", "Shipment", "Return", "PurchaseOrder"] } } } }) },
        ],
      },
    });
  });

  it("reads Amazon's notifications from a queue SP-API may send to, per record, two batches at a time, with a dead-letter queue after five receives", () => {
    compute.hasResourceProperties("AWS::SQS::Queue", { VisibilityTimeout: 180, RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 5 } });
    compute.hasResourceProperties("AWS::SQS::QueuePolicy", { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: Match.arrayWith(["sqs:SendMessage"]), Principal: { AWS: { "Fn::Join": ["", Match.arrayWith([Match.stringLikeRegexp(":iam::437568002678:root")])] } } })]) } });
    compute.hasResourceProperties("AWS::Lambda::EventSourceMapping", { BatchSize: 10, FunctionResponseTypes: ["ReportBatchItemFailures"], ScalingConfig: { MaximumConcurrency: 2 } });
  });

  it("sends shipments that left, orders cancelled and refunds the channel owes to the channel sync queue (not straight to a function), read two batches at a time, with dead letters after eight receives", () => {
    compute.hasResourceProperties("AWS::Events::Rule", {
      EventPattern: { source: [EVENT_SOURCES.fulfillment, EVENT_SOURCES.orders, EVENT_SOURCES.returns], "detail-type": ["ShipmentShipped", "OrderCancelled", "RefundIssued"] },
      Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [Match.stringLikeRegexp("^ChannelSync"), "Arn"] }, DeadLetterConfig: Match.anyValue(), RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 8 }) })],
    });
    compute.hasResourceProperties("AWS::SQS::Queue", { RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: 8 } });
    compute.hasResourceProperties("AWS::Lambda::EventSourceMapping", { BatchSize: 5, FunctionResponseTypes: ["ReportBatchItemFailures"], ScalingConfig: { MaximumConcurrency: 2 } });
  });

  it("coalesces availability changes for the channels' stock levels: a queue with a 20 s batching window of up to 100", () => {
    compute.hasResourceProperties("AWS::Events::Rule", { EventPattern: { source: [EVENT_SOURCES.inventory], "detail-type": ["AvailabilityChanged"] }, Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [Match.stringLikeRegexp("^ChannelStock"), "Arn"] } })] });
    compute.hasResourceProperties("AWS::Lambda::EventSourceMapping", { BatchSize: 100, MaximumBatchingWindowInSeconds: 20, ScalingConfig: { MaximumConcurrency: 2 } });
  });

  it("reconciles the marketplace channels every 15 minutes", () => {
    compute.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(15 minutes)", Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [Match.stringLikeRegexp("^ReconcileChannels"), "Arn"] } })] });
  });

  it("grants table access by exact index ARNs, never index/*", () => {
    const policies = JSON.stringify(compute.findResources("AWS::IAM::Policy"));
    expect(policies).toContain("/index/GSI1");
    expect(policies).not.toContain("/index/*");
  });
});

describe("payment provider and carrier per stage", () => {
  it("gives every function the provider and carrier the stage names (dev names the local simulators explicitly)", () => {
    for (const fn of Object.values(compute.findResources("AWS::Lambda::Function"))) {
      expect((fn.Properties as { Environment: { Variables: Record<string, unknown> } }).Environment.Variables).toMatchObject({ PAYMENT_PROVIDER: "local", CARRIER: "local" });
    }
  });

  it("fails synth for a stage that names no payment provider, rather than deploying a fake one", () => {
    const prod = new App({ context: { ...cdkJson.context, "aws:cdk:bundling-stacks": [], stage: "prod" } });
    expect(() => buildApp(prod)).toThrow(/Stage "prod" names no payment provider/);
    const base = { removalPolicy: RemovalPolicy.DESTROY, logRetention: RetentionDays.ONE_DAY, logLevel: "INFO" as const, archiveRetention: Duration.days(1), deletionProtection: false, planning: { scheduleExpression: "cron(0 2 * * ? *)", timeZone: "UTC", segmentSize: 10 } };
    expect(() => stageConfig("x", { x: { ...base, providers: { payments: "stripe" as never, carrier: "local" } } })).toThrow(/names no payment provider/);
    expect(() => stageConfig("x", { x: { ...base, providers: { payments: "local" } } })).toThrow(/names no carrier/);
    expect(() => stageConfig("x", { x: { ...base, providers: { payments: "local", carrier: "local" } } })).toThrow(/names no geocoder/);
    expect(stageConfig("x", { x: { ...base, providers: { payments: "local", carrier: "local", geocoder: "offline" } } }).providers).toEqual({ payments: "local", carrier: "local", geocoder: "offline" });
    expect(stageConfig("x", { x: { ...base, providers: { payments: "local", carrier: "local", geocoder: "amazon-location" } } }).providers.geocoder).toBe("amazon-location");
  });
});

describe("cdk-nag (AwsSolutions)", () => {
  it("finds nothing unacknowledged in the app", () => {
    expect(() => app.synth()).not.toThrow();
  });

  it("does fail synth on an unacknowledged finding (the check is live)", () => {
    const bad = newApp();
    const stack = new Stack(bad, "Bad");
    new Table(stack, "NoPitr", { partitionKey: { name: "PK", type: AttributeType.STRING } });
    Validations.of(bad).addPlugins(new AwsSolutionsChecks(bad));
    expect(() => bad.synth()).toThrow(/AwsSolutions-DDB3/);
  });
});

type AslState = Record<string, unknown> & { Type?: string; Comment?: string; Retry?: unknown; Catch?: { ErrorEquals: string[] }[] };
type AslMachine = { States: Record<string, AslState> };

/** Every state of a definition, with its path: top level, inside Map ItemProcessor/Iterator and Parallel branches. */
function allStates(machine: AslMachine, prefix = ""): [string, AslState][] {
  return Object.entries(machine.States).flatMap(([name, s]): [string, AslState][] => {
    const here: [string, AslState] = [`${prefix}${name}`, s];
    const inner = [s.ItemProcessor, s.Iterator].filter(Boolean) as AslMachine[];
    const branches = (s.Branches ?? []) as AslMachine[];
    return [here, ...inner.flatMap((m) => allStates(m, `${prefix}${name}/`)), ...branches.flatMap((b, i) => allStates(b, `${prefix}${name}[${i}]/`))];
  });
}

/** Tasks inside a Map or Parallel may leave failures to their container's Catch, but must say so. */
function checkTasks(machine: AslMachine): string[] {
  const problems: string[] = [];
  const containers = allStates(machine).filter(([, s]) => s.Type === "Map" || s.Type === "Parallel");
  for (const [path, s] of allStates(machine).filter(([, x]) => x.Type === "Task")) {
    if (!Array.isArray(s.Retry)) problems.push(`${path}: no Retry`);
    if (!((s.TimeoutSeconds as number) > 0) && typeof s.TimeoutSecondsPath !== "string") problems.push(`${path}: no TimeoutSeconds`);
    if (Array.isArray(s.Catch)) continue;
    const container = containers.find(([p]) => path.startsWith(`${p}/`) || path.startsWith(`${p}[`));
    if (!container) problems.push(`${path}: no Catch`);
    else if (!Array.isArray(container[1].Catch)) problems.push(`${path}: no Catch, and its container ${container[0]} has none either`);
    else if (!/no Catch of its own/i.test(s.Comment ?? "")) problems.push(`${path}: no Catch, and its Comment does not say why its container's Catch handles it`);
  }
  return problems;
}

describe("the workflow definitions", () => {
  const files = readdirSync(new URL("../../statemachines/", import.meta.url)).filter((f) => f.endsWith(".asl.json"));
  const definitions = files.map((f) => [f, JSON.parse(readFileSync(new URL(`../../statemachines/${f}`, import.meta.url), "utf8")) as AslMachine] as const);

  it("give every Task, in Map and Parallel branches too, a timeout, a Retry and a Catch (or say why its container's Catch handles it)", () => {
    expect(definitions.length).toBeGreaterThan(0);
    for (const [file, machine] of definitions) expect(checkTasks(machine), file).toEqual([]);
  });

  it("the check sees into a Map's branch: a branch task without Catch or reason is a finding", () => {
    const [, machine] = definitions.find(([f]) => f === "order-fulfillment.asl.json")!;
    const broken = structuredClone(machine);
    const branch = (broken.States["Fulfill shipments"] as unknown as AslMachine & { ItemProcessor: AslMachine }).ItemProcessor.States;
    delete branch["Release to location"]!.Catch;
    delete branch.Ship!.Comment;
    expect(checkTasks(broken)).toEqual([
      "Fulfill shipments/Release to location: no Catch, and its Comment does not say why its container's Catch handles it",
      "Fulfill shipments/Ship: no Catch, and its Comment does not say why its container's Catch handles it",
    ]);
  });

  it("catch and retry only error names the domain declares (domain/workflow-errors.ts), besides States.* and Lambda.*", () => {
    for (const [file, machine] of definitions) {
      const names = allStates(machine).flatMap(([, s]) => [...((s.Retry ?? []) as { ErrorEquals: string[] }[]), ...(s.Catch ?? [])].flatMap((r) => r.ErrorEquals));
      const custom = [...new Set(names.filter((n) => !/^(States|Lambda)\./.test(n)))];
      expect(custom.length, file).toBeGreaterThan(0);
      for (const n of custom) expect(WORKFLOW_ERROR_NAMES, `${file}: ErrorEquals ${n}`).toContain(n);
    }
  });
});

describe("order-fulfillment.asl.json", () => {
  const asl = JSON.parse(readFileSync(new URL("../../statemachines/order-fulfillment.asl.json", import.meta.url), "utf8")) as {
    States: Record<string, Record<string, unknown>>;
  };
  const tasks = allStates(asl).filter(([, s]) => s.Type === "Task");

  it("publishes no events itself: the table's stream announces every status (fewer billed transitions)", () => {
    expect(tasks.filter(([, s]) => String(s.Resource).startsWith("arn:aws:states:::events:"))).toEqual([]);
    for (const detailType of Object.values(EVENT_FOR_STATUS)) expect(Object.values(ORDER_EVENTS)).toContain(detailType);
  });

  it("catches and retries payment errors by the names the domain gives them", () => {
    const authorize = asl.States["Authorize payment"] as { Retry: { ErrorEquals: string[] }[]; Catch: { ErrorEquals: string[] }[] };
    expect(authorize.Catch.map((c) => c.ErrorEquals[0])).toEqual([new OrderCancelledError("x").name, new PaymentDeclinedError("x").name, "States.ALL"]);
    // Business outcomes are never retried; a lost provider answer is, under the same key; then anything else a few times.
    expect(authorize.Retry.map((r) => r.ErrorEquals)).toEqual([[new ConcurrentModificationError("x", 1).name], [new OrderCancelledError("x").name, new PaymentDeclinedError("x").name], [new PaymentProviderTimeoutError().name], expect.arrayContaining(["Lambda.ServiceException"]) as unknown, ["States.TaskFailed"]]);
  });

  it("retries a lost optimistic-concurrency race (ConcurrentModificationError) on every Lambda task, with jittered backoff", () => {
    const lambdaTasks = tasks.filter(([, s]) => s.Resource === "arn:aws:states:::lambda:invoke" || s.Resource === "arn:aws:states:::lambda:invoke.waitForTaskToken");
    expect(lambdaTasks.length).toBeGreaterThan(10);
    const missing = lambdaTasks.filter(([, s]) => !((s.Retry ?? []) as { ErrorEquals: string[]; MaxAttempts?: number; JitterStrategy?: string }[]).some((r) => r.ErrorEquals.includes(new ConcurrentModificationError("x", 1).name) && (r.MaxAttempts ?? 3) > 0 && r.JitterStrategy === "FULL"));
    expect(missing.map(([path]) => path)).toEqual([]);
  });

  it("never retries a hold's expiry: the timeout is the decision", () => {
    const wait = asl.States["Wait for hold release"] as { Retry: { ErrorEquals: string[] }[]; Catch: { ErrorEquals: string[]; Next: string }[] };
    expect(wait.Retry.flatMap((r) => r.ErrorEquals)).not.toContain("States.Timeout");
    expect(wait.Catch.find((c) => c.ErrorEquals.includes("States.Timeout"))?.Next).toBe("Cancel the expired hold");
  });

  it("waits for a pickup exactly the collection window the domain promises the customer", () => {
    const branch = (asl.States["Fulfill shipments"] as { ItemProcessor: { States: Record<string, { TimeoutSeconds?: number; Catch?: { ErrorEquals: string[]; Next: string }[] }> } }).ItemProcessor.States;
    expect(branch["Await delivery"]?.TimeoutSeconds).toBe(COLLECTION_WINDOW_SECONDS);
    expect(branch["Await delivery"]?.Catch?.find((c) => c.ErrorEquals.includes("States.Timeout"))?.Next).toBe("Flag late delivery");
  });

  it("sets only statuses the domain knows, and runs on the local runner", () => {
    for (const [, s] of tasks) {
      const status = (s.Parameters as { Payload?: { status?: string } }).Payload?.status;
      if (status) expect(ORDER_STATUSES).toContain(status);
    }
    expect(() => checkDefinition("order-fulfillment", asl as never)).not.toThrow();
  });
});

describe("the code base", () => {
  it("spells fulfillment one way (American, as the routes, events and marketplaces do), in names, files and prose", () => {
    const root = new URL("../../", import.meta.url);
    const files = ["README.md", "package.json", ...["functions", "infra", "local", "statemachines", "test", "bench", "scripts"].flatMap((dir) => readdirSync(new URL(dir, root), { recursive: true, encoding: "utf8" }).map((f) => `${dir}/${f}`))].filter((f) => /\.(ts|mjs|js|json|md)$/.test(f) && !f.includes("node_modules"));
    expect(files.length).toBeGreaterThan(100);
    // Built from parts, so this file does not match itself.
    const british = new RegExp(["fulfi", "l(?!l)"].join(""), "i");
    const found = files.filter((f) => british.test(f) || british.test(readFileSync(new URL(f, root), "utf8")));
    expect(found).toEqual([]);
  });
});

describe("order-return.asl.json", () => {
  const asl = JSON.parse(readFileSync(new URL("../../statemachines/order-return.asl.json", import.meta.url), "utf8")) as { States: Record<string, { TimeoutSecondsPath?: string; Catch?: { ErrorEquals: string[]; Next: string }[] }> };
  it("waits with the policy's windows as timeouts, and each wait's timeout leads to its decision, not to failure", () => {
    expect(asl.States["Wait for approval"]?.TimeoutSecondsPath).toBe("$.route.approvalSeconds");
    expect(asl.States["Wait for the goods"]?.TimeoutSecondsPath).toBe("$.route.goodsSeconds");
    expect(asl.States["Wait for approval"]?.Catch?.find((c) => c.ErrorEquals.includes("States.Timeout"))?.Next).toBe("Decline the unanswered return");
    expect(asl.States["Wait for the goods"]?.Catch?.find((c) => c.ErrorEquals.includes("States.Timeout"))?.Next).toBe("Return overdue");
    expect(asl.States["Settle return"]?.Catch?.find((c) => c.ErrorEquals.includes("RefundFailedError"))?.Next).toBe("Wait for a manual refund");
    expect(() => checkDefinition("order-return", asl as never)).not.toThrow();
  });
});

describe("geocoders", () => {
  it("a stage naming Amazon Location names it to the geocoding function and grants it Places' Geocode", () => {
    const stack = new Stack(newApp(), "GeoTest", { env: { account: "123456789012", region: "eu-central-1" } });
    const config = { ...stageConfig("dev"), providers: { payments: "local", carrier: "local", geocoder: "amazon-location" } } as const;
    new OmsFunction(stack, "Geo", { handler: "tasks/validate-order.ts", config, description: "geocodes", geoData: true });
    const t = Template.fromStack(stack);
    t.hasResourceProperties("AWS::Lambda::Function", { Environment: { Variables: Match.objectLike({ GEOCODER: "amazon-location" }) } });
    t.hasResourceProperties("AWS::IAM::Policy", { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: "geo-places:Geocode", Resource: { "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":geo-places:eu-central-1::provider/default"]] } })]) } });
  });
});
