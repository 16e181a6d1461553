import { describe, expect, it } from 'vitest';
import { describeApis, servedApi } from '../../../src/emulator/apis.js';

describe('the APIs the emulator serves', () => {
  const published = { 5001: 32791, 5002: 32790 };

  it('gives a REST API its named stage (not the deployment stage SAM also creates) and an HTTP API its root', () => {
    expect(servedApi({ id: 'ServerlessRestApi', type: 'REST', stack: 's', port: 5001, stages: ['Prod', 'Stage'] }, published)).toEqual({
      id: 'ServerlessRestApi',
      type: 'REST',
      url: 'http://127.0.0.1:32791/Prod',
    });
    expect(servedApi({ id: 'ServerlessHttpApi', type: 'HTTP', stack: 's', port: 5002, stages: ['$default'] }, published).url).toBe('http://127.0.0.1:32790');
    expect(servedApi({ id: 'Api', type: 'HTTP', stack: 's', port: 5002, stages: ['api'] }, published).url).toBe('http://127.0.0.1:32790/api');
  });

  it('says when an API got no port', () => {
    const api = servedApi({ id: 'Eleventh', type: 'REST', stack: 's', port: null, stages: ['Prod'] }, published);
    expect(api).toEqual({ id: 'Eleventh', type: 'REST' });
    expect(describeApis([api])).toEqual(['REST API Eleventh: not served (the emulator serves 10 APIs and function URLs per stack)']);
  });

  it('serves a function URL at its root, and says when its AuthType is not checked', () => {
    const url = servedApi({ id: 'FnUrl', type: 'URL', stack: 's', port: 5001, stages: [], authType: 'NONE' }, published);
    expect(url).toEqual({ id: 'FnUrl', type: 'URL', url: 'http://127.0.0.1:32791', authType: 'NONE' });
    const iam = servedApi({ id: 'SignedUrl', type: 'URL', stack: 's', port: 5002, stages: [], authType: 'AWS_IAM' }, published);
    expect(describeApis([url, iam])).toEqual([
      'Function URL FnUrl: http://127.0.0.1:32791',
      'Function URL SignedUrl: http://127.0.0.1:32790 (AuthType AWS_IAM: the emulator accepts unsigned requests)',
    ]);
  });
});
