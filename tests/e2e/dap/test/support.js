// What every test of the suite shares: starting the real `vitte-dap`, finding breakpoint lines from
// `// #NAME` markers in the programs, and small promise-based helpers over the Debug Adapter Protocol.
//
// The adapter is `process.env.VITTE_DAP` (set by `cargo xtask e2e`), started as `vitte-dap --stdio` by
// `DebugClient` from @vscode/debugadapter-testsupport. Its constructor is
// `DebugClient(runtime, executable, debugType)` and `start()` spawns `runtime` with `[executable]` as the
// argument list, so the binary is the runtime and `--stdio` (the adapter's default mode, named explicitly)
// is the one argument: an empty executable would hand the adapter an empty-string argument.

'use strict';

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { DebugClient } = require('@vscode/debugadapter-testsupport');

/** Folder of the test programs, resolved through symbolic links (the adapter reports real paths). */
const PROGRAMS = fs.realpathSync(path.join(__dirname, '..', 'programs'));

/** How long one request may wait for its response, and one event for its arrival. */
const REQUEST_TIMEOUT_MS = 5000;
const EVENT_TIMEOUT_MS = 5000;

/** The adapter binary, or a clear error when the suite is not run through `cargo xtask e2e`. */
function adapterPath() {
  const adapter = process.env.VITTE_DAP;
  if (!adapter) {
    throw new Error('VITTE_DAP is not set: run the suite with `cargo xtask e2e` (or set VITTE_DAP to the vitte-dap binary)');
  }
  if (!fs.existsSync(adapter)) {
    throw new Error(`VITTE_DAP names ${adapter}, which does not exist: build it with \`cargo build -p vitte-dap\``);
  }
  return adapter;
}

/** Absolute path of test program `name` (`breakpoint.vit`). */
function program(name) {
  const file = path.join(PROGRAMS, name);
  assert.ok(fs.existsSync(file), `missing test program ${file}`);
  return file;
}

/** The 1-based line of `name` that carries the marker comment `// #MARKER`. */
function line(name, marker) {
  const lines = fs.readFileSync(program(name), 'utf8').split(/\r?\n/);
  const pattern = new RegExp(`//.*#${marker}\\b`);
  const found = lines.flatMap((text, index) => (pattern.test(text) ? [index + 1] : []));
  assert.equal(found.length, 1, `${name} should mark exactly one line with #${marker}`);
  return found[0];
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * A `DebugClient` that also keeps every event it receives, so a test can wait for an event that
 * arrived before it started waiting (the base class only sees events emitted after `waitForEvent`),
 * that times out every request, and that keeps the adapter's stderr for the report of a failed test.
 */
class VitteClient extends DebugClient {
  constructor() {
    super(adapterPath(), '--stdio', 'vitte', { stdio: 'pipe' });
    this.defaultTimeout = EVENT_TIMEOUT_MS;
    /** Every event received, in order; `taken` marks those a `nextEvent` already returned. */
    this.events = [];
    this.waiters = [];
    this.stderr = '';
    this.transcript = [];
    this.adapterExit = null;
    this.capabilities = {};
    /** One function per request awaiting its response, failing it with a reason. */
    this.pending = new Set();
  }

  async start() {
    await super.start();
    const child = this._adapterProcess;
    child.stderr.on('data', (data) => {
      this.stderr += data.toString();
    });
    // Writing to an adapter that has gone fails the pending request below, not the whole run.
    child.stdin.on('error', () => {});
    child.on('exit', (code, signal) => {
      this.adapterExit = { code, signal };
      for (const fail of [...this.pending]) {
        fail(`the adapter exited (code ${code}, signal ${signal})`);
      }
    });
  }

  emit(name, ...args) {
    const message = args[0];
    if (message && message.type === 'event') {
      const entry = { event: message, taken: false };
      this.events.push(entry);
      this.transcript.push(`<- event ${name} ${JSON.stringify(message.body || {})}`);
      for (const waiter of [...this.waiters]) {
        if (!entry.taken && waiter.accepts(message)) {
          entry.taken = true;
          waiter.resolve(message);
        }
      }
    }
    return super.emit(name, ...args);
  }

  /** Sends a request; rejects with the adapter's message on an error response, or after a timeout. */
  send(command, args) {
    this.transcript.push(`-> ${command} ${JSON.stringify(args || {})}`);
    let timer;
    let fail;
    const failure = new Promise((_, reject) => {
      fail = (why) => reject(new Error(`no response to '${command}': ${why}`));
      timer = setTimeout(() => fail(`none within ${REQUEST_TIMEOUT_MS} ms`), REQUEST_TIMEOUT_MS);
    });
    if (this.adapterExit) {
      fail(`the adapter had exited (code ${this.adapterExit.code}, signal ${this.adapterExit.signal})`);
    }
    this.pending.add(fail);
    const response = super.send(command, args).then(
      (result) => {
        this.transcript.push(`<- ${command} ok ${JSON.stringify(result.body || {}).slice(0, 300)}`);
        return result;
      },
      (error) => {
        this.transcript.push(`<- ${command} error ${error.message}`);
        throw error;
      },
    );
    return Promise.race([response, failure]).finally(() => {
      clearTimeout(timer);
      this.pending.delete(fail);
    });
  }

  /**
   * The first event of type `type` (matching `accepts`, if given) not yet returned by an earlier call,
   * whether it already arrived or arrives within `timeout` ms.
   */
  nextEvent(type, accepts = () => true, timeout = EVENT_TIMEOUT_MS) {
    const matches = (event) => event.event === type && accepts(event);
    const early = this.events.find((entry) => !entry.taken && matches(entry.event));
    if (early) {
      early.taken = true;
      return Promise.resolve(early.event);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        accepts: matches,
        resolve: (event) => {
          clearTimeout(timer);
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          resolve(event);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`no '${type}' event within ${timeout} ms`));
      }, timeout);
      this.waiters.push(waiter);
    });
  }

  /** Every event of type `type` received so far (taken or not). */
  eventsOf(type) {
    return this.events.filter((entry) => entry.event.event === type).map((entry) => entry.event);
  }

  /** The text of every `output` event so far, concatenated (optionally of one category only). */
  output(category) {
    return this.eventsOf('output')
      .filter((event) => category === undefined || event.body.category === category)
      .map((event) => event.body.output)
      .join('');
  }

  /** Waits until the output so far contains `text`. */
  async waitForOutput(text, timeout = EVENT_TIMEOUT_MS) {
    const deadline = Date.now() + timeout;
    while (!this.output().includes(text)) {
      if (Date.now() > deadline) {
        throw new Error(`output never contained ${JSON.stringify(text)}; it was ${JSON.stringify(this.output())}`);
      }
      await delay(20);
    }
  }

  /** Ends the session; never waits more than two seconds for the adapter to go. */
  async stop() {
    await Promise.race([super.stop(), delay(2000)]);
    this.stopAdapter();
  }

  /** What to print when a test failed: the requests, responses and events, and the adapter's stderr. */
  diagnostics() {
    const exit = this.adapterExit
      ? `adapter exited: code ${this.adapterExit.code}, signal ${this.adapterExit.signal}`
      : 'adapter still running';
    return [
      '--- DAP transcript ---',
      ...(process.env.VITTE_E2E_TRANSCRIPT ? this.transcript : this.transcript.slice(-60)),
      `--- ${exit}; adapter stderr ---`,
      this.stderr.trimEnd() || '(empty)',
    ].join('\n');
  }
}

/** A started client, one per test. */
async function startClient() {
  const client = new VitteClient();
  await client.start();
  return client;
}

/**
 * The whole start of a session: initialize, launch `name` (with extra launch arguments `launch`), then,
 * once `initialized` arrived, set `breakpoints` (objects for setBreakpoints, on the program's source),
 * `functionBreakpoints` and `exceptionFilters`, and send configurationDone. The launch response may come
 * before or after configurationDone. Gives the breakpoints as the adapter verified them.
 */
async function launch(client, name, options = {}) {
  const init = await client.initializeRequest();
  client.capabilities = init.body || {};
  const programPath = program(name);
  const launched = client.launchRequest({ program: programPath, ...(options.launch || {}) });
  const initialized = client.nextEvent('initialized');
  // A failed launch must fail the test at once, not after the `initialized` timeout.
  await Promise.race([initialized, launched.then(() => initialized)]);
  let breakpoints = [];
  if (options.breakpoints) {
    const response = await client.setBreakpointsRequest({
      source: { path: programPath },
      breakpoints: options.breakpoints,
      lines: options.breakpoints.map((bp) => bp.line),
    });
    breakpoints = response.body.breakpoints;
    assert.equal(breakpoints.length, options.breakpoints.length, 'one answer per breakpoint');
  }
  if (options.functionBreakpoints) {
    await client.setFunctionBreakpointsRequest({ breakpoints: options.functionBreakpoints });
  }
  if (options.exceptionFilters) {
    await client.setExceptionBreakpointsRequest({ filters: options.exceptionFilters });
  }
  await client.configurationDoneRequest();
  await launched;
  return breakpoints;
}

/** Waits for the next `stopped` event, checks its reason, gives its body. */
async function stopped(client, reason, timeout = EVENT_TIMEOUT_MS) {
  const event = await client.nextEvent('stopped', () => true, timeout);
  if (reason !== undefined) {
    assert.equal(event.body.reason, reason, `stopped for ${JSON.stringify(event.body)}`);
  }
  assert.equal(typeof event.body.threadId, 'number', 'a stopped event names its thread');
  return event.body;
}

/** The frames of `threadId`, innermost first. */
async function frames(client, threadId) {
  const response = await client.stackTraceRequest({ threadId });
  return response.body.stackFrames;
}

/** The innermost frame of `threadId`. */
async function topFrame(client, threadId) {
  const all = await frames(client, threadId);
  assert.ok(all.length > 0, `thread ${threadId} has no frames`);
  return all[0];
}

/** The children of `variablesReference`, by name. */
async function variables(client, variablesReference, extra = {}) {
  const response = await client.variablesRequest({ variablesReference, ...extra });
  const byName = {};
  for (const variable of response.body.variables) {
    byName[variable.name] = variable;
  }
  return byName;
}

/** The scope called `scopeName` (`Locals`, `Globals`) of frame `frameId`. */
async function scope(client, frameId, scopeName) {
  const response = await client.scopesRequest({ frameId });
  const names = response.body.scopes.map((s) => s.name);
  const found = response.body.scopes.find((s) => s.name.toLowerCase() === scopeName.toLowerCase());
  assert.ok(found, `no scope ${scopeName} in ${JSON.stringify(names)}`);
  return found;
}

/** The locals of frame `frameId`, by name. */
async function locals(client, frameId) {
  const locals = await scope(client, frameId, 'Locals');
  return variables(client, locals.variablesReference);
}

/** The result text of evaluating `expression` in frame `frameId`. */
async function evaluate(client, expression, frameId, context = 'repl') {
  const response = await client.evaluateRequest({ expression, frameId, context });
  return response.body.result;
}

/** The id of the thread called `main` in a `threads` response (or the only thread). */
async function mainThreadId(client) {
  const response = await client.threadsRequest();
  const threads = response.body.threads;
  const main = threads.find((thread) => /main/i.test(thread.name)) || (threads.length === 1 ? threads[0] : undefined);
  assert.ok(main, `no main thread in ${JSON.stringify(threads)}`);
  return main.id;
}

/** Waits for `exited` then `terminated`; gives the exit code. */
async function exitCode(client, timeout = EVENT_TIMEOUT_MS) {
  const exited = await client.nextEvent('exited', () => true, timeout);
  await client.nextEvent('terminated', () => true, timeout);
  return exited.body.exitCode;
}

/** An element name such as `[3]` or `3`, as a number. */
function index(name) {
  const match = /^\[?(\d+)\]?$/.exec(name);
  assert.ok(match, `${JSON.stringify(name)} is not an element name`);
  return Number(match[1]);
}

/**
 * The `describe` body shared by every file: a fresh adapter per test (`ctx.client`), stopped in
 * `afterEach` whatever happened, with the transcript and stderr printed when the test failed (or always,
 * in full, when VITTE_E2E_TRANSCRIPT is set).
 */
function withClient() {
  const ctx = { client: null };
  beforeEach(async function () {
    ctx.client = await startClient();
  });
  afterEach(async function () {
    if (!ctx.client) {
      return;
    }
    if ((this.currentTest && this.currentTest.state === 'failed') || process.env.VITTE_E2E_TRANSCRIPT) {
      console.log(ctx.client.diagnostics());
    }
    await ctx.client.stop();
    ctx.client = null;
  });
  return ctx;
}

module.exports = {
  adapterPath,
  delay,
  evaluate,
  exitCode,
  frames,
  index,
  launch,
  line,
  locals,
  mainThreadId,
  program,
  scope,
  startClient,
  stopped,
  topFrame,
  variables,
  withClient,
};
