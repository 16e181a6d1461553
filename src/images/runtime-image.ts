// dsync's SAM image plus the toolchains a template names beyond the base's
// Node.js 22 and Python 3.11: other Node.js majors (official binaries from
// the npm registry) and Python 3.13 (CPython built from Debian 13's source
// of it, checked by its sha256: no python.org or GitHub needed). Built on
// the engine the first time a template needs it, tagged by what it holds,
// then reused.
//
// SAM's builders look for an executable named after the runtime before the
// generic one (aws_lambda_builders.path_resolver: `python3.13` before
// `python`, `nodejs20.x` before `npm`), so each extra toolchain is offered
// under that name: python3.13 on PATH, and `nodejs20.x` an npm that runs on
// Node.js 20.
import { createHash } from 'node:crypto';
import { DsyncError } from '../base/errors.js';
import type { Reporter } from '../base/reporter.js';
import type { ContainerClient } from '../docker/container-client.js';
import { NODE_VERSIONS, type ImageExtras } from '../sam/runtimes.js';
import { packFiles } from '../sync/tar-pack.js';

/** CPython sources dsync builds, from Debian's archive (the upstream tarball, as Debian ships it). */
export const PYTHON_SOURCES: Readonly<Record<string, { debianPackage: string; file: string; sha256: string }>> = {
  '3.13': {
    debianPackage: 'python3.13',
    file: 'python3.13_3.13.5.orig.tar.xz',
    sha256: '93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640',
  },
};

export function extrasKey(extras: ImageExtras): string {
  return [...extras.nodeMajors.map((m) => `node${m}`), ...extras.pythons.map((p) => `py${p.replace('.', '')}`)].join('-');
}

export function runtimeImageTag(baseTag: string, extras: ImageExtras, dockerfile: string): string {
  const hash = createHash('sha256').update(baseTag).update('\0').update(dockerfile).digest('hex').slice(0, 8);
  return `${baseTag}-${extrasKey(extras)}-${hash}`;
}

/** The Dockerfile of the extras image (pure: unit-tested). */
export function runtimeDockerfile(extras: ImageExtras): string {
  const lines = ['ARG BASE_IMAGE', ''];
  for (const version of extras.pythons) {
    const source = PYTHON_SOURCES[version];
    if (!source) throw new Error(`no source known for Python ${version}`);
    const stage = `python${version.replace('.', '')}`;
    lines.push(
      `# CPython ${version}, built from the upstream tarball in Debian's archive (the mirror apt already uses).`,
      `FROM \${BASE_IMAGE} AS ${stage}`,
      'RUN apt-get update \\',
      ' && apt-get install -y --no-install-recommends build-essential pkg-config xz-utils libssl-dev zlib1g-dev libffi-dev libbz2-dev liblzma-dev libsqlite3-dev libreadline-dev uuid-dev \\',
      ` && mirror=$(sed -n 's/^deb \\(https\\?:[^ ]*\\) .*/\\1/p' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep -v security | head -n1) \\`,
      ` && mirror=\${mirror:-http://deb.debian.org/debian} \\`,
      ` && curl -fsSL "$mirror/pool/main/p/${source.debianPackage}/${source.file}" -o /tmp/python.tar.xz \\`,
      ` && echo "${source.sha256}  /tmp/python.tar.xz" | sha256sum -c - \\`,
      ' && mkdir /tmp/python && tar -xJf /tmp/python.tar.xz -C /tmp/python --strip-components=1 && cd /tmp/python \\',
      ` && ./configure --prefix=/opt/python${version} --with-ensurepip=install --disable-test-modules >/dev/null \\`,
      ' && make -j"$(nproc)" >/dev/null && make install >/dev/null \\',
      ` && /opt/python${version}/bin/python${version} -c "import ssl, zlib, ctypes, sqlite3, lzma, bz2, pip"`,
      '',
    );
  }
  lines.push('FROM ${BASE_IMAGE}');
  for (const version of extras.pythons) {
    lines.push(
      `COPY --from=python${version.replace('.', '')} /opt/python${version} /opt/python${version}`,
      `RUN ln -s /opt/python${version}/bin/python${version} /usr/local/bin/python${version} && python${version} --version`,
    );
  }
  for (const major of extras.nodeMajors) {
    const version = NODE_VERSIONS[major];
    if (!version) throw new Error(`no Node.js version known for major ${major}`);
    lines.push(
      `# Node.js ${major} (official binary from the npm registry); \`nodejs${major}.x\` is npm running on it.`,
      'RUN set -eu; \\',
      '    case "$(uname -m)" in x86_64) arch=x64 ;; aarch64) arch=arm64 ;; *) echo "unsupported arch"; exit 1 ;; esac; \\',
      `    mkdir -p /opt/node${major}; \\`,
      `    curl -fsSL "https://registry.npmjs.org/node-linux-\${arch}/-/node-linux-\${arch}-${version}.tgz" | tar -xz -C /opt/node${major} --strip-components=1 package/bin; \\`,
      `    printf '#!/bin/sh\\n# npm on Node.js ${major}, which SAM builders use for nodejs${major}.x functions\\nPATH=/opt/node${major}/bin:$PATH exec /opt/node${major}/bin/node /opt/node/lib/node_modules/npm/bin/npm-cli.js "$@"\\n' > /usr/local/bin/nodejs${major}.x; \\`,
      `    chmod 755 /usr/local/bin/nodejs${major}.x; \\`,
      `    /opt/node${major}/bin/node --version; nodejs${major}.x --version`,
    );
  }
  lines.push(`LABEL dev.dsync.runtime-extras="${extrasKey(extras)}"`, '');
  return lines.join('\n');
}

/** The image for these extras on top of `baseTag`, built first if the engine does not have it. */
export async function ensureRuntimeImage(client: ContainerClient, reporter: Reporter, baseTag: string, extras: ImageExtras): Promise<string> {
  if (extras.nodeMajors.length === 0 && extras.pythons.length === 0) return baseTag;
  const dockerfile = runtimeDockerfile(extras);
  const tag = runtimeImageTag(baseTag, extras, dockerfile);
  if (await client.imageExists(tag)) return tag;
  const what = [...extras.nodeMajors.map((m) => `Node.js ${m}`), ...extras.pythons.map((p) => `Python ${p}`)].join(', ');
  reporter.progress(`adding ${what} to the SAM image (first run with these runtimes only${extras.pythons.length ? '; building Python takes several minutes' : ''})`);
  let step = '';
  try {
    await client.buildImage(
      packFiles([{ name: 'Dockerfile', content: dockerfile }]),
      { tag, dockerfile: 'Dockerfile', buildArgs: { BASE_IMAGE: baseTag }, labels: { 'dev.dsync.tool': 'dsync' } },
      (line) => {
        const m = /^Step (\d+\/\d+) : (.*)$/.exec(line);
        if (!m || m[1] === step) return;
        step = m[1]!;
        reporter.progress(`adding ${what}: step ${step}: ${m[2]!.slice(0, 60)}`);
      },
    );
  } catch (error) {
    throw new DsyncError('ENGINE', `Adding ${what} to the SAM image failed: ${(error as Error).message}`, {
      hint: 'the build needs Debian packages and the npm registry; or set "image" in dsync.json to an image with these runtimes',
      cause: error,
    });
  }
  reporter.done(`added ${what} to the SAM image: ${tag}`);
  return tag;
}
