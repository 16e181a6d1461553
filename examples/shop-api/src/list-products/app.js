const ms = require('ms');
const { products } = require('./catalog.js');

// GET /products
exports.handler = async () => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json', 'cache-control': `max-age=${ms('5m') / 1000}` },
  body: JSON.stringify({ version: 'list-v1', products }),
});
