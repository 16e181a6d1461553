// A Debug Adapter Protocol client for the tests, without an editor: what VS
// Code's Python debugger speaks to debugpy (Content-Length framed JSON over
// TCP; requests by seq, responses by request_seq, events by name).
import net from 'node:net';

interface Message {
  type: 'response' | 'event' | 'request';
  request_seq?: number;
  success?: boolean;
  message?: string;
  command?: string;
  event?: string;
  body?: Record<string, unknown>;
}

export class Dap {
  private seq = 0;
  private buffer = Buffer.alloc(0);
  private readonly messages: Message[] = [];
  private readonly wakers: Array<() => void> = [];
  private closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      for (;;) {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) break;
        const length = Number(/content-length:\s*(\d+)/i.exec(this.buffer.subarray(0, end).toString())?.[1]);
        if (this.buffer.length < end + 4 + length) break;
        this.messages.push(JSON.parse(this.buffer.subarray(end + 4, end + 4 + length).toString()) as Message);
        this.buffer = this.buffer.subarray(end + 4 + length);
      }
      for (const wake of this.wakers.splice(0)) wake();
    });
    socket.on('close', () => {
      this.closed = true;
      for (const wake of this.wakers.splice(0)) wake();
    });
  }

  static connect(port: number): Promise<Dap> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new Dap(socket)));
      socket.once('error', reject);
    });
  }

  send(command: string, args: Record<string, unknown> = {}): number {
    const body = JSON.stringify({ seq: ++this.seq, type: 'request', command, arguments: args });
    this.socket.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    return this.seq;
  }

  private async take(test: (m: Message) => boolean, what: string, timeoutMs = 60_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex(test);
      if (i >= 0) return this.messages.splice(i, 1)[0]!;
      if (this.closed) throw new Error(`the debug adapter closed the connection before ${what}`);
      if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        this.wakers.push(resolve);
        setTimeout(resolve, 250);
      });
    }
  }

  async response(seq: number): Promise<Record<string, unknown>> {
    const answer = await this.take((m) => m.type === 'response' && m.request_seq === seq, `the answer to request ${seq}`);
    if (!answer.success) throw new Error(`${answer.command}: ${answer.message}`);
    return answer.body ?? {};
  }

  call(command: string, args: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    return this.response(this.send(command, args));
  }

  async event(name: string): Promise<Record<string, unknown>> {
    return (await this.take((m) => m.type === 'event' && m.event === name, `the ${name} event`)).body ?? {};
  }

  close(): void {
    this.socket.destroy();
  }
}
