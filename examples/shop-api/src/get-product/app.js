const ms = require('ms');

const PRODUCTS = { p1: 'Trail shoes', p2: 'Rain jacket', p3: 'Head lamp' };

// GET /products/{id}
exports.handler = async (event) => {
  const id = event.pathParameters?.id;
  const name = PRODUCTS[id];
  if (!name) return { statusCode: 404, body: JSON.stringify({ message: `no product ${id}` }) };
  return {
    statusCode: 200,
    headers: { 'cache-control': `max-age=${ms('1h') / 1000}` },
    body: JSON.stringify({ version: 'get-v1', id, name }),
  };
};
