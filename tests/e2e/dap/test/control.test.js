// Taking control of a running program: pause, exception stops, several VM threads, disassembly.

'use strict';

const assert = require('node:assert/strict');
const {
  evaluate,
  exitCode,
  frames,
  launch,
  line,
  mainThreadId,
  stopped,
  topFrame,
  withClient,
} = require('./support');

describe('control', function () {
  const ctx = withClient();

  it('pauses an endless loop within two seconds, on the loop line, and resumes it', async function () {
    const { client } = ctx;
    const name = 'pause.vit';
    await launch(client, name);
    const threadId = await mainThreadId(client);

    const pauseAndRead = async () => {
      const asked = Date.now();
      await client.pauseRequest({ threadId });
      const stop = await stopped(client, 'pause', 3000);
      assert.ok(Date.now() - asked < 2000, `paused after ${Date.now() - asked} ms`);
      const frame = await topFrame(client, stop.threadId);
      assert.equal(frame.line, line(name, 'LOOP'));
      return Number(await evaluate(client, 'i', frame.id));
    };

    const first = await pauseAndRead();
    assert.ok(first > 0, `i = ${first} after running a while`);
    await client.continueRequest({ threadId });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await pauseAndRead();
    assert.ok(second > first, `the loop went on after continue (${first} then ${second})`);

    await client.terminateRequest();
    await client.nextEvent('terminated');
  });

  it('stops on an uncaught error with the "uncaught" filter, not on a caught throw', async function () {
    const { client } = ctx;
    const name = 'exception.vit';
    await launch(client, name, { exceptionFilters: ['uncaught'] });

    const stop = await stopped(client, 'exception');
    const stack = await frames(client, stop.threadId);
    assert.match(stack[0].name, /\bdivide\b/);
    assert.equal(stack[0].line, line(name, 'THROW'));
    assert.equal(stack[1].line, line(name, 'CALL'));
    await client.waitForOutput('caught handled\n');

    const info = (await client.exceptionInfoRequest({ threadId: stop.threadId })).body;
    assert.match(`${info.description ?? ''} ${info.exceptionId}`, /division by zero/);
    assert.equal(info.breakMode, 'unhandled');

    await client.continueRequest({ threadId: stop.threadId });
    assert.equal(await exitCode(client), 70, 'an uncaught runtime error exits with 70, as `vitte run` does');
    assert.equal(client.eventsOf('stopped').length, 1, 'the caught throw did not stop');
    assert.match(client.output(), /division by zero/);
  });

  it('stops on a caught throw too with the "all" filter', async function () {
    const { client } = ctx;
    const name = 'exception.vit';
    await launch(client, name, { exceptionFilters: ['all'] });

    const first = await stopped(client, 'exception');
    const info = (await client.exceptionInfoRequest({ threadId: first.threadId })).body;
    assert.match(`${info.description ?? ''} ${info.exceptionId}`, /handled/);
    assert.notEqual(info.breakMode, 'unhandled', 'a try catches it');
    assert.ok(!client.output().includes('caught handled'), 'stopped before the catch ran');

    await client.continueRequest({ threadId: first.threadId });
    const second = await stopped(client, 'exception');
    assert.equal((await topFrame(client, second.threadId)).line, line(name, 'THROW'));
    await client.continueRequest({ threadId: second.threadId });
    assert.equal(await exitCode(client), 70);
  });

  it('shows every VM thread: main at the breakpoint, three workers blocked in recv', async function () {
    const { client } = ctx;
    const name = 'threads.vit';
    await launch(client, name, { breakpoints: [{ line: line(name, 'BP') }] });
    const stop = await stopped(client, 'breakpoint');
    assert.equal(stop.allThreadsStopped, true, 'a stop stops every VM thread');

    const threads = (await client.threadsRequest()).body.threads;
    assert.equal(threads.length, 4, `threads: ${JSON.stringify(threads)}`);
    assert.equal(new Set(threads.map((thread) => thread.id)).size, 4, 'thread ids are distinct');
    assert.ok(threads.some((thread) => thread.id === stop.threadId), 'the stopped thread is listed');

    assert.equal((await topFrame(client, stop.threadId)).line, line(name, 'BP'));
    const workers = threads.filter((thread) => thread.id !== stop.threadId);
    for (const worker of workers) {
      const frame = await topFrame(client, worker.id);
      assert.match(frame.name, /\bworker\b/);
      assert.equal(frame.line, line(name, 'RECV'), `${worker.name} waits in recv`);
      await client.nextEvent('thread', (event) => event.body.reason === 'started' && event.body.threadId === worker.id);
    }

    await client.continueRequest({ threadId: stop.threadId });
    assert.equal(await exitCode(client), 0);
    await client.waitForOutput('worker 3 got 30\n');
    for (const text of ['worker 1 got 10', 'worker 2 got 20']) {
      assert.ok(client.output().includes(text), `output has ${text}`);
    }
    for (const worker of workers) {
      await client.nextEvent('thread', (event) => event.body.reason === 'exited' && event.body.threadId === worker.id);
    }
  });

  it('disassembles around the stop, with source lines', async function () {
    const { client } = ctx;
    const name = 'disassemble.vit';
    await launch(client, name, { breakpoints: [{ line: line(name, 'BP') }] });
    const stop = await stopped(client, 'breakpoint');
    const frame = await topFrame(client, stop.threadId);
    const pointer = frame.instructionPointerReference;
    assert.ok(pointer, 'the frame has an instruction pointer reference');

    const forward = (
      await client.disassembleRequest({ memoryReference: pointer, instructionOffset: 0, instructionCount: 4 })
    ).body.instructions;
    assert.equal(forward.length, 4, 'exactly the count asked for');
    assert.equal(forward[0].address, pointer);
    assert.equal(forward[0].line, line(name, 'BP'));
    assert.match(forward[0].instruction, /mul/, '`a * b` is the first instruction of the line');
    for (const instruction of forward) {
      assert.ok(instruction.instruction.length > 0, 'every instruction has text');
    }

    const backward = (
      await client.disassembleRequest({ memoryReference: pointer, instructionOffset: -2, instructionCount: 2 })
    ).body.instructions;
    assert.deepEqual(
      backward.map((instruction) => instruction.line),
      [line(name, 'A'), line(name, 'B')],
    );
    assert.ok(backward.every((instruction) => /load/.test(instruction.instruction)), 'two constant loads');

    await client.continueRequest({ threadId: stop.threadId });
    assert.equal(await exitCode(client), 0);
    await client.waitForOutput('42\n');
  });
});
