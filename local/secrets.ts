import { randomInt } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { LOCAL_ACCOUNT, LOCAL_REGION, text, type CloudAssembly } from "./assembly.js";
import { AwsError } from "./aws-errors.js";
import type { Resolver } from "./intrinsics.js";

interface StoredSecret {
  arn: string;
  name: string;
  value: string;
  createdDate: string;
}

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** The assembly's Secrets Manager secrets; generated values are kept under the data dir so they survive restarts. */
export class SecretsLocal {
  private readonly secrets = new Map<string, StoredSecret>();
  private readonly file: string;

  constructor(assembly: CloudAssembly, resolver: Resolver, dataDir: string) {
    const file = path.join(dataDir, "secrets.json");
    this.file = file;
    const kept = existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Record<string, StoredSecret>) : {};
    for (const { stack, logicalId, resource } of assembly.ofType("AWS::SecretsManager::Secret")) {
      const p = (resolver.resolve(stack, resource.Properties ?? {}) ?? {}) as Record<string, unknown>;
      const arn = resolver.physicalOf(stack, logicalId).ref;
      const name = text(p.Name, `${stack}-${logicalId}`);
      const existing = kept[arn];
      if (existing) {
        this.secrets.set(arn, existing);
        continue;
      }
      let value: string;
      if (typeof p.SecretString === "string") value = p.SecretString;
      else {
        const g = (p.GenerateSecretString ?? {}) as { SecretStringTemplate?: string; GenerateStringKey?: string; PasswordLength?: number };
        const length = g.PasswordLength ?? 32;
        const generated = Array.from({ length }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join("");
        value = g.SecretStringTemplate && g.GenerateStringKey
          ? JSON.stringify({ ...(JSON.parse(g.SecretStringTemplate) as object), [g.GenerateStringKey]: generated })
          : generated;
      }
      this.secrets.set(arn, { arn, name, value, createdDate: new Date().toISOString() });
    }
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(Object.fromEntries(this.secrets), null, 2), { mode: 0o600 });
  }

  /** Every secret (for the banner and .oms/local.json). */
  all(): StoredSecret[] {
    return [...this.secrets.values()];
  }

  /** PutSecretValue: a new current value (kept across restarts, like the generated ones). */
  put(secretId: string, value: string): StoredSecret {
    const s = { ...this.get(secretId), value };
    this.secrets.set(s.arn, s);
    writeFileSync(this.file, JSON.stringify(Object.fromEntries(this.secrets), null, 2), { mode: 0o600 });
    return s;
  }

  /** CreateSecret: a secret made at run time (a channel's API credentials), kept across restarts. */
  create(name: string, value: string): StoredSecret {
    if (!/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(name)) throw new AwsError("InvalidParameterException", "Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!");
    if ([...this.secrets.values()].some((x) => x.name === name)) throw new AwsError("ResourceExistsException", `The operation failed because the secret ${name} already exists.`);
    const s = { arn: `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT}:secret:${name}-local`, name, value, createdDate: new Date().toISOString() };
    this.secrets.set(s.arn, s);
    writeFileSync(this.file, JSON.stringify(Object.fromEntries(this.secrets), null, 2), { mode: 0o600 });
    return s;
  }

  /** GetSecretValue by ARN or name. */
  get(secretId: string): StoredSecret {
    const s = this.secrets.get(secretId) ?? [...this.secrets.values()].find((x) => x.name === secretId);
    if (!s) throw new AwsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    return s;
  }
}
