// The parts of a SAM template dsync needs: which resources own which folders,
// how they are built, and which extra files the stack reads (the text itself
// is parsed in template-text.ts).
import path from 'node:path';
import { DsyncError } from '../base/errors.js';
import { isObject, parseTemplateText, type TemplateJson } from './template-text.js';

export type ResourceKind = 'function' | 'layer' | 'api' | 'state-machine' | 'other';

export interface TemplateResource {
  id: string;
  type: string;
  kind: ResourceKind;
  /** Project paths (posix, no trailing slash; '' = project root) whose files belong to this resource. */
  codePaths: string[];
  /** Metadata.BuildMethod, e.g. 'esbuild', 'makefile', 'nodejs22.x'. */
  buildMethod?: string;
  runtime?: string;
  packageType?: 'Zip' | 'Image';
  /** Logical ids of layers this function references with !Ref. */
  layerRefs: string[];
  /** An AWS::Serverless::Application from the Serverless Application Repository: its ApplicationId. */
  repositoryApplication?: string;
  /** AutoPublishAlias (its own or from Globals): a code update also publishes a version and moves the alias. */
  publishesAlias?: boolean;
}

export interface TemplateModel {
  /** Project path of the template file. */
  file: string;
  resources: Map<string, TemplateResource>;
  /** Project paths of local files the stack itself reads (e.g. a DefinitionUri); a change is an infrastructure change. */
  infraFiles: string[];
  /** Every local path the template names, as written and as a project path. */
  references: TemplateReference[];
}

/**
 * A local file or folder a resource names. `path` is relative to the project
 * folder (posix, normalised): it starts with `../` when it lies outside it
 * (a monorepo's shared code), and is absolute when the template wrote one.
 */
export interface TemplateReference {
  resource: string;
  /** The property that names it, e.g. CodeUri, ContentUri, Metadata.BuildProperties.EntryPoints. */
  property: string;
  /** As the template wrote it. */
  written: string;
  path: string;
}

/** Whether a reference lies outside the project folder. */
export function isOutside(ref: TemplateReference): boolean {
  return ref.path === '..' || ref.path.startsWith('../') || !syncable(ref.path);
}

const KIND_BY_TYPE: Record<string, ResourceKind> = {
  'AWS::Serverless::Function': 'function',
  'AWS::Lambda::Function': 'function',
  'AWS::Serverless::LayerVersion': 'layer',
  'AWS::Lambda::LayerVersion': 'layer',
  'AWS::Serverless::Api': 'api',
  'AWS::Serverless::HttpApi': 'api',
  'AWS::Serverless::StateMachine': 'state-machine',
};

const SERVERLESS_TYPES = new Set([
  'AWS::Serverless::Function',
  'AWS::Serverless::LayerVersion',
  'AWS::Serverless::Api',
  'AWS::Serverless::HttpApi',
  'AWS::Serverless::StateMachine',
  'AWS::Serverless::SimpleTable',
  'AWS::Serverless::Application',
  'AWS::Serverless::Connector',
  'AWS::Serverless::GraphQLApi',
  'AWS::Serverless::CapacityProvider',
]);

/** The code property that names a local folder or file, by resource type. */
const CODE_PROPERTY: Record<string, string> = {
  'AWS::Serverless::Function': 'CodeUri',
  'AWS::Lambda::Function': 'Code',
  'AWS::Serverless::LayerVersion': 'ContentUri',
  'AWS::Lambda::LayerVersion': 'Content',
  'AWS::Serverless::Api': 'DefinitionUri',
  'AWS::Serverless::HttpApi': 'DefinitionUri',
  'AWS::Serverless::StateMachine': 'DefinitionUri',
};

type Json = TemplateJson;

/** A local path from a code property, or undefined for S3 locations, inline code and intrinsics. */
function localPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  if (/^s3:\/\//i.test(value) || /^https?:\/\//i.test(value)) return undefined;
  return value;
}

/**
 * Turn a path written in the template (relative to its folder) into a path
 * relative to the project folder: `../` segments lead out of it, and an
 * absolute path (`/x`, `C:\\x`) stays absolute (posix form).
 */
function toProjectPath(templateDir: string, p: string): string {
  const slashed = p.replace(/\\/g, '/');
  const drive = /^[A-Za-z]:\//.test(slashed);
  const joined = drive || slashed.startsWith('/') ? path.posix.normalize(slashed) : path.posix.normalize(path.posix.join(templateDir, slashed));
  const trimmed = joined.length > 1 ? joined.replace(/\/+$/, '') : joined;
  return trimmed === '.' ? '' : trimmed;
}

/** A project path dsync can sync (inside the project, or reached through `../`); absolute paths cannot be. */
const syncable = (p: string) => !path.posix.isAbsolute(p) && !/^[A-Za-z]:\//.test(p);

/** esbuild's entry points are relative to CodeUri and may reach beyond it (shared code bundled in): those are code paths too. */
function addEntryPoints(id: string, metadata: Json, codePaths: string[], references: TemplateReference[]): void {
  const buildProps = isObject(metadata.BuildProperties) ? metadata.BuildProperties : {};
  if (metadata.BuildMethod !== 'esbuild' || !Array.isArray(buildProps.EntryPoints) || codePaths.length === 0) return;
  const base = codePaths[0]!;
  for (const entry of buildProps.EntryPoints) {
    if (typeof entry !== 'string' || entry === '') continue;
    const resolved = toProjectPath(base, entry);
    references.push({ resource: id, property: 'Metadata.BuildProperties.EntryPoints', written: entry, path: resolved });
    const inside = (dir: string) => dir === '' || resolved === dir || resolved.startsWith(`${dir}/`);
    if (syncable(resolved) && !codePaths.some(inside)) codePaths.push(resolved);
  }
}

/** A resource's Type, or a TEMPLATE error naming what is wrong with it. */
function resourceType(id: string, raw: unknown, file: string): string {
  if (!isObject(raw) || typeof raw.Type !== 'string') {
    throw new DsyncError('TEMPLATE', `${file}: resource ${id} has no Type`, { hint: 'every resource needs a Type, e.g. AWS::Serverless::Function' });
  }
  const type = raw.Type;
  if (type.startsWith('AWS::Serverless::') && !SERVERLESS_TYPES.has(type)) {
    throw new DsyncError('TEMPLATE', `${file}: resource ${id} has an unknown type ${type}`, { hint: `SAM's types are ${[...SERVERLESS_TYPES].join(', ')}` });
  }
  if (!/^(AWS|Alexa|Custom)::[A-Za-z0-9]+(::[A-Za-z0-9]+)?$/.test(type) && !/^[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+(::MODULE)?$/.test(type)) {
    throw new DsyncError('TEMPLATE', `${file}: resource ${id} has an invalid type ${JSON.stringify(type)}`, { hint: 'types look like AWS::Service::Resource' });
  }
  return type;
}

/**
 * Build the model from a parsed template. `file` is the template's project
 * path (posix); relative paths inside it are relative to its folder, as SAM
 * resolves them.
 */
export function buildTemplateModel(template: Json, file: string): TemplateModel {
  const templateDir = path.posix.dirname(file) === '.' ? '' : path.posix.dirname(file);
  const globals = isObject(template.Globals) ? template.Globals : {};
  const globalFunction = isObject(globals.Function) ? globals.Function : {};
  const resources = new Map<string, TemplateResource>();
  const infraFiles: string[] = [];
  const references: TemplateReference[] = [];

  for (const [id, raw] of Object.entries(template.Resources as Json)) {
    const type = resourceType(id, raw, file);
    if (!isObject(raw)) continue;
    const kind = KIND_BY_TYPE[type] ?? 'other';
    const props = isObject(raw.Properties) ? raw.Properties : {};
    const metadata = isObject(raw.Metadata) ? raw.Metadata : {};
    const codePaths: string[] = [];
    /** Note a local path the resource names; returns its project path. */
    const refer = (property: string, written: string): string => {
      const p = toProjectPath(templateDir, written);
      if (!references.some((r) => r.resource === id && r.property === property && r.written === written)) references.push({ resource: id, property, written, path: p });
      return p;
    };
    const propName = CODE_PROPERTY[type];
    let codeValue = propName ? props[propName] : undefined;
    let codeProperty = propName ?? 'CodeUri';
    if (type === 'AWS::Serverless::Function' && codeValue === undefined && globalFunction.CodeUri !== undefined) {
      codeValue = globalFunction.CodeUri;
      codeProperty = 'Globals.Function.CodeUri';
    }
    const local = localPath(codeValue);
    const packageType = (props.PackageType ?? globalFunction.PackageType) === 'Image' ? 'Image' : 'Zip';
    if (packageType === 'Image' && typeof metadata.DockerContext === 'string') {
      const p = refer('Metadata.DockerContext', metadata.DockerContext);
      if (syncable(p)) codePaths.push(p);
    } else if (local !== undefined) {
      const p = refer(codeProperty, local);
      if (syncable(p)) codePaths.push(p);
    } else if (type === 'AWS::Serverless::Function' && codeValue === undefined && !isObject(props.InlineCode) && props.InlineCode === undefined && packageType === 'Zip') {
      // SAM's default CodeUri is the template's folder.
      codePaths.push(templateDir);
    }
    addEntryPoints(id, metadata, codePaths, references);
    let repositoryApplication: string | undefined;
    if (type === 'AWS::Serverless::Application') {
      // A local nested template is part of the stack; a repository application is fetched by AWS.
      const location = localPath(props.Location);
      if (location !== undefined) {
        const p = refer('Location', location);
        if (syncable(p)) infraFiles.push(p);
      } else if (isObject(props.Location)) repositoryApplication = String(props.Location.ApplicationId ?? 'an application');
    }
    if (kind === 'api' || kind === 'state-machine') {
      // Definition files are read by the stack; sam sync --code can also push them directly.
      const def = localPath(props.DefinitionUri);
      if (def !== undefined) {
        const p = refer('DefinitionUri', def);
        if (syncable(p)) infraFiles.push(p);
      }
    }
    const runtime = typeof props.Runtime === 'string' ? props.Runtime : typeof globalFunction.Runtime === 'string' ? globalFunction.Runtime : undefined;
    const layers = Array.isArray(props.Layers) ? props.Layers : Array.isArray(globalFunction.Layers) ? globalFunction.Layers : [];
    const layerRefs = layers.flatMap((l) => (isObject(l) && typeof l.Ref === 'string' ? [l.Ref] : []));
    resources.set(id, {
      id,
      type,
      kind,
      codePaths,
      buildMethod: typeof metadata.BuildMethod === 'string' ? metadata.BuildMethod : undefined,
      runtime: kind === 'function' ? runtime : undefined,
      packageType: kind === 'function' ? packageType : undefined,
      layerRefs,
      repositoryApplication,
      publishesAlias: kind === 'function' && (props.AutoPublishAlias ?? globalFunction.AutoPublishAlias) !== undefined ? true : undefined,
    });
  }
  return { file, resources, infraFiles, references };
}

/** Parse and model in one step. */
export function loadTemplateModel(text: string, file: string): TemplateModel {
  return buildTemplateModel(parseTemplateText(text, file), file);
}

/**
 * The template as dsync models it, or undefined when it is missing or does
 * not parse: callers that only choose (toolchains, the mirrored folder,
 * function names) go on without it; the deployer reports a broken template
 * with its line.
 */
export function tryTemplateModel(text: string | undefined, file: string): TemplateModel | undefined {
  if (text === undefined) return undefined;
  try {
    return loadTemplateModel(text, file);
  } catch {
    return undefined;
  }
}

/** A model with nothing in it. */
export function emptyTemplateModel(file: string): TemplateModel {
  return { file, resources: new Map(), infraFiles: [], references: [] };
}

/** The template's functions (logical ids), e.g. for `sam logs --name`. */
export function functionIds(model: TemplateModel): string[] {
  return [...model.resources.values()].filter((r) => r.kind === 'function').map((r) => r.id);
}
