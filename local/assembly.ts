import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

/** Account and region the local cloud pretends to be. */
export const LOCAL_ACCOUNT = "000000000000";
export const LOCAL_REGION = "us-east-1";

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
}

export interface StackTemplate {
  stackName: string;
  resources: Record<string, CfnResource>;
  outputs: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
}

/** A template value that must be a string (or absent, giving the fallback). */
export function text(value: unknown, fallback = ""): string {
  if (value === undefined || value === null) return fallback;
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return JSON.stringify(value);
}

/** One resource of the assembly, addressed by stack and logical id. */
export interface ResourceRef {
  stack: string;
  logicalId: string;
  resource: CfnResource;
}

/** The synthesized cloud assembly (cdk.out): stacks in deployment order and the asset files. */
export class CloudAssembly {
  readonly stacks: StackTemplate[];
  /** Asset hash (S3 object key without extension) → absolute path of the asset in cdk.out. */
  private readonly assets = new Map<string, string>();

  constructor(readonly dir: string) {
    const manifestPath = path.join(dir, "manifest.json");
    if (!existsSync(manifestPath)) throw new Error(`No cloud assembly at ${dir}: run "npm run synth" first`);
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as {
      artifacts: Record<string, { type: string; properties?: { templateFile?: string; file?: string }; dependencies?: string[]; displayName?: string }>;
    };
    const stacks: { id: string; deps: string[]; template: StackTemplate }[] = [];
    for (const [id, artifact] of Object.entries(manifest.artifacts)) {
      if (artifact.type === "aws:cloudformation:stack" && artifact.properties?.templateFile) {
        const t = JSON.parse(readFileSync(path.join(dir, artifact.properties.templateFile), "utf8")) as {
          Resources?: Record<string, CfnResource>;
          Outputs?: StackTemplate["outputs"];
        };
        stacks.push({ id, deps: artifact.dependencies ?? [], template: { stackName: id, resources: t.Resources ?? {}, outputs: t.Outputs ?? {} } });
      } else if (artifact.type === "cdk:asset-manifest" && artifact.properties?.file) {
        const assets = JSON.parse(readFileSync(path.join(dir, artifact.properties.file), "utf8")) as {
          files?: Record<string, { source: { path: string }; destinations: Record<string, { objectKey: string }> }>;
        };
        for (const file of Object.values(assets.files ?? {}))
          for (const dest of Object.values(file.destinations)) this.assets.set(dest.objectKey, path.join(dir, file.source.path));
      }
    }
    // Deployment order: a stack after the stacks it depends on.
    const ordered: typeof stacks = [];
    const pending = [...stacks];
    while (pending.length) {
      const next = pending.findIndex((s) => s.deps.every((d) => !pending.some((p) => p.id === d)));
      if (next < 0) throw new Error("Cyclic stack dependencies in the assembly");
      ordered.push(...pending.splice(next, 1));
    }
    this.stacks = ordered.map((s) => s.template);
  }

  /** Every resource of every stack. */
  resources(): ResourceRef[] {
    return this.stacks.flatMap((s) => Object.entries(s.resources).map(([logicalId, resource]) => ({ stack: s.stackName, logicalId, resource })));
  }

  /** Resources of one type. */
  ofType(type: string): ResourceRef[] {
    return this.resources().filter((r) => r.resource.Type === type);
  }

  /** Local path of an asset by its S3 object key (e.g. "<hash>.zip" → cdk.out/asset.<hash>). */
  assetPath(objectKey: string): string {
    const found = this.assets.get(objectKey);
    if (!found) throw new Error(`Asset ${objectKey} is not in the assembly at ${this.dir}`);
    return found;
  }
}
