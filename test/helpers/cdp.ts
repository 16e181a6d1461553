// A debugger client for the tests, without an editor: the Chrome DevTools
// Protocol over a WebSocket, as VS Code's js-debug and Chrome speak it to
// Node.js's inspector. /json/list gives the target; then commands and events.
import WebSocket from 'ws';

export interface CdpTarget {
  id: string;
  webSocketDebuggerUrl: string;
}

/** The inspector's targets on a port (undefined while nothing answers). */
export async function cdpTargets(port: number): Promise<CdpTarget[] | undefined> {
  const res = await fetch(`http://127.0.0.1:${port}/json/list`).catch(() => undefined);
  return res?.ok ? ((await res.json()) as CdpTarget[]) : undefined;
}

export class Cdp {
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (v: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  private readonly events: Array<{ method: string; params: Record<string, unknown> }> = [];
  private readonly listeners: Array<() => void> = [];
  closed = false;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(String(data)) as { id?: number; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { message: string } };
      if (message.id !== undefined) {
        const pending = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        if (message.error) pending?.reject(new Error(message.error.message));
        else pending?.resolve(message.result ?? {});
      } else if (message.method) {
        this.events.push({ method: message.method, params: message.params ?? {} });
        for (const wake of this.listeners.splice(0)) wake();
      }
    });
    ws.on('close', () => {
      this.closed = true;
      for (const pending of this.waiting.values()) pending.reject(new Error('the debugger connection closed'));
      for (const wake of this.listeners.splice(0)) wake();
    });
  }

  static async connect(url: string): Promise<Cdp> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return new Cdp(ws);
  }

  call(method: string, params: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ id, method, params }));
    });
  }

  /** The next event named `method` (one already received counts), within timeoutMs. */
  async waitFor(method: string, timeoutMs = 60_000): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.events.findIndex((e) => e.method === method);
      if (i >= 0) return this.events.splice(i, 1)[0]!.params;
      if (this.closed) throw new Error(`the debugger connection closed before ${method}`);
      if (Date.now() > deadline) throw new Error(`no ${method} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.listeners.push(resolve);
        setTimeout(resolve, 250);
      });
    }
  }

  /** The scripts the debugger was told of (Debugger.scriptParsed). */
  parsedScripts(): Array<{ scriptId: string; url: string; sourceMapURL: string }> {
    return this.events.filter((e) => e.method === 'Debugger.scriptParsed').map((e) => e.params as { scriptId: string; url: string; sourceMapURL: string });
  }

  /** The URL of a script the debugger was told of (Debugger.scriptParsed), by its id. */
  scriptUrl(scriptId: string): string | undefined {
    return this.events.find((e) => e.method === 'Debugger.scriptParsed' && e.params.scriptId === scriptId)?.params.url as string | undefined;
  }

  close(): void {
    this.ws.close();
  }
}
