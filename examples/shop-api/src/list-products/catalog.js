// The product catalogue; a module of its own so tests can edit a non-handler file.
exports.products = [
  { id: 'p1', name: 'Trail shoes', price: 8900 },
  { id: 'p2', name: 'Rain jacket', price: 12900 },
  { id: 'p3', name: 'Head lamp', price: 2900 },
];
