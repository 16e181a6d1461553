// GET /health: uses the shared layer.
const { json, LAYER_VERSION } = require('/opt/nodejs/common.js');

exports.handler = async () => json(200, { version: 'health-v1', layer: LAYER_VERSION, ok: true });
