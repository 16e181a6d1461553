// Check 2: the image `dsync up` would use is on the engine, and is the one the
// team pinned ("imageDigest" in dsync.json: the image id or a repo digest).
// The image is chosen as `up` chooses it: the configured one, else in
// emulator mode dsync's SAM image for the template's runtimes, else SAM's
// build image for them.
import { repositoryOf } from '../../docker/image-digest.js';
import { isDsyncError } from '../../base/errors.js';
import { debianImageExtras, realAwsImage, runtimesOf } from '../../sam/runtimes.js';
import type { TemplateModel } from '../../sam/template.js';
import { samImageTag, SAM_IMAGE_REPO } from '../../images/sam-image.js';
import { runtimeDockerfile, runtimeImageTag } from '../../images/runtime-image.js';
import { fail, pass, warn, type CheckDefinition, type CheckResult } from '../check.js';
import type { DoctorContext } from '../context.js';

export interface ImageChoice {
  image: string;
  /** How `dsync up` gets it when the engine lacks it. */
  obtain: string;
}

const EMPTY_MODEL: TemplateModel = { file: '', resources: new Map(), infraFiles: [], references: [] };

/** The image `dsync up` would run the project's container on. */
export async function chooseImage(ctx: DoctorContext): Promise<ImageChoice> {
  const { config } = ctx;
  if (config.imageChosen) return { image: config.image, obtain: `docker pull ${config.image} (dsync up pulls it too)` };
  // A template that does not parse yet counts as none, as in `up` (the template check says why).
  const runtimes = runtimesOf((await ctx.template().catch(() => undefined))?.model ?? EMPTY_MODEL);
  if (ctx.mode === 'aws') {
    const { image } = realAwsImage(runtimes);
    return { image, obtain: `docker pull ${image} (dsync up pulls it too)` };
  }
  const extras = debianImageExtras(runtimes);
  const base = samImageTag(await ctx.probes.samImageSource());
  const withExtras = extras.nodeMajors.length + extras.pythons.length > 0;
  const runtimeFlags = withExtras
    ? [...runtimes.keys()]
        .sort()
        .map((rt) => ` --runtime ${rt}`)
        .join('')
    : '';
  return {
    image: withExtras ? runtimeImageTag(base, extras, runtimeDockerfile(extras)) : base,
    obtain: `dsync image${runtimeFlags} (dsync up --emulator builds it too, a few minutes the first time)`,
  };
}

/** "registry:5000/repo:tag@sha256:…" -> "registry:5000/repo". */
export { repositoryOf } from '../../docker/image-digest.js';

const withPrefix = (digest: string) => (digest.includes(':') ? digest : `sha256:${digest}`).toLowerCase();

/** Judge an image's id and repo digests against the pin. */
export function judgeImage(image: string, details: { id: string; repoDigests: string[] }, pin: string | undefined, ownImage: boolean): CheckResult {
  const digests = details.repoDigests.map((d) => d.slice(d.indexOf('@') + 1).toLowerCase());
  const shortId = details.id.replace(/^sha256:/, '').slice(0, 12);
  if (pin === undefined) {
    const suggest = digests[0] ?? details.id;
    return warn('image', `${image} (id ${shortId}) is on the engine but not pinned by digest`, `add "imageDigest": "${suggest}" to dsync.json so the team runs the same image`);
  }
  const wanted = withPrefix(pin);
  if (details.id.toLowerCase() === wanted || digests.includes(wanted)) return pass('image', `${image} (id ${shortId}) matches the pinned digest ${wanted.slice(0, 19)}…`);
  const has = [details.id, ...digests].map((d) => d.slice(0, 19)).join(', ');
  const fix = ownImage
    ? `rebuild it with the team's dsync version (\`dsync image --force\`), or update "imageDigest" in dsync.json if this image is intended`
    : `docker pull ${repositoryOf(image)}@${wanted} and use that, or update "imageDigest" in dsync.json if this image is intended`;
  return fail('image', `${image} is ${has}…, not the pinned ${wanted}`, fix);
}

export function imageCheck(ctx: DoctorContext): CheckDefinition {
  return {
    id: 'image',
    timeoutMs: ctx.timeouts?.image ?? 5_000,
    async run() {
      const { client } = await ctx.engine();
      let choice: ImageChoice;
      try {
        choice = await chooseImage(ctx);
      } catch (error) {
        if (isDsyncError(error)) return fail('image', error.message, error.hint ?? 'set "image" in dsync.json');
        throw error;
      }
      const details = await client.inspectImage(choice.image);
      if (!details) {
        const pinNote = ctx.config.imageDigest ? '; its pinned digest is checked once it is there' : '';
        return warn('image', `${choice.image} is not on the engine yet${pinNote}`, choice.obtain);
      }
      return judgeImage(choice.image, details, ctx.config.imageDigest, choice.image.startsWith(`${SAM_IMAGE_REPO}:`));
    },
  };
}
