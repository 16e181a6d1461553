// dsync's SAM image plus the toolchains a template names beyond the base's
// Node.js 22 and Python 3.11: other Node.js majors (official binaries from
// the npm registry) and Pythons 3.9 to 3.14: CPython built from the sources
// in Debian's archive, checked by their sha256 (no python.org or GitHub
// needed), or, for 3.10 and 3.12, taken from AWS's image for the runtime
// (python-images.ts). Each gets the boto3 Lambda's runtime carries. Built on
// the engine the first time a template needs it, tagged by what it holds,
// then reused.
//
// SAM's builders look for an executable named after the runtime before the
// generic one (aws_lambda_builders.path_resolver: `python3.13` before
// `python`, `nodejs20.x` before `npm`), so each extra toolchain is offered
// under that name: python3.13 on PATH, and `nodejs20.x` an npm that runs on
// Node.js 20. The emulator finds the interpreters in /opt/python3.X.
import { createHash } from 'node:crypto';
import { DsyncError } from '../base/errors.js';
import type { Reporter } from '../base/reporter.js';
import type { ContainerClient } from '../docker/container-client.js';
import { NODE_VERSIONS, type ImageExtras } from '../sam/runtimes.js';
import { packFiles } from '../sync/tar-pack.js';
import { resolvePythonImages, type PythonImage } from './python-images.js';

/** CPython sources dsync builds, from Debian's archive (the upstream tarball, as Debian ships it): 3.9 from bullseye, 3.13 from trixie, 3.14 from sid. */
export const PYTHON_SOURCES: Readonly<Record<string, { debianPackage: string; file: string; sha256: string }>> = {
  '3.9': {
    debianPackage: 'python3.9',
    file: 'python3.9_3.9.2.orig.tar.xz',
    sha256: '3c2034c54f811448f516668dce09d24008a0716c3a794dd8639b5388cbde247d',
  },
  '3.14': {
    debianPackage: 'python3.14',
    file: 'python3.14_3.14.7.orig.tar.xz',
    sha256: '3b48dac8fb59f62eaa67ac83c1eb12bda1b7a08406dd286e252c11a66be27f81',
  },
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

/** The newest boto3 the functions' Pythons get (each gets the newest its version supports), as Lambda's Python runtimes carry it. */
export const LAMBDA_BOTO3_MAX = '1.44.8';

function pythonBuildStage(version: string, stage: string): string[] {
  const source = PYTHON_SOURCES[version]!;
  return [
    `# CPython ${version}, built from the upstream tarball in Debian's archive (the mirror apt already uses).`,
    `FROM \${BASE_IMAGE} AS ${stage}`,
    'RUN apt-get update \\',
    ' && apt-get install -y --no-install-recommends build-essential pkg-config xz-utils libssl-dev zlib1g-dev libffi-dev libbz2-dev liblzma-dev libsqlite3-dev libreadline-dev uuid-dev \\',
    ` && mirror=$(sed -n 's/^deb \\(https\\?:[^ ]*\\) .*/\\1/p' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep -v security | head -n1) \\`,
    ` && mirror=\${mirror:-http://deb.debian.org/debian} \\`,
    // The mirror apt uses, then Debian's own, then its archive (where a suite's files go when it retires).
    ` && for base in "$mirror" http://deb.debian.org/debian http://archive.debian.org/debian; do curl -fsSL "$base/pool/main/p/${source.debianPackage}/${source.file}" -o /tmp/python.tar.xz && break; done \\`,
    ` && echo "${source.sha256}  /tmp/python.tar.xz" | sha256sum -c - \\`,
    ' && mkdir /tmp/python && tar -xJf /tmp/python.tar.xz -C /tmp/python --strip-components=1 && cd /tmp/python \\',
    ` && ./configure --prefix=/opt/python${version} --with-ensurepip=install --disable-test-modules >/dev/null \\`,
    ` && make -j"$(nproc)" >/dev/null && make install >/dev/null && rm -rf /opt/python${version}/lib/python${version}/test \\`,
    ` && /opt/python${version}/bin/python${version} -c "import ssl, zlib, ctypes, sqlite3, lzma, bz2, pip"`,
    '',
  ];
}

/** The Dockerfile of the extras image (pure: unit-tested). */
export function runtimeDockerfile(extras: ImageExtras, pythonImages: Readonly<Record<string, PythonImage>> = {}): string {
  const lines = ['ARG BASE_IMAGE', ''];
  const stageOf = (version: string) => `python${version.replace('.', '')}`;
  for (const version of extras.pythons) {
    if (PYTHON_SOURCES[version]) lines.push(...pythonBuildStage(version, stageOf(version)));
    else if (pythonImages[version]) {
      const { image, id } = pythonImages[version];
      lines.push(`# CPython ${version} from ${image}${id ? ` (${id})` : ''}: no Debian suite has its source.`, `FROM ${image} AS ${stageOf(version)}`, '');
    } else throw new Error(`no source known for Python ${version}`);
  }
  lines.push('FROM ${BASE_IMAGE}');
  for (const version of extras.pythons) {
    const home = PYTHON_SOURCES[version] ? `/opt/python${version}` : pythonImages[version]!.home;
    const sdk = `/opt/lambda-python/${version}`;
    lines.push(
      `COPY --from=${stageOf(version)} ${home} /opt/python${version}`,
      // A wrapper, not a link: an interpreter from an image may link its own libpython (AWS's set LD_LIBRARY_PATH=/var/lang/lib).
      `RUN printf '#!/bin/sh\\nLD_LIBRARY_PATH=/opt/python${version}/lib\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} exec /opt/python${version}/bin/python${version} "$@"\\n' > /usr/local/bin/python${version} \\`,
      ` && chmod 755 /usr/local/bin/python${version} \\`,
      ` && python${version} -c "import ssl, zlib, ctypes, sqlite3, json, sys; print('Python', sys.version.split()[0])" \\`,
      ` && python${version} -m pip install --no-cache-dir --disable-pip-version-check --quiet --target ${sdk} "boto3<=${LAMBDA_BOTO3_MAX}" \\`,
      ` && PYTHONPATH=${sdk} python${version} -c "import boto3; print('boto3', boto3.__version__)"`,
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
export async function ensureRuntimeImage(
  client: ContainerClient,
  reporter: Reporter,
  baseTag: string,
  extras: ImageExtras,
  runtimeImages: Readonly<Record<string, string>> = {},
): Promise<string> {
  if (extras.nodeMajors.length === 0 && extras.pythons.length === 0) return baseTag;
  const fromImages = extras.pythons.filter((version) => !PYTHON_SOURCES[version]);
  const dockerfile = runtimeDockerfile(extras, await resolvePythonImages(client, reporter, fromImages, runtimeImages));
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
