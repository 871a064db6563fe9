import { Duration, Stack } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import type { IEventBus } from "aws-cdk-lib/aws-events";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Architecture, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { IStateMachine } from "aws-cdk-lib/aws-stepfunctions";
import type { Construct } from "constructs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { INDEXES } from "../../functions/adapters/dynamodb/keys.js";
import { PROVIDER_ENV } from "../../functions/shared/providers.js";
import type { StageConfig } from "../config.js";

const TABLE_READ_ACTIONS = ["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable"];
const TABLE_WRITE_ACTIONS = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"];

/** The SDK's default credential provider chain, which every client imports. */
export const DEFAULT_CREDENTIAL_CHAIN = "@aws-sdk/credential-provider-node";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Props of an OMS function: the handler file and what differs from our defaults. */
export interface OmsFunctionProps {
  /** Handler file relative to functions/handlers, e.g. "http/get-order.ts". */
  handler: string;
  config: StageConfig;
  description: string;
  memorySize?: number;
  timeout?: Duration;
  environment?: Record<string, string>;
  /** The function geocodes: the stage's geocoder is named, and the offline geocoder's tables are built into its bundle (`geo/`, by infra/geo-index.ts). */
  geoData?: boolean;
}

/**
 * A Lambda function with the house defaults: Node 22 on arm64, ESM bundle (minified, source maps),
 * Powertools environment, active tracing, its own log group with the stage's retention, and
 * bind helpers that grant access and set the matching environment variable in one call.
 */
export class OmsFunction extends NodejsFunction {
  constructor(scope: Construct, id: string, props: OmsFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: props.config.logRetention,
      removalPolicy: props.config.removalPolicy,
    });
    super(scope, id, {
      entry: path.join(ROOT, "functions/handlers", props.handler),
      projectRoot: ROOT,
      depsLockFilePath: path.join(ROOT, "package-lock.json"),
      handler: "handler",
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: Tracing.ACTIVE,
      logGroup,
      environment: {
        NODE_OPTIONS: "--enable-source-maps",
        POWERTOOLS_SERVICE_NAME: `oms-${id.replace(/[A-Z]/g, (c, i: number) => (i ? "-" : "") + c.toLowerCase())}`,
        POWERTOOLS_LOG_LEVEL: props.config.logLevel,
        OMS_STAGE: props.config.stage,
        // The composition root builds the provider and carrier the stage names (never a default).
        [PROVIDER_ENV.payments]: props.config.providers.payments,
        [PROVIDER_ENV.carrier]: props.config.providers.carrier,
        ...(props.geoData ? { [PROVIDER_ENV.geocoder]: props.config.providers.geocoder } : {}),
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: "node22",
        minify: true,
        // Error class names are what Step Functions matches in Retry and Catch: keep them through minification.
        keepNames: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ["module", "main"],
        // Bundle the AWS SDK too: the version we test is the version that runs.
        externalModules: [],
        banner: "import { createRequire as __omsRequire } from 'node:module'; const require = __omsRequire(import.meta.url);",
        // Lambda hands the role's credentials over in the environment: sign with those, and leave the
        // SDK's default chain (SSO, STS, IMDS, ini files: ~95 KB minified) out of every bundle.
        esbuildArgs: { [`--alias:${DEFAULT_CREDENTIAL_CHAIN}`]: path.join(ROOT, "functions/shared/lambda-credentials.ts") },
        ...(props.geoData && props.config.providers.geocoder === "offline"
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (_input: string, outputDir: string) => [`"${process.execPath}" "${path.join(ROOT, "node_modules/tsx/dist/cli.mjs")}" "${path.join(ROOT, "infra/geo-index.ts")}" "${path.join(outputDir, "geo")}"`],
              },
            }
          : {}),
      },
    });
    // Amazon Location's Places API has no resource of ours: the action is granted on its provider.
    if (props.geoData && props.config.providers.geocoder === "amazon-location")
      this.addToRolePolicy(new PolicyStatement({ actions: ["geo-places:Geocode"], resources: [Stack.of(this).formatArn({ service: "geo-places", account: "", resource: "provider", resourceName: "default" })] }));
  }

  /**
   * Read or read-write access to the table and its indexes, and TABLE_NAME. The indexes are
   * named one by one (no index/* wildcard) and no Scan is granted: every access is a key lookup or query.
   */
  bindTable(table: ITable, access: "read" | "readWrite" = "readWrite"): this {
    const actions = access === "read" ? TABLE_READ_ACTIONS : [...TABLE_READ_ACTIONS, ...TABLE_WRITE_ACTIONS];
    this.addToRolePolicy(
      new PolicyStatement({
        actions,
        resources: [table.tableArn, ...Object.values(INDEXES).map((index) => `${table.tableArn}/index/${index}`)],
      }),
    );
    this.addEnvironment("TABLE_NAME", table.tableName);
    return this;
  }

  /** Permission to start executions, and the state machine's ARN under `variable` (STATE_MACHINE_ARN). */
  bindStateMachine(stateMachine: IStateMachine, variable = "STATE_MACHINE_ARN"): this {
    stateMachine.grantStartExecution(this);
    this.addEnvironment(variable, stateMachine.stateMachineArn);
    return this;
  }

  /** Permission to put events, and EVENT_BUS_NAME. */
  bindEventBus(bus: IEventBus): this {
    bus.grantPutEventsTo(this);
    this.addEnvironment("EVENT_BUS_NAME", bus.eventBusName);
    return this;
  }

  /** Permission to read the secret, and its ARN under `variable`. */
  bindSecret(secret: ISecret, variable: string): this {
    secret.grantRead(this);
    this.addEnvironment(variable, secret.secretArn);
    return this;
  }

}
