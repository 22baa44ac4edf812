-- What the end-to-end scripts that run in headless Neovim share (lsp/run.lua, editors/neovim.lua):
-- the programs under test given by environment variables, named checks, waits with a generous
-- timeout, and the summary that sets the exit code.
--
--   local harness = dofile(vim.fs.joinpath(here, '..', 'harness.lua'))
--
-- Every check prints "ok - NAME" when it passes; a failing one prints "FAIL - NAME" and the reason,
-- and `finish` then prints the end of the given log and exits with code 1.

local M = {}

--- How long a wait lasts before it fails, in ms; a debug build on a busy machine can be slow.
M.TIMEOUT = 30000

--- How many checks failed so far.
M.failures = 0

--- Called after a failed check (to put the editor back in a known state), when set.
M.on_failure = nil

--- The path of the program in environment variable `variable` (set by `cargo xtask e2e`); exits
--- with code 2 and a message naming `what` when it is not set or not executable.
function M.program_from_env(variable, what)
  local program = os.getenv(variable)
  if not program or program == '' then
    io.stderr:write(('%s is not set: it must be the path of %s (cargo xtask e2e sets it)\n'):format(variable, what))
    os.exit(2)
  end
  if vim.fn.executable(program) ~= 1 then
    io.stderr:write(('%s=%s is not an executable file\n'):format(variable, program))
    os.exit(2)
  end
  return program
end

--- Fails the running check with `message`.
function M.fail(message)
  error(message, 0)
end

--- Runs check `name`; prints "ok - name" or "FAIL - name" and the reason.
function M.check(name, body)
  local ok, message = pcall(body)
  if ok then
    print('ok - ' .. name)
    return
  end
  if M.on_failure then
    M.on_failure()
  end
  M.failures = M.failures + 1
  print('FAIL - ' .. name .. '\n  ' .. tostring(message):gsub('\n', '\n  '))
end

--- Waits until `condition()` is true, or fails with `what` after `M.TIMEOUT`.
function M.wait_for(what, condition)
  if not vim.wait(M.TIMEOUT, condition, 20) then
    M.fail(('timed out after %d ms waiting for %s'):format(M.TIMEOUT, what))
  end
end

--- Ends the script: after failures, prints how many and the last 40 lines of `log` (a server's
--- `--log` file, when given) and exits with code 1; otherwise removes `log` and says that every
--- check of `what` passed.
function M.finish(what, log)
  if M.failures > 0 then
    print(('\n%d check(s) failed.'):format(M.failures))
    if log then
      print(('The end of the server log (%s):'):format(log))
      local lines = vim.fn.filereadable(log) == 1 and vim.fn.readfile(log) or {}
      for index = math.max(1, #lines - 40), #lines do
        print('  ' .. lines[index]:sub(1, 400))
      end
    end
    os.exit(1)
  end
  if log then
    os.remove(log)
  end
  print(('\nall %s end-to-end checks passed'):format(what))
end

return M
