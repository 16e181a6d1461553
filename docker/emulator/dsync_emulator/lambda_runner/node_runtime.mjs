// One warm instance of a Node.js Lambda function, run by dsync's emulator
// (dsync_emulator/lambda_runner) the way Lambda's Node.js runtime runs it: the handler
// is loaded once from LAMBDA_TASK_ROOT as _HANDLER names it (CommonJS, .mjs,
// "type": "module", nested paths, a nested export), and each invocation gets
// the event, a context object and a callback.
//
// Protocol: one JSON request per line on stdin ({requestId, event, deadline,
// ...}); one JSON answer per line on the pipe DSYNC_ANSWER_FD names ({ok, result | error, logs}). The
// first answer is {ready, initMs} or {ready: false, error}. What the function
// logs (console.*, process.stdout/stderr) is collected per invocation, in
// Lambda's line format, and returned with the answer; nothing reaches fd 1/2.
//
// Layers live in DSYNC_LAYER_ROOT, standing for /opt: `require('/opt/x')`
// and `import '/opt/x'` are sent there, and NODE_PATH holds its nodejs folders.
import fs from 'node:fs';
import Module, { createRequire, register } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import util from 'node:util';

const initStarted = performance.now();
const taskRoot = process.env.LAMBDA_TASK_ROOT;
const layerRoot = process.env.DSYNC_LAYER_ROOT;
const handlerName = process.env._HANDLER ?? '';
const answerFd = Number(process.env.DSYNC_ANSWER_FD ?? 3);
delete process.env.DSYNC_ANSWER_FD;
const answer = (message) => fs.writeSync(answerFd, `${JSON.stringify(message)}\n`);

// --- /opt is where the layers are; NODE_PATH also serves ES modules --------------
// CommonJS finds layer and SDK modules through NODE_PATH. ES modules ignore
// NODE_PATH; as in Lambda (whose runtime lets ES modules import its SDK), a bare
// specifier the function cannot resolve itself is looked up there too.
const optBase = layerRoot ? pathToFileURL(layerRoot).href : '';
if (layerRoot) {
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    const mapped = typeof request === 'string' && (request === '/opt' || request.startsWith('/opt/')) ? layerRoot + request.slice(4) : request;
    return resolve.call(this, mapped, ...rest);
  };
}
const fallbackParents = (process.env.NODE_PATH ?? '')
  .split(':')
  .filter((dir) => dir.endsWith('/node_modules'))
  .map((dir) => pathToFileURL(path.join(path.dirname(dir), 'dsync-resolve.js')).href);
const hooks = `const optBase = ${JSON.stringify(optBase)};
const parents = ${JSON.stringify(fallbackParents)};
export async function resolve(specifier, context, next) {
  if (optBase && (specifier === 'file:///opt' || specifier.startsWith('file:///opt/'))) specifier = optBase + specifier.slice('file:///opt'.length);
  else if (optBase && specifier.startsWith('/opt/')) specifier = optBase + specifier.slice(4);
  try {
    return await next(specifier, context);
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || /^([./]|file:|node:|data:)/.test(specifier)) throw error;
    for (const parentURL of parents) {
      try {
        return await next(specifier, { ...context, parentURL });
      } catch {
        // not there either
      }
    }
    throw error;
  }
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);

// --- logs: console and the standard streams, per invocation ---------------------
let current;
const pending = [];
const record = (level, text) => {
  const line = level ? `${new Date().toISOString()}\t${current?.requestId ?? 'undefined'}\t${level}\t${text}` : text;
  (current ? current.logs : pending).push(line.replace(/\n$/, ''));
};
for (const [method, level] of [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'], ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']]) {
  console[method] = (...args) => record(level, util.format(...args));
}
for (const stream of [process.stdout, process.stderr]) {
  stream.write = (chunk, encoding, callback) => {
    record(undefined, typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString(typeof encoding === 'string' ? encoding : 'utf8'));
    if (typeof encoding === 'function') encoding();
    else if (typeof callback === 'function') callback();
    return true;
  };
}

// --- response streaming: awslambda.streamifyResponse, as Lambda's Node.js runtime offers it ---
// A streaming handler gets (event, responseStream, context). What it writes goes out at
// once, one {chunk} answer per write ({prelude} first: status and headers given to
// HttpResponseStream.from), then the final answer says {streamed: true}.
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
class ResponseStream extends Writable {
  constructor() {
    super();
    this.prelude = undefined;
    this.sentPrelude = false;
  }
  setContentType(type) {
    this.prelude = { ...this.prelude, headers: { ...this.prelude?.headers, 'content-type': type } };
  }
  _sendPrelude() {
    if (!this.sentPrelude && this.prelude !== undefined) answer({ prelude: this.prelude });
    this.sentPrelude = true;
  }
  _write(chunk, encoding, callback) {
    this._sendPrelude();
    answer({ chunk: Buffer.from(chunk, encoding).toString('base64') });
    callback();
  }
  _final(callback) {
    this._sendPrelude();
    callback();
  }
}
globalThis.awslambda = {
  streamifyResponse: (handler) => Object.assign(handler, { [STREAMING]: true }),
  HttpResponseStream: {
    from: (stream, prelude) => {
      stream.prelude = prelude;
      return stream;
    },
  },
};

async function invokeStreaming(handler, request, context) {
  const stream = new ResponseStream();
  const finished = new Promise((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  await handler(request.event, stream, context);
  if (!stream.writableFinished) {
    if (!stream.writableEnded) stream.end();
    await finished;
  }
}

// --- the handler -----------------------------------------------------------------
class RuntimeError extends Error {
  constructor(name, message) {
    super(message);
    this.name = name;
  }
}

/** "src/app.handler" -> ["src/app", ["handler"]]; "index.nested.fn" -> ["index", ["nested", "fn"]]. */
function splitHandler(handler) {
  const slash = handler.lastIndexOf('/');
  const file = handler.slice(slash + 1);
  const dot = file.indexOf('.');
  if (dot <= 0 || dot === file.length - 1) throw new RuntimeError('Runtime.MalformedHandlerName', `Bad handler ${handler}`);
  return [handler.slice(0, slash + 1) + file.slice(0, dot), file.slice(dot + 1).split('.')];
}

/** Whether the nearest package.json up to the task root says "type": "module". */
function moduleScope(file) {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    try {
      return JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).type === 'module';
    } catch {
      // no (readable) package.json here
    }
    if (dir === taskRoot || path.dirname(dir) === dir) return false;
  }
}

async function loadHandler() {
  const [modulePath, names] = splitHandler(handlerName);
  const base = path.resolve(taskRoot, modulePath);
  const file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find((f) => fs.existsSync(f));
  if (!file) throw new RuntimeError('Runtime.ImportModuleError', `Error: Cannot find module '${modulePath}'`);
  let loaded;
  try {
    loaded = file.endsWith('.mjs') || (file.endsWith('.js') && moduleScope(file)) ? await import(pathToFileURL(file).href) : createRequire(file)(file);
  } catch (error) {
    if (error instanceof SyntaxError || error?.code === 'MODULE_NOT_FOUND' || error?.code === 'ERR_MODULE_NOT_FOUND') {
      throw new RuntimeError(error instanceof SyntaxError ? 'Runtime.UserCodeSyntaxError' : 'Runtime.ImportModuleError', `${error.name}: ${error.message}`);
    }
    throw error;
  }
  const pick = (root) => names.reduce((value, name) => (value == null ? undefined : value[name]), root);
  const handler = pick(loaded) ?? (loaded?.default ? pick(loaded.default) : undefined);
  if (typeof handler !== 'function') throw new RuntimeError('Runtime.HandlerNotFound', `${handlerName} is undefined or not exported`);
  return handler;
}

function describeError(error) {
  if (error instanceof Error) {
    return { errorType: error.name || 'Error', errorMessage: error.message, trace: String(error.stack ?? '').split('\n') };
  }
  return { errorType: typeof error === 'object' && error !== null ? 'Error' : typeof error, errorMessage: typeof error === 'string' ? error : util.inspect(error), trace: [] };
}

const STREAMED = Symbol('streamed');

async function invoke(handler, request) {
  const context = {
    awsRequestId: request.requestId,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: request.invokedFunctionArn,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, request.deadline - Date.now()),
  };
  if (handler[STREAMING]) return invokeStreaming(handler, request, context).then(() => STREAMED);
  return new Promise((resolve, reject) => {
    const callback = (error, value) => (error != null ? reject(error) : resolve(value));
    context.done = callback;
    context.succeed = (value) => resolve(value);
    context.fail = (error) => reject(error ?? new Error('handled'));
    let returned;
    try {
      returned = handler(request.event, context, callback);
    } catch (error) {
      reject(error);
      return;
    }
    if (returned && typeof returned.then === 'function') returned.then(resolve, reject);
    else if (handler.length < 3) resolve(returned);
  });
}

let handler;
try {
  handler = await loadHandler();
  answer({ ready: true, initMs: performance.now() - initStarted, logs: pending.splice(0) });
} catch (error) {
  answer({ ready: false, error: describeError(error), logs: pending.splice(0) });
  process.exit(0);
}

// An error nobody awaited ends the instance, as in Lambda; the invocation in flight fails with it.
const crash = (error) => {
  const described = describeError(error);
  if (current) {
    record('ERROR', `Uncaught Exception \t${JSON.stringify({ errorType: described.errorType, errorMessage: described.errorMessage, stack: described.trace })}`);
    answer({ ok: false, error: described, logs: current.logs, exiting: true });
  }
  process.exit(129);
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  if (!line.trim()) continue;
  const request = JSON.parse(line);
  current = { requestId: request.requestId, logs: pending.splice(0) };
  try {
    const result = await invoke(handler, request);
    if (result === STREAMED) {
      answer({ ok: true, streamed: true, logs: current.logs });
    } else {
      const text = JSON.stringify(result === undefined ? null : result);
      answer({ ok: true, result: text ?? 'null', logs: current.logs });
    }
  } catch (error) {
    const described = describeError(error);
    record('ERROR', `Invoke Error \t${JSON.stringify({ errorType: described.errorType, errorMessage: described.errorMessage, stack: described.trace })}`);
    answer({ ok: false, error: described, logs: current.logs });
  }
  current = undefined;
}
