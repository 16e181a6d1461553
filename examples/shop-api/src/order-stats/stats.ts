export interface OrderLine {
  sku: string;
  quantity: number;
  cents: number;
}

/** Totals for a list of order lines. */
export function summarize(lines: OrderLine[]): { items: number; revenueCents: number } {
  let items = 0;
  let revenueCents = 0;
  for (const line of lines) {
    items += line.quantity;
    revenueCents += line.quantity * line.cents;
  }
  return { items, revenueCents };
}
