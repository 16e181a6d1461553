import { describe, expect, it } from 'vitest';
import { canonicalImageRef, sameImageRef } from '../../../src/docker/image-ref.js';

describe('image references as engines report them', () => {
  it('makes the implied registry, namespace and tag explicit', () => {
    expect(canonicalImageRef('debian')).toBe('docker.io/library/debian:latest');
    expect(canonicalImageRef('debian:bookworm')).toBe('docker.io/library/debian:bookworm');
    expect(canonicalImageRef('index.docker.io/library/debian:12')).toBe('docker.io/library/debian:12');
    expect(canonicalImageRef('dsync-local/debian:bookworm')).toBe('docker.io/dsync-local/debian:bookworm');
    expect(canonicalImageRef('localhost:5000/team/sam:1.2')).toBe('localhost:5000/team/sam:1.2');
    expect(canonicalImageRef('public.ecr.aws/lambda/python:3.12')).toBe('public.ecr.aws/lambda/python:3.12');
    expect(canonicalImageRef('debian@sha256:abc')).toBe('docker.io/library/debian@sha256:abc');
  });

  it("treats Podman's localhost/ names of local images as the names dsync asked for", () => {
    expect(sameImageRef('localhost/dsync-local/debian:bookworm', 'dsync-local/debian:bookworm')).toBe(true);
    expect(sameImageRef('localhost/dsync-sam:abc', 'dsync-sam:abc')).toBe(true);
    expect(sameImageRef('docker.io/library/debian:bookworm', 'debian:bookworm')).toBe(true);
    expect(sameImageRef('debian', 'debian:latest')).toBe(true);
  });

  it('still tells different images apart', () => {
    expect(sameImageRef('localhost/dsync-local/debian:bookworm', 'dsync-local/debian:trixie')).toBe(false);
    expect(sameImageRef('dsync-sam:1', 'dsync-sam:2')).toBe(false);
    expect(sameImageRef('ghcr.io/team/sam:1', 'team/sam:1')).toBe(false);
    expect(sameImageRef('localhost:5000/sam:1', 'sam:1')).toBe(false);
  });
});
