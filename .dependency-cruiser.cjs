// The layering check (`npm run check:layers`, part of `npm test`): imports
// point down this list and never up, no two folders import each other, and
// each I/O library is imported by its one adapter file. See docs/architecture.md "Layout".
const LAYERS = ['cli', 'doctor', 'samloop', 'emulator', 'stack', 'images', 'session', 'devcontainer', 'sam', 'watch', 'sync', 'docker', 'config', 'base'];

const upward = LAYERS.map((layer, i) => ({
  name: `no-upward-from-${layer}`,
  comment: `${layer}/ may import only the layers below it: ${LAYERS.slice(i + 1).join(', ') || 'none'}`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: `^src/(${LAYERS.slice(0, i + 1).filter((l) => l !== layer).join('|') || 'none'})/` },
}));

const adapters = [
  ['dockerode', 'src/docker/dockerode-client\\.ts'],
  ['chokidar', 'src/watch/chokidar-watcher\\.ts'],
  ['execa', 'src/base/host-process\\.ts'],
  ['ora', 'src/cli/ora-reporter\\.ts'],
  ['@aws-sdk', 'src/cli/aws-sdk\\.ts'],
  ['ajv', 'src/config/ajv-validator\\.ts'],
  ['jsonc-parser', 'src/config/jsonc\\.ts'],
  ['semver', 'src/config/versions\\.ts'],
].map(([pkg, file]) => ({
  name: `only-one-${pkg.replace('@', '')}-adapter`,
  comment: `${pkg} is imported only by ${file.replace(/\\\\/g, '')}`,
  severity: 'error',
  from: { path: '^src/', pathNot: `^${file}$` },
  to: { path: `node_modules/${pkg}` },
}));

module.exports = {
  forbidden: [
    ...upward,
    ...adapters,
    { name: 'no-cycles', severity: 'error', from: { path: '^src/' }, to: { circular: true } },
    { name: 'base-is-self-contained', comment: 'base/ imports nothing of dsync outside base/', severity: 'error', from: { path: '^src/base/' }, to: { path: '^src/', pathNot: '^src/base/' } },
    { name: 'no-orphans', severity: 'warn', from: { orphan: true, path: '^src/', pathNot: '\\.d\\.ts$' }, to: {} },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'] },
  },
};
