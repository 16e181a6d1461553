const ms = require('ms');

// POST /orders: validates the body and answers with an order that expires in 15 minutes.
exports.handler = async (event) => {
  let body;
  try {
    body = JSON.parse(event.body ?? '{}');
  } catch {
    return { statusCode: 400, body: JSON.stringify({ message: 'body must be JSON' }) };
  }
  if (!Array.isArray(body.items) || body.items.length === 0) {
    return { statusCode: 400, body: JSON.stringify({ message: 'items must be a non-empty array' }) };
  }
  const order = { id: `o-${Date.now()}`, items: body.items, expiresAt: Date.now() + ms('15m') };
  return { statusCode: 201, body: JSON.stringify({ version: 'create-v1', order }) };
};
