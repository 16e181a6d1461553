// Check 7: the SAM template is where dsync looks for it (flags, dsync.json,
// samconfig's template_file, template.yaml / template.yml) and parses into
// the model dsync routes changes with.
import { fail, fromError, pass, type CheckDefinition } from '../check.js';
import type { DoctorContext } from '../context.js';

export function templateCheck(ctx: DoctorContext): CheckDefinition {
  return {
    id: 'template',
    timeoutMs: ctx.timeouts?.template ?? 5_000,
    async run() {
      const found = await ctx.template();
      if (found.text === undefined) {
        return fail(
          'template',
          `no SAM template: ${found.path} does not exist in ${ctx.config.root}`,
          'run dsync in the folder with template.yaml, or name the template with --template, "template" in dsync.json or template_file in samconfig',
        );
      }
      if (found.error !== undefined || !found.model) return fromError('template', found.error, 'fix the template (`sam validate --lint` says more)');
      const resources = [...found.model.resources.values()];
      const functions = resources.filter((r) => r.kind === 'function').length;
      return pass('template', `${found.path}: ${functions} function${functions === 1 ? '' : 's'}, ${resources.length} resource${resources.length === 1 ? '' : 's'}`);
    },
  };
}
