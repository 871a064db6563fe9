import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SignatureV4 } from "@smithy/signature-v4";
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider, Checksum } from "@smithy/types";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** Where `npm run oms` commands go: the running local cloud, or a deployed stage. */
export interface CliTarget {
  kind: "local" | "stage";
  name: string;
  tableName: string;
  orderWorkflowArn: string;
  /** Config for AWS SDK clients (endpoint and dummy credentials locally; the default chain for a stage). */
  aws: { region: string; endpoint?: string; credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider };
  /** An operator call to the HTTP API: a bearer token locally, SigV4 (execute-api) against a stage. */
  api(route: string, init?: { method?: string; body?: string; headers?: Record<string, string> }): Promise<{ status: number; body: unknown }>;
  apiUrl: string;
  channelSecret(channel: string): Promise<string>;
  /** The local cloud's admin endpoint; undefined for a stage. */
  adminEndpoint?: string;
  /** The local cloud's demo channels (`npm start`), by channel id. */
  channels?: Record<string, { type: string; apiEndpoint: string }>;
}

interface LocalInfo {
  apiUrl: string;
  awsEndpoint: string;
  operatorToken: string;
  channelSecrets: Record<string, string>;
  stateMachines: Record<string, string>;
  tableName: string;
  channels?: Record<string, { type: string; apiEndpoint: string }>;
}

const parse = async (res: Response) => ({ status: res.status, body: await res.json().catch((): unknown => null) });

/** The running local cloud, found through `.oms/local.json`. */
export function localTarget(root: string): CliTarget {
  const file = path.join(root, ".oms", "local.json");
  if (!existsSync(file)) throw new Error("No .oms/local.json: start the local cloud first (npm start), or pass --stage <stage>");
  const info = JSON.parse(readFileSync(file, "utf8")) as LocalInfo;
  const orderWorkflowArn = Object.entries(info.stateMachines).find(([name]) => name.endsWith("order-fulfillment"))?.[1];
  if (!orderWorkflowArn) throw new Error("No order-fulfillment state machine in .oms/local.json");
  return {
    kind: "local",
    name: "local",
    tableName: info.tableName,
    orderWorkflowArn,
    aws: { region: "us-east-1", endpoint: info.awsEndpoint, credentials: { accessKeyId: "local", secretAccessKey: "local" } },
    apiUrl: info.apiUrl,
    api: async (route, init = {}) =>
      parse(await fetch(`${info.apiUrl}${route}`, { ...init, headers: { authorization: `Bearer ${info.operatorToken}`, ...init.headers } })),
    channelSecret: (channel) => Promise.resolve(info.channelSecrets[channel] ?? ""),
    adminEndpoint: info.awsEndpoint,
    ...(info.channels ? { channels: info.channels } : {}),
  };
}

/** SHA-256 for the SigV4 signer, from node:crypto. */
class Sha256 implements Checksum {
  private readonly hash = createHash("sha256");
  update(data: Uint8Array): void {
    this.hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {
    throw new Error("not resettable");
  }
}

/**
 * A deployed stage, found through the outputs of its two CloudFormation stacks
 * (Oms-<stage>-Stateful and Oms-<stage>-Stateless). Credentials come from the default chain
 * (environment, profile, SSO, instance role); operator API calls are signed with SigV4.
 */
export async function stageTarget(stage: string, options: { region?: string; cloudFormation?: CloudFormationClient; credentials?: AwsCredentialIdentityProvider } = {}): Promise<CliTarget> {
  const region = options.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error("Set AWS_REGION (or pass --region) to reach a deployed stage");
  const credentials = options.credentials ?? defaultProvider();
  const cfn = options.cloudFormation ?? new CloudFormationClient({ region, credentials });
  const outputs: Record<string, string> = {};
  for (const stackName of [`Oms-${stage}-Stateful`, `Oms-${stage}-Stateless`]) {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName })).catch((e: Error) => {
      throw new Error(`Stage ${stage}: cannot read stack ${stackName} in ${region} (${e.name}: ${e.message}); is it deployed?`);
    });
    for (const o of out.Stacks?.[0]?.Outputs ?? []) if (o.OutputKey && o.OutputValue) outputs[o.OutputKey] = o.OutputValue;
  }
  const need = (key: string) => {
    const v = outputs[key];
    if (!v) throw new Error(`Stage ${stage}: the stacks have no output ${key}; deploy the current version first`);
    return v;
  };
  const apiUrl = need("ApiUrl").replace(/\/$/, "");
  const tableName = need("TableName");
  const orderWorkflowArn = need("OrderWorkflowArn");
  const channelSecretsArn = need("ChannelSecretsArn");
  const signer = new SignatureV4({ service: "execute-api", region, credentials, sha256: Sha256 });
  return {
    kind: "stage",
    name: stage,
    tableName,
    orderWorkflowArn,
    aws: { region, credentials },
    apiUrl,
    api: async (route, init = {}) => {
      const url = new URL(`${apiUrl}${route}`);
      const method = init.method ?? "GET";
      const signed = await signer.sign({
        method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port ? Number(url.port) : undefined,
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { host: url.host, ...(init.body ? { "content-type": "application/json" } : {}), ...init.headers },
        body: init.body,
      });
      return parse(await fetch(url, { method, headers: signed.headers, body: init.body }));
    },
    channelSecret: async (channel) => {
      const out = await new SecretsManagerClient({ region, credentials }).send(new GetSecretValueCommand({ SecretId: channelSecretsArn }));
      return (JSON.parse(out.SecretString ?? "{}") as Record<string, string>)[channel] ?? "";
    },
  };
}
