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
    expect(describeApis([api])).toEqual(['REST API Eleventh: not served (the emulator serves 10 APIs per stack)']);
  });
});
