import { describe, expect, it } from 'vitest';
import { samImageTag } from '../../../src/images/sam-image.js';

describe('SAM image tag', () => {
  it('changes with the Dockerfile, the base image and the extra CAs, and only then', () => {
    const base = { dockerfile: 'FROM x', baseImage: 'debian:bookworm-slim', caCertificates: [] };
    const tag = samImageTag(base);
    expect(tag).toMatch(/^dsync\/sam:[0-9a-f]{12}$/);
    expect(samImageTag({ ...base })).toBe(tag);
    expect(samImageTag({ ...base, dockerfile: 'FROM y' })).not.toBe(tag);
    expect(samImageTag({ ...base, baseImage: 'dsync-local/debian:bookworm' })).not.toBe(tag);
    expect(samImageTag({ ...base, caCertificates: [{ name: 'corp.crt', pem: '-----BEGIN CERTIFICATE-----' }] })).not.toBe(tag);
  });
});
