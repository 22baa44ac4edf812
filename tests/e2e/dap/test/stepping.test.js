// Stepping: over, into a call, by instruction, out of the call; the line after each step.

'use strict';

const assert = require('node:assert/strict');
const { exitCode, frames, launch, line, stopped, withClient } = require('./support');

describe('stepping', function () {
  const ctx = withClient();

  it('steps over, in and out, stopping on the expected line each time', async function () {
    const { client } = ctx;
    const name = 'stepping.vit';
    const at = (marker) => line(name, marker);
    await launch(client, name, { breakpoints: [{ line: at('START') }] });
    const threadId = (await stopped(client, 'breakpoint')).threadId;

    /** Runs one step request, waits for its stop and gives `[name, line]` of each frame. */
    const step = async (request, args = {}) => {
      await client[`${request}Request`]({ threadId, ...args });
      const stop = await stopped(client, 'step');
      assert.equal(stop.threadId, threadId);
      const stack = await frames(client, threadId);
      return {
        stack: stack.map((frame) => [frame.name.match(/\b(double|main)\b/)?.[1] ?? frame.name, frame.line]),
        pointer: stack[0].instructionPointerReference,
      };
    };

    let now = await step('next');
    assert.deepEqual(now.stack, [['main', at('CALL')]], 'next goes to the next statement');

    now = await step('stepIn');
    assert.deepEqual(now.stack, [
      ['double', at('IN')],
      ['main', at('CALL')],
    ]);

    const before = now.pointer;
    now = await step('next', { granularity: 'instruction' });
    assert.deepEqual(now.stack[0], ['double', at('IN')], 'line 3 has three instructions: one step stays on it');
    if (before !== undefined && now.pointer !== undefined) {
      assert.notEqual(now.pointer, before, 'an instruction step moves the instruction pointer');
    }

    now = await step('next');
    assert.deepEqual(now.stack[0], ['double', at('GIVE')]);

    now = await step('stepOut');
    assert.equal(now.stack.length, 1, 'back in main');
    assert.equal(now.stack[0][0], 'main');
    // The call stores its result straight into `b`, so the caller resumes on the next statement
    // (a debugger that shows the call's line again is also right).
    assert.ok([at('CALL'), at('AFTER')].includes(now.stack[0][1]), `stepOut stopped at ${now.stack[0][1]}`);
    const expectedNext = now.stack[0][1] === at('CALL') ? at('AFTER') : at('PRINT');
    now = await step('next');
    assert.deepEqual(now.stack, [['main', expectedNext]]);

    await client.continueRequest({ threadId });
    assert.equal(await exitCode(client), 0);
    await client.waitForOutput('11\n');
  });
});
