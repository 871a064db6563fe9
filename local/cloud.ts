import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PROVIDER_ENV } from "../functions/shared/providers.js";
import { CloudAssembly } from "./assembly.js";
import { AwsEndpoint } from "./aws-endpoint.js";
import { DeadLetterStore } from "./dead-letters.js";
import { DynamoDbLocal } from "./dynamodb.js";
import { EventBridgeLocal } from "./eventbridge.js";
import { HttpApiLocal } from "./http-api.js";
import { IamLocal } from "./iam.js";
import { Resolver } from "./intrinsics.js";
import { LambdaRuntime } from "./lambda-runtime.js";
import { LocalClock } from "./clock.js";
import { assertPortFree, freePorts } from "./ports.js";
import { SchedulerLocal } from "./scheduler.js";
import { SecretsLocal } from "./secrets.js";
import { SqsLocal } from "./sqs.js";
import { seedDemoData } from "./seed.js";
import { StepFunctionsLocal } from "./stepfunctions.js";
import { DynamoStreamsLocal } from "./streams.js";

/** Resource types the local cloud runs. */
const EMULATED = new Set([
  "AWS::DynamoDB::Table",
  "AWS::Events::EventBus",
  "AWS::Events::Rule",
  "AWS::Lambda::Function",
  "AWS::StepFunctions::StateMachine",
  "AWS::ApiGatewayV2::Api",
  "AWS::ApiGatewayV2::Route",
  "AWS::ApiGatewayV2::Integration",
  "AWS::ApiGatewayV2::Stage",
  "AWS::SecretsManager::Secret",
  "AWS::SQS::Queue",
  "AWS::Scheduler::Schedule",
  "AWS::Lambda::EventSourceMapping",
  "AWS::Events::Archive",
  // Enforced by local/iam.ts: identity policies of roles, and Lambda permissions.
  "AWS::IAM::Role",
  "AWS::IAM::Policy",
  "AWS::IAM::ManagedPolicy",
  "AWS::Lambda::Permission",
]);
/** Types with nothing to run locally: log groups (logs go to .oms/logs), queue policies (who may send to a queue from outside AWS accounts: nobody outside reaches the local cloud), metadata. */
const NOT_ENFORCED = new Set(["AWS::Logs::LogGroup", "AWS::SQS::QueuePolicy", "AWS::CDK::Metadata"]);
/** Types the local cloud knows but does not emulate; nothing at run time depends on them. */
const NOT_EMULATED: Record<string, string> = {};

export interface LocalCloudOptions {
  assemblyDir: string;
  dataDir: string;
  apiPort?: number;
  awsPort?: number;
  dynamoPort?: number;
  /** Keep DynamoDB data on disk under dataDir (default) or in memory. */
  persist?: boolean;
  /** Wipe dataDir first. */
  fresh?: boolean;
  /** Write the demo catalog into tables this start created. */
  seed?: boolean;
  echoLogs?: boolean;
  maxInstancesPerFunction?: number;
  /** Fault injection, same syntax as OMS_LOCAL_FAULTS (which it overrides). */
  faults?: string;
}

/** What the local cloud has in flight (executions parked on a callback or timer count as running, not stepping). */
export interface IdleState {
  idle: boolean;
  executionsRunning: number;
  executionsStepping: number;
  invocationsInFlight: number;
  streamBatchesInFlight: number;
  busDeliveriesInFlight: number;
  queueBatchesInFlight: number;
}

/** A running local cloud. */
export interface LocalCloud {
  apiUrl: string;
  awsEndpoint: string;
  dynamoEndpoint: string;
  operatorToken: string;
  channelSecrets: Record<string, string>;
  /** The ARN of the channel secrets (one JSON object keyed by channel id), for PutSecretValue. */
  channelSecretsId: string;
  carrierSecrets: Record<string, string>;
  tableName: string;
  stateMachineArns: Record<string, string>;
  notEmulated: string[];
  lambda: LambdaRuntime;
  sfn: StepFunctionsLocal;
  events: EventBridgeLocal;
  endpoint: AwsEndpoint;
  deadLetters: DeadLetterStore;
  clock: LocalClock;
  scheduler: SchedulerLocal;
  streams: DynamoStreamsLocal;
  sqs: SqsLocal;
  /** Resolves when no execution is stepping, no invocation, stream batch or bus delivery is in flight, and the streams are drained. */
  idle(): Promise<void>;
  /** What is in flight right now. */
  idleState(): IdleState;
  /** Zeroes the usage counters (Lambda, DynamoDB, EventBridge) the bench reads. */
  resetStats(): void;
  stop(): Promise<void>;
}

/** Reads the assembly and runs it: DynamoDB Local, the AWS endpoint, functions, workflows, rules and the HTTP API. */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  if (options.fresh) rmSync(options.dataDir, { recursive: true, force: true });
  mkdirSync(options.dataDir, { recursive: true });
  const assembly = new CloudAssembly(options.assemblyDir);

  const notEmulated: string[] = [];
  const unknown: string[] = [];
  for (const { stack, logicalId, resource } of assembly.resources()) {
    if (EMULATED.has(resource.Type) || NOT_ENFORCED.has(resource.Type)) continue;
    if (NOT_EMULATED[resource.Type]) notEmulated.push(`${stack}/${logicalId} (${resource.Type}): ${NOT_EMULATED[resource.Type]}`);
    else unknown.push(`${stack}/${logicalId} (${resource.Type})`);
  }
  if (unknown.length) throw new Error(`The local cloud does not implement these resources of the assembly:\n  ${unknown.join("\n  ")}`);
  // Providers a stage names that only exist in AWS: refused, never silently faked.
  const awsOnly = assembly.ofType("AWS::Lambda::Function").filter((f) => (f.resource.Properties as { Environment?: { Variables?: Record<string, unknown> } } | undefined)?.Environment?.Variables?.[PROVIDER_ENV.geocoder] === "amazon-location");
  if (awsOnly.length) throw new Error(`The local cloud cannot run Amazon Location Service (providers.geocoder "amazon-location" in ${awsOnly.map((f) => `${f.stack}/${f.logicalId}`).join(", ")}); name the "offline" geocoder for a stage that runs locally`);

  const resolver = new Resolver(assembly);
  const [freeApi, freeAws, freeDynamo] = (await freePorts(3)) as [number, number, number];
  const apiPort = options.apiPort ?? freeApi;
  const awsPort = options.awsPort ?? freeAws;
  const dynamoPort = options.dynamoPort ?? freeDynamo;
  await assertPortFree(apiPort, "HTTP API");
  await assertPortFree(awsPort, "AWS endpoint");
  const awsEndpoint = `http://127.0.0.1:${awsPort}`;
  const apiUrl = `http://localhost:${apiPort}`;
  for (const api of assembly.ofType("AWS::ApiGatewayV2::Api")) resolver.override(api.stack, api.logicalId, "ApiEndpoint", apiUrl);

  const tokenFile = path.join(options.dataDir, "operator-token");
  if (!existsSync(tokenFile)) writeFileSync(tokenFile, randomBytes(24).toString("hex"), { mode: 0o600 });
  const operatorToken = process.env.OMS_OPERATOR_TOKEN ?? readFileSync(tokenFile, "utf8").trim();

  const dynamo = new DynamoDbLocal(dynamoPort, options.persist === false ? undefined : path.join(options.dataDir, "dynamodb"));
  await dynamo.start();
  const started: { stop(): Promise<void> }[] = [dynamo];
  try {
    const created = await dynamo.createTables(assembly, resolver);
    const tables = assembly.ofType("AWS::DynamoDB::Table").map((t) => resolver.physicalOf(t.stack, t.logicalId).ref);
    const tableName = tables[0] ?? "";
    if (options.seed && created.includes(tableName)) await seedDemoData(dynamo.client, tableName);

    const iam = new IamLocal(assembly, resolver);
    const lambda = new LambdaRuntime(assembly, resolver, {
      iam,
      awsEndpoint,
      logDir: path.join(options.dataDir, "logs"),
      maxInstances: options.maxInstancesPerFunction ?? Number(process.env.OMS_LOCAL_MAX_INSTANCES ?? 8),
      echoLogs: options.echoLogs ?? false,
      faults: options.faults,
    });
    started.unshift(lambda);
    const deadLetters = new DeadLetterStore(path.join(options.dataDir, "dead-letters"));
    const clock = new LocalClock(path.join(options.dataDir, "clock.json"));
    const sqs = new SqsLocal(assembly, resolver, lambda, clock, options.dataDir, iam);
    const events = new EventBridgeLocal(assembly, resolver, lambda, deadLetters, path.join(options.dataDir, "archives"), sqs);
    const secrets = new SecretsLocal(assembly, resolver, options.dataDir);
    const sfn = new StepFunctionsLocal(assembly, resolver, { lambda, events, dynamodb: dynamo.client, clock, iam }, options.dataDir);
    started.unshift({ stop: () => Promise.resolve(sfn.shutdown()) }, { stop: () => Promise.resolve(clock.stop()) });
    const scheduler = new SchedulerLocal(assembly, resolver, lambda, clock, options.dataDir, iam, sfn);
    started.unshift({ stop: () => Promise.resolve(scheduler.stop()) });
    const endpoint = new AwsEndpoint({ sfn, events, secrets, clock, deadLetters, scheduler, iam, sqs, dynamoEndpoint: dynamo.endpoint });
    await endpoint.listen(awsPort, "127.0.0.1");
    started.unshift(endpoint);
    // Resume executions only once the endpoint is up: their functions may call it.
    await sfn.start();
    scheduler.start();
    const streams = new DynamoStreamsLocal(assembly, resolver, lambda, dynamo.client, dynamo.endpoint, deadLetters, options.dataDir, iam);
    await streams.start();
    started.unshift(streams);
    sqs.start();
    started.unshift(sqs);
    const api = new HttpApiLocal(assembly, resolver, lambda, operatorToken);
    await api.listen(apiPort, "0.0.0.0");
    started.unshift(api);

    const channelSecrets: Record<string, string> = {};
    const carrierSecrets: Record<string, string> = {};
    let channelSecretsId = "";
    for (const s of secrets.all()) {
      if (s.name.endsWith("/channel-secrets")) {
        Object.assign(channelSecrets, JSON.parse(s.value) as Record<string, string>);
        channelSecretsId = s.arn;
      }
      if (s.name.endsWith("/carrier-secrets")) Object.assign(carrierSecrets, JSON.parse(s.value) as Record<string, string>);
    }

    const idleState = (): IdleState => {
      const executions = sfn.activity();
      const state = {
        executionsRunning: executions.running,
        executionsStepping: executions.stepping,
        invocationsInFlight: lambda.inFlight(),
        streamBatchesInFlight: streams.inFlight(),
        busDeliveriesInFlight: events.deliveriesInFlight(),
        queueBatchesInFlight: sqs.deliveriesInFlight(),
      };
      return { ...state, idle: state.executionsStepping === 0 && state.invocationsInFlight === 0 && state.streamBatchesInFlight === 0 && state.busDeliveriesInFlight === 0 && sqs.isIdle() };
    };
    const idle = async () => {
      // Executions publish events, event targets may start executions, table writes feed stream
      // consumers that publish events, and HTTP calls write the table: settle until all are quiet
      // and a stream polling pass that began after the last activity found nothing new.
      do {
        await lambda.idle();
        await sfn.idle();
        await events.idle();
        await streams.idle();
        await sqs.idle();
      } while (!idleState().idle);
    };
    endpoint.setIdleProbe({ state: idleState, wait: idle });
    return {
      apiUrl,
      awsEndpoint,
      dynamoEndpoint: dynamo.endpoint,
      operatorToken,
      channelSecrets,
      channelSecretsId,
      carrierSecrets,
      tableName,
      stateMachineArns: Object.fromEntries([...sfn.machines.values()].map((m) => [m.name, m.arn])),
      notEmulated,
      lambda,
      sfn,
      events,
      endpoint,
      deadLetters,
      clock,
      scheduler,
      streams,
      sqs,
      idle,
      idleState,
      resetStats: () => {
        for (const k of ["invocations", "coldStarts", "durationMs", "handlerMs", "initMs", "injectedFaults"] as const) lambda.stats[k] = {};
        Object.assign(endpoint.dynamoStats, { requests: 0, readCapacityUnits: 0, writeCapacityUnits: 0 });
        Object.assign(events.stats, { entries: 0, deliveries: 0, failedDeliveries: 0 });
        Object.assign(streams.stats, { batches: 0, records: 0, filteredOut: 0, failedBatches: 0 });
        Object.assign(sqs.stats, { sent: 0, received: 0, deleted: 0, redriven: 0, batches: 0 });
      },
      stop: async () => {
        for (const s of started) await s.stop().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const s of started) await s.stop().catch(() => undefined);
    throw error;
  }
}
