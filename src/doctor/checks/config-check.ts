// dsync.json itself: it parses and its settings are valid. When it does not,
// the other checks still run, on the defaults.
import { CONFIG_FILE } from '../../config/config.js';
import { fromError, pass, type CheckDefinition } from '../check.js';
import type { DoctorContext } from '../context.js';

export function configCheck(ctx: DoctorContext): CheckDefinition {
  return {
    id: 'config',
    timeoutMs: ctx.timeouts?.config ?? 2_000,
    async run() {
      if (ctx.configError !== undefined) {
        const result = fromError('config', ctx.configError, `fix ${CONFIG_FILE}`);
        return { ...result, fix: `${result.fix} (the other checks ran on the defaults)` };
      }
      const { config } = ctx;
      const pins = [config.samVersion ? `samVersion ${config.samVersion}` : '', config.imageDigest ? `imageDigest ${config.imageDigest.slice(0, 19)}…` : ''].filter(Boolean);
      const exists = (await ctx.probes.readProject(CONFIG_FILE)) !== undefined;
      const where = exists ? CONFIG_FILE : `no ${CONFIG_FILE} (defaults)`;
      return pass('config', `${where}${config.imageChosen ? `, image ${config.image}` : ''}${pins.length ? `, pins: ${pins.join(', ')}` : ''}`);
    },
  };
}
