// The "imageDigest" pin, checked before the project's container is created
// or reused: the image named by "image" must be the one the team pinned.
import { DsyncError } from '../base/errors.js';
import type { ImagePin } from '../config/config.js';
import type { ContainerClient } from '../docker/container-client.js';
import { digestMatches, digestOf, repositoryOf } from '../docker/image-digest.js';

export async function checkImagePin(client: ContainerClient, pin: ImagePin): Promise<void> {
  const details = await client.inspectImage(pin.image);
  const pull = `docker pull ${repositoryOf(pin.image)}@${pin.digest} && docker tag ${repositoryOf(pin.image)}@${pin.digest} ${pin.image}`;
  if (!details) {
    throw new DsyncError('IMAGE_MISSING', `the image ${pin.image} is not on the engine, so it cannot be checked against ${pin.digest} (${pin.from})`, {
      hint: `get the pinned image: ${pull}`,
    });
  }
  if (digestMatches(details, pin.digest)) return;
  const has = [`id ${details.id}`, ...details.repoDigests.map((d) => `repo digest ${digestOf(d)}`)].join(', ');
  throw new DsyncError('IMAGE_MISSING', `the image ${pin.image} on this engine is not the pinned one: it has ${has}; this project pins ${pin.digest} (${pin.from})`, {
    hint: `get the pinned image (${pull}), or if the team moves to this image, update the pin (\`dsync init --force\`, or edit "imageDigest")`,
  });
}
