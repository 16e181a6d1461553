import { summarize, type OrderLine } from './stats';

const SAMPLE: OrderLine[] = [
  { sku: 'p1', quantity: 2, cents: 8900 },
  { sku: 'p3', quantity: 1, cents: 2900 },
];

// GET /stats (TypeScript, bundled by SAM's esbuild builder)
export const handler = async (): Promise<{ statusCode: number; body: string }> => ({
  statusCode: 200,
  body: JSON.stringify({ version: 'stats-v1', ...summarize(SAMPLE) }),
});
