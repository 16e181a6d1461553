// The files `dsync init` writes: a commented dsync.json (JSON with comments,
// every line explained) and optionally a devcontainer.json on the same
// image. Pure: the command detects, this words it.

export interface StarterSettings {
  /** "$schema": where the shipped schema is, relative to the project, and why that path. */
  schema: { ref: string; why: string };
  image: { name: string; why: string };
  /** The image's digest on this engine, or why there is none (the line is then commented out). */
  digest: { value: string } | { missing: string };
  /** A range of dsync, e.g. ">=0.1.0". */
  requires: string;
  /** From samconfig (commented: samconfig already gives them). */
  samconfig?: { file: string; stackName?: string; region?: string };
}

type Line = { comment: string[]; key: string; value: string; off?: boolean };

/**
 * dsync.json's text. "requires" is always the last entry and always live,
 * so every commented-out line above it can keep its comma: uncommenting one
 * leaves valid JSON.
 */
export function starterDsyncJson(s: StarterSettings): string {
  const lines: Line[] = [
    { comment: [s.schema.why], key: '$schema', value: s.schema.ref },
    { comment: [`The project's container image: ${s.image.why}.`], key: 'image', value: s.image.name },
    'value' in s.digest
      ? {
          comment: ['Pin: `dsync up` refuses any other image under that name (its digest on the engine where `dsync init` ran).'],
          key: 'imageDigest',
          value: s.digest.value,
        }
      : {
          comment: [`Pin: the image's digest (\`docker images --digests\`); not written: ${s.digest.missing}.`],
          key: 'imageDigest',
          value: 'sha256:…',
          off: true,
        },
    {
      comment: ['Pin: the SAM CLI version the image must have, exact or a range (`dsync exec -- sam --version` shows it).'],
      key: 'samVersion',
      value: '1.170.0',
      off: true,
    },
  ];
  if (s.samconfig?.stackName)
    lines.push({
      comment: [`${s.samconfig.file} already names the stack; set it here only to override it for dsync.`],
      key: 'stackName',
      value: s.samconfig.stackName,
      off: true,
    });
  if (s.samconfig?.region) lines.push({ comment: [`${s.samconfig.file} already names the region; likewise.`], key: 'region', value: s.samconfig.region, off: true });
  lines.push({
    comment: ['Pin: the dsync versions this project works with; another dsync stops with the command to install a fitting one.'],
    key: 'requires',
    value: s.requires,
  });
  const body = lines.map((l, i) => {
    const entry = `${JSON.stringify(l.key)}: ${JSON.stringify(l.value)}${i < lines.length - 1 ? ',' : ''}`;
    return [...l.comment.map((c) => `  // ${c}`), `  ${l.off ? '// ' : ''}${entry}`].join('\n');
  });
  return [
    "// dsync's settings for this project, written by `dsync init`. Commit this file: every",
    '// developer then runs the same image, SAM CLI and dsync. JSON with comments; every key is',
    '// optional (see the schema for all of them). Command-line flags win over this file.',
    '{',
    body.join('\n'),
    '}',
    '',
  ].join('\n');
}

/** .devcontainer/devcontainer.json's text: the image dsync runs, and the workspace where dsync syncs the project. */
export function starterDevcontainer(input: { name: string; image: string; workspace: string }): string {
  return [
    '// A dev container on the image dsync runs for this project, written by `dsync init`:',
    '// an editor attached to it has the same SAM CLI and toolchain as `dsync up`.',
    '{',
    `  "name": ${JSON.stringify(input.name)},`,
    `  "image": ${JSON.stringify(input.image)},`,
    "  // Where dsync's container holds the project; the same path here.",
    `  "workspaceFolder": ${JSON.stringify(input.workspace)},`,
    '  "customizations": {',
    "    // dsync's settings, the same keys as dsync.json (dsync.json wins where both say one).",
    '    "dsync": {}',
    '  }',
    '}',
    '',
  ].join('\n');
}
