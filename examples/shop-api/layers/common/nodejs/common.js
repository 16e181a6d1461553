// Shared helpers, published as a Lambda layer: functions load it from /opt/nodejs/common.js.
exports.LAYER_VERSION = 'layer-v1';

exports.json = (statusCode, body) => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
