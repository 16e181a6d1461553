// Config files as Windows tools save them, and what goes into the SAM image
// from a CA file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCliConfig, samImageSource } from '../../../src/cli/deps.js';
import { decodeText } from '../../../src/config/text.js';
import { DEFAULTS } from '../../../src/config/config.js';
import { Writable } from 'node:stream';
import { chooseReporter } from '../../../src/cli/output.js';
import { certificateBlocks, osStoreExtras } from '../../../src/docker/host-certificates.js';
import tls from 'node:tls';

const JSON_TEXT = '{ "image": "team/sam:1", "quietMs": 20 }\n';

function projectWith(bytes: Buffer): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-cfg-'));
  fs.writeFileSync(path.join(dir, 'dsync.json'), bytes);
  return dir;
}

describe('dsync.json saved by Windows tools', () => {
  it('loads with a UTF-8 byte-order mark (Notepad, Out-File -Encoding utf8)', () => {
    const dir = projectWith(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON_TEXT)]));
    expect(loadCliConfig({ cwd: dir }, {})).toMatchObject({ image: 'team/sam:1', quietMs: 20 });
  });
  it("loads as UTF-16 LE with a BOM (PowerShell 5.1's `>`), and UTF-16 BE", () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(JSON_TEXT, 'utf16le')]);
    expect(loadCliConfig({ cwd: projectWith(le) }, {})).toMatchObject({ image: 'team/sam:1' });
    const be = Buffer.from(JSON_TEXT, 'utf16le').swap16();
    expect(loadCliConfig({ cwd: projectWith(Buffer.concat([Buffer.from([0xfe, 0xff]), be])) }, {})).toMatchObject({ quietMs: 20 });
  });
  it('loads UTF-16 LE without a BOM', () => {
    expect(decodeText(Buffer.from(JSON_TEXT, 'utf16le'), 'dsync.json')).toBe(JSON_TEXT);
  });
  it('says what is wrong with a file in a legacy code page', () => {
    const dir = projectWith(Buffer.from('{ "stackName": "caf\xe9" }', 'latin1'));
    expect(() => loadCliConfig({ cwd: dir }, {})).toThrow(/dsync\.json is not valid UTF-8/);
  });
  it('plain UTF-8 still loads, with its unicode intact', () => {
    expect(decodeText(Buffer.from('{"stackName":"café-ü"}'), 'x')).toBe('{"stackName":"café-ü"}');
    expect(loadCliConfig({ cwd: projectWith(Buffer.from('{}')) }, {})).toMatchObject({ image: DEFAULTS.image });
  });
});

const CERT = `-----BEGIN CERTIFICATE-----
MIIBszCCAVmgAwIBAgIUXr0yPEz0yX0nM0eG1wq5bA6p0CwwCgYIKoZIzj0EAwIw
FjEUMBIGA1UEAwwLY29ycC1wcm94eTAeFw0yNjAxMDEwMDAwMDBaFw0zNjAxMDEw
-----END CERTIFICATE-----`;
const KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSECRETSECRETSECR
-----END PRIVATE KEY-----`;

describe('extra CA files', () => {
  it('only certificate blocks are taken, never a private key in the same file', () => {
    expect(certificateBlocks(`${KEY}\n${CERT}\n`)).toEqual([CERT]);
    expect(certificateBlocks(`${CERT}\r\n${CERT.replace(/\n/g, '\r\n')}\r\n`)).toEqual([CERT, CERT]);
    expect(certificateBlocks(KEY)).toEqual([]);
  });
  it('the SAM image build gets the certificates of DSYNC_EXTRA_CA_CERTS and nothing else', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dsync-ca-'));
    const bundle = path.join(dir, 'proxy-bundle.pem');
    fs.writeFileSync(bundle, `${KEY}\n${CERT}\n`);
    const keyOnly = path.join(dir, 'key.pem');
    fs.writeFileSync(keyOnly, KEY);
    const source = await samImageSource({ ...DEFAULTS, root: dir }, { DSYNC_EXTRA_CA_CERTS: [bundle, keyOnly].join(path.delimiter) });
    const extra = source.caCertificates.filter((c) => c.name === 'proxy-bundle.pem' || c.name === 'key.pem');
    expect(extra).toEqual([{ name: 'proxy-bundle.pem', pem: `${CERT}\n` }]);
    expect(source.caCertificates.every((c) => !c.pem.includes('PRIVATE KEY'))).toBe(true);
  });
});

describe("the OS trust store's extra CAs (Windows and macOS)", () => {
  // Real CA certificates (Node's own list) stand in for a store: A is in Node's bundle, B and C are only the OS's.
  const [a, b, c] = tls.rootCertificates as unknown as [string, string, string];
  const store = (system: string[], bundled: string[]) => (type: 'system' | 'bundled') => (type === 'system' ? system : bundled);

  it("takes what the OS trusts beyond Node.js's bundle, in an order that does not depend on the store's", () => {
    const one = osStoreExtras('win32', {}, store([a, b, c], [a]));
    const other = osStoreExtras('win32', {}, store([c, b, a], [a]));
    expect(one?.name).toBe('os-trust-store.crt');
    expect(certificateBlocks(one!.pem)).toHaveLength(2);
    expect(one!.pem).toContain(b.trim().split('\n')[1]);
    expect(one!.pem).toContain(c.trim().split('\n')[1]);
    expect(one!.pem).not.toContain(a.trim().split('\n')[1]);
    expect(other).toEqual(one);
    expect(osStoreExtras('darwin', {}, store([a, b], [a]))?.pem).toContain(b.trim().split('\n')[1]);
  });

  it('reads nothing on Linux (its added CAs are files), when turned off, on a Node.js without the API, or when the store adds nothing', () => {
    expect(osStoreExtras('linux', {}, store([a, b], [a]))).toBeUndefined();
    expect(osStoreExtras('win32', { DSYNC_OS_CA_STORE: '0' }, store([a, b], [a]))).toBeUndefined();
    expect(osStoreExtras('win32', {}, null)).toBeUndefined();
    expect(osStoreExtras('win32', {}, store([a], [a, b]))).toBeUndefined();
  });
});

describe('the reporter for a terminal', () => {
  const terminal = (columns: number | undefined) => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        chunks.push(String(chunk));
        done();
      },
    }) as unknown as NodeJS.WriteStream;
    Object.assign(stream, { isTTY: true, columns });
    return { stream, text: () => chunks.join('') };
  };

  it('a terminal that reports no width gets plain lines, not a spinner (whose line arithmetic divides by the width)', async () => {
    const t = terminal(0);
    const reporter = await chooseReporter({ stdout: t.stream, stderr: t.stream, env: {} }, false);
    reporter.progress('comparing host and container');
    reporter.done('initial sync: nothing to change');
    reporter.close();
    expect(t.text()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} comparing host and container\n\d\d:\d\d:\d\d\.\d{3} initial sync: nothing to change\n$/);
  });
});
