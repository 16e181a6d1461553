import { describe, expect, it } from 'vitest';
import type { Reporter } from '../../../src/base/reporter.js';
import type { ContainerClient, ImageDetails } from '../../../src/docker/container-client.js';
import { pythonHome, resolvePythonImages } from '../../../src/images/python-images.js';

const reporter = { progress: () => undefined } as unknown as Reporter;

/** An engine that has `local` images and can pull only `pullable` ones (unit test: no Docker). */
function engine(local: Record<string, string[]>, pullable: Record<string, string[]> = {}) {
  const pulled: string[] = [];
  const images = { ...local };
  const client = {
    inspectImage: async (image: string): Promise<ImageDetails | undefined> => (images[image] ? { id: 'sha256:x', repoDigests: [], labels: {}, env: images[image] } : undefined),
    pullImage: async (image: string) => {
      pulled.push(image);
      if (!pullable[image]) throw new Error(`Get "https://public.ecr.aws/v2/": dial tcp: lookup public.ecr.aws: no such host\nmore`);
      images[image] = pullable[image];
    },
  } as unknown as ContainerClient;
  return { client, pulled };
}

const AWS_ENV = ['PATH=/var/lang/bin:/usr/local/bin:/usr/bin', 'LD_LIBRARY_PATH=/var/lang/lib'];

describe('where a Python Debian has no source of comes from', () => {
  it("takes AWS's Lambda image when the engine has it, with the interpreter under /var/lang", async () => {
    const { client, pulled } = engine({ 'public.ecr.aws/lambda/python:3.12': AWS_ENV });
    expect(await resolvePythonImages(client, reporter, ['3.12'], {})).toEqual({ '3.12': { image: 'public.ecr.aws/lambda/python:3.12', home: '/var/lang', id: 'sha256:x' } });
    expect(pulled).toEqual([]);
  });

  it("pulls AWS's images in turn, then the image dsync.json names (Docker's layout: /usr/local)", async () => {
    const { client, pulled } = engine({}, { 'python:3.10-slim-bookworm': ['PATH=/usr/local/bin:/usr/bin'] });
    const found = await resolvePythonImages(client, reporter, ['3.10'], { 'python3.10': 'python:3.10-slim-bookworm' });
    expect(found).toEqual({ '3.10': { image: 'python:3.10-slim-bookworm', home: '/usr/local', id: 'sha256:x' } });
    expect(pulled).toEqual(['public.ecr.aws/lambda/python:3.10', 'public.ecr.aws/sam/build-python3.10', 'python:3.10-slim-bookworm']);
  });

  it('takes an image the engine has before pulling any, and says when it is a stand-in', async () => {
    const { client, pulled } = engine({ 'mirror.example.com/python:3.12': ['PATH=/usr/local/bin'] });
    const warnings: string[] = [];
    const watching = { progress: () => undefined, event: (e: { message?: string }) => warnings.push(String(e.message)) } as unknown as Reporter;
    expect((await resolvePythonImages(client, watching, ['3.12'], { 'python3.12': 'mirror.example.com/python:3.12' }))['3.12']!.image).toBe('mirror.example.com/python:3.12');
    expect(pulled).toEqual([]);
    const standIn = engine({ 'public.ecr.aws/lambda/python:3.12': AWS_ENV });
    const client2 = {
      ...standIn.client,
      inspectImage: async (image: string) => ({ ...(await standIn.client.inspectImage(image))!, labels: { 'dev.dsync.standin': 'from pyenv' } }),
    } as ContainerClient;
    await resolvePythonImages(client2, watching, ['3.12'], {});
    expect(warnings).toEqual(["public.ecr.aws/lambda/python:3.12 here is a local stand-in (from pyenv), not AWS's image"]);
  });

  it('says in one line every image it tried, and how to name one', async () => {
    const { client } = engine({});
    const failure = await resolvePythonImages(client, reporter, ['3.12'], {}).catch((error: Error & { hint?: string }) => error);
    expect(failure).toBeInstanceOf(Error);
    const { message, hint } = failure as Error & { hint?: string };
    expect(message).toBe(
      "No Python 3.12 for dsync's image: Debian's archive has no source of it, and none of these could be had: " +
        'public.ecr.aws/lambda/python:3.12 (Get "https://public.ecr.aws/v2/": dial tcp: lookup public.ecr.aws: no such host); ' +
        'public.ecr.aws/sam/build-python3.12 (Get "https://public.ecr.aws/v2/": dial tcp: lookup public.ecr.aws: no such host)',
    );
    expect(hint).toContain('"runtimeImages": {"python3.12": "python:3.12-slim-bookworm"}');
  });

  it('reads the interpreter folder from the PATH', () => {
    expect(pythonHome(AWS_ENV)).toBe('/var/lang');
    expect(pythonHome(['PATH=/usr/local/bin:/usr/bin'])).toBe('/usr/local');
    expect(pythonHome(undefined)).toBe('/usr/local');
  });
});
