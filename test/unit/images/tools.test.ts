import { describe, expect, it } from 'vitest';
import { toolFiles, toolPaths } from '../../../src/images/tools.js';

describe('the tool files copied into the container', () => {
  it('are the whole emulator package and sam-tools, without tests or caches', async () => {
    const paths = await toolPaths();
    expect(paths).toContain('emulator/dsync_emulator/__main__.py');
    expect(paths).toContain('emulator/dsync_emulator/lambda_runner/node_runtime.mjs');
    for (const tool of ['sam-tools/verify.py', 'sam-tools/npm_patch.py', 'sam-tools/sam_worker.py', 'sam-tools/tunnel.py', 'sam-tools/credentials.sh', 'sam-tools/aws-config']) {
      expect(paths).toContain(tool);
    }
    expect(paths.filter((p) => /\/tests\/|__pycache__|\.pyc$|pytest_cache|pyproject/.test(p))).toEqual([]);
    expect([...paths].sort()).toEqual(paths);
  });

  it('go under tools/ in the volume, and aws-config names credentials.sh where it lands', async () => {
    const files = await toolFiles();
    expect(files.every((f) => f.name.startsWith('tools/emulator/') || f.name.startsWith('tools/sam-tools/'))).toBe(true);
    const config = files.find((f) => f.name === 'tools/sam-tools/aws-config')!;
    expect(String(config.content)).toContain('/dsync/tools/sam-tools/credentials.sh');
  });
});
