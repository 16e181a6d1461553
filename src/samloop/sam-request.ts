// What `dsync up` asks of SAM, and what it resolves to on the host: the SAM
// project (samconfig, template, target), the template's model, and which
// paths this run's layout sends.
import { posix } from 'node:path';
import type { DsyncError } from '../base/errors.js';
import type { DsyncConfig } from '../config/config.js';
import type { TargetMode } from '../sam/commands.js';
import type { CredentialResolver } from '../sam/credentials.js';
import { resolveSamProject } from '../sam/sam-project.js';
import type { TargetInput } from '../sam/target.js';
import { emptyTemplateModel, tryTemplateModel, type TemplateModel } from '../sam/template.js';
import type { SessionHost } from '../session/plugin.js';
import type { SamImageSource } from '../images/sam-image.js';
import type { StackAccount } from '../stack/claim.js';
import type { LeaseTiming } from '../stack/lease.js';
import type { DebugPlan } from '../emulator/debug.js';

/** What `dsync up` asks of SAM; absent for --sync-only. */
export interface SamRequest {
  mode: TargetMode;
  flags: TargetInput['flags'];
  env: Record<string, string | undefined>;
  credentials: CredentialResolver;
  /**
   * Real AWS and --endpoint-url: the account as the host sees it (who the
   * credentials are, the stack's tags, the stack lease), for the stack per
   * developer, the production guard and one `dsync up` per stack.
   */
  account?(credentials: CredentialResolver, region: string): StackAccount | Promise<StackAccount>;
  /** This machine, for the lease record. */
  machine?: { osUser: string; hostname: string; pid: number };
  /** --take-over: take the stack's lease even while another `dsync up` holds it. */
  takeOver?: boolean;
  /** --allow-protected: sync into a protected stack dsync did not create. */
  allowProtected?: boolean;
  leaseTiming?: LeaseTiming;
  /** dsync must stop (the stack's lease was taken over): the CLI ends the run with this error. */
  fatal?(error: DsyncError): void;
  /** The Debian SAM image's build inputs, for emulator mode when the image has no moto. */
  samImage(): Promise<SamImageSource>;
  /** Interleave the functions' runtime logs (`sam logs --tail`) with the sync status. */
  logs?: boolean;
  /** Emulator mode: the functions run under a debugger, and their ports (`--debug`, dsync.json "debug"). */
  debug?: DebugPlan;
}

/** The SAM project (samconfig, template path, target) as flags, dsync.json and samconfig say. */
export function samProject(config: DsyncConfig, request: SamRequest, host: SessionHost) {
  return resolveSamProject({
    config,
    mode: request.mode,
    flags: request.flags,
    env: request.env,
    projectName: host.platform.path.basename(config.root),
    readHost: (p) => host.readHost(p),
    flavour: host.platform.path,
  });
}

/** The template as dsync models it, to choose toolchains; an empty model when it does not parse yet (the deployer says why). */
export async function templateModel(config: DsyncConfig, request: SamRequest, host: SessionHost): Promise<TemplateModel> {
  const { templatePath } = await samProject(config, request, host);
  return tryTemplateModel(await host.readHost(templatePath), templatePath) ?? emptyTemplateModel(templatePath);
}

/** Whether this run's layout sends a path the template names (relative to the project folder). */
export function syncedByLayout(config: DsyncConfig, p: string): boolean {
  const layout = config.layout;
  if (posix.isAbsolute(p) || /^[A-Za-z]:\//.test(p)) return false;
  const inside = (q: string) => q !== '..' && !q.startsWith('../');
  if (!layout?.scope) return inside(p);
  const fromRoot = posix.normalize(posix.join(layout.projectDir, p));
  return inside(fromRoot) && layout.scope.some((s) => s === '' || fromRoot === s || fromRoot.startsWith(`${s}/`));
}
