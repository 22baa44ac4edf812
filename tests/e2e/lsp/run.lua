-- End-to-end test of vitte-lsp driven by a real editor: Neovim 0.11, headless.
--
--   VITTE_LSP=/path/to/vitte-lsp nvim --headless --clean -u NONE -l tests/e2e/lsp/run.lua
--
-- Neovim is set up as docs/lsp.md tells users to (vim.filetype.add, vim.lsp.config, vim.lsp.enable),
-- then opens the programs of programs/ and checks what a user would see: diagnostics, hover text,
-- where "go to definition" lands, and diagnostics following edits of the buffer. Every check prints
-- "ok - NAME" when it passes; a failing one prints "FAIL - NAME" with the reason and the end of the
-- server's log, and the script exits with code 1. Waits are vim.wait with generous timeouts: these
-- are correctness tests, not timing tests. The programs are never written to disk.

local here = vim.fs.dirname(vim.fs.normalize(vim.fn.fnamemodify(arg[0], ':p')))
local harness = dofile(vim.fs.joinpath(here, '..', 'harness.lua'))
local TIMEOUT = harness.TIMEOUT
local fail, check, wait_for = harness.fail, harness.check, harness.wait_for

local server = harness.program_from_env('VITTE_LSP', 'the vitte-lsp binary')
local programs = vim.fs.joinpath(here, 'programs')
local server_log = vim.fn.tempname() .. '-vitte-lsp.log'

-- What the server published, per URI: how many times, and the last message's diagnostics.
local published = {}
-- Exit code and signal of each client's server process, by client id.
local exits = {}

vim.o.swapfile = false -- the buffers are edited, and nothing may be written next to the programs
vim.cmd('filetype on')
vim.filetype.add({ extension = { vit = 'vitte' } })
vim.lsp.config('vitte_lsp', {
  cmd = { server, '--log', server_log },
  filetypes = { 'vitte' },
  root_dir = programs,
  handlers = {
    ['textDocument/publishDiagnostics'] = function(err, result, ctx)
      local entry = published[result.uri] or { count = 0 }
      entry.count = entry.count + 1
      entry.diagnostics = result.diagnostics
      entry.version = result.version
      published[result.uri] = entry
      return vim.lsp.diagnostic.on_publish_diagnostics(err, result, ctx)
    end,
  },
  on_exit = function(code, signal, client_id)
    exits[client_id] = { code = code, signal = signal }
  end,
})
vim.lsp.enable('vitte_lsp')

---------------------------------------------------------------------------------------------------
-- Helpers

--- After a failed check, puts back the text of every buffer that was edited, so that the following
--- checks start from the programs as they are on disk.
local function restore_buffers()
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].modified then
      local name = vim.api.nvim_buf_get_name(buf)
      vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.fn.readfile(name))
      vim.bo[buf].modified = false
    end
  end
end

harness.on_failure = restore_buffers

local function path_of(name)
  return vim.fs.joinpath(programs, name)
end

--- Opens program `name` in the current window and gives its buffer, once the client is attached.
local function open(name)
  vim.cmd.edit(vim.fn.fnameescape(path_of(name)))
  local buf = vim.api.nvim_get_current_buf()
  if vim.bo[buf].filetype ~= 'vitte' then
    fail(('%s opened with filetype %q, not "vitte"'):format(name, vim.bo[buf].filetype))
  end
  wait_for('the client to attach to ' .. name, function()
    return #vim.lsp.get_clients({ bufnr = buf, name = 'vitte_lsp' }) == 1
  end)
  return buf
end

--- The 0-based line and column of the `nth` (default 1) occurrence of `needle` in buffer `buf`,
--- plus `offset` columns. The programs are ASCII, so byte and UTF-16 columns agree.
local function find(buf, needle, nth, offset)
  nth = nth or 1
  local seen = 0
  for index, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local from = 1
    while true do
      local start = line:find(needle, from, true)
      if not start then
        break
      end
      seen = seen + 1
      if seen == nth then
        return index - 1, start - 1 + (offset or 0)
      end
      from = start + 1
    end
  end
  fail(('%q (occurrence %d) is not in %s'):format(needle, nth, vim.api.nvim_buf_get_name(buf)))
end

--- The 0-based line of the first line of file `name` on disk containing `needle`.
local function line_in_file(name, needle)
  for index, line in ipairs(vim.fn.readfile(path_of(name))) do
    if line:find(needle, 1, true) then
      return index - 1
    end
  end
  fail(('%q is not in %s'):format(needle, name))
end

--- Sends request `method` for position (line, col) of `buf` and gives the server's result.
local function request(buf, method, line, col)
  local params = {
    textDocument = { uri = vim.uri_from_bufnr(buf) },
    position = { line = line, character = col },
  }
  local responses, err = vim.lsp.buf_request_sync(buf, method, params, TIMEOUT)
  if not responses then
    fail(('%s: no response (%s)'):format(method, tostring(err)))
  end
  local _, response = next(responses)
  if not response then
    fail(method .. ': no client answered')
  end
  if response.err then
    fail(('%s: error %s'):format(method, vim.inspect(response.err)))
  end
  return response.result
end

--- The hover text at the `nth` occurrence of `needle` (plus `offset` columns).
local function hover_text(buf, needle, nth, offset)
  local line, col = find(buf, needle, nth, offset)
  local result = request(buf, 'textDocument/hover', line, col)
  if result == nil or result == vim.NIL then
    fail(('no hover at %q (%d:%d)'):format(needle, line + 1, col + 1))
  end
  local contents = result.contents
  if type(contents) == 'table' and contents.value then
    return contents.value
  end
  return vim.inspect(contents)
end

local function expect_contains(text, wanted, what)
  if not text:find(wanted, 1, true) then
    fail(('%s: expected to contain %q, got:\n%s'):format(what, wanted, text))
  end
end

--- The definitions at `needle` as { path = …, line = …, col = … } (0-based), from any result shape.
local function definitions(buf, needle, nth, offset)
  local line, col = find(buf, needle, nth, offset)
  local result = request(buf, 'textDocument/definition', line, col)
  if result == nil or result == vim.NIL then
    return {}
  end
  if result.uri or result.targetUri then
    result = { result }
  end
  local found = {}
  for _, location in ipairs(result) do
    local uri = location.uri or location.targetUri
    local range = location.range or location.targetSelectionRange
    table.insert(found, {
      path = vim.fs.normalize(vim.uri_to_fname(uri)),
      line = range.start.line,
      col = range.start.character,
    })
  end
  return found
end

local function expect_definition(buf, needle, nth, offset, file, decl_needle, decl_offset)
  local found = definitions(buf, needle, nth, offset)
  if #found ~= 1 then
    fail(('expected one definition at %q, got %s'):format(needle, vim.inspect(found)))
  end
  local want_line = line_in_file(file, decl_needle)
  local want_col = vim.fn.readfile(path_of(file))[want_line + 1]:find(decl_needle, 1, true) - 1 + (decl_offset or 0)
  local got = found[1]
  if got.path ~= vim.fs.normalize(path_of(file)) or got.line ~= want_line or got.col ~= want_col then
    fail(('definition at %q: expected %s:%d:%d, got %s:%d:%d'):format(
      needle, file, want_line + 1, want_col + 1, vim.fs.basename(got.path), got.line + 1, got.col + 1))
  end
end

--- Waits for a publishDiagnostics for `buf` after `count` earlier ones, then for vim.diagnostic to
--- satisfy `ready` (Neovim may hold diagnostics of an older version back, so both are waited for).
local function wait_diagnostics(buf, count, what, ready)
  local uri = vim.uri_from_bufnr(buf)
  wait_for(what, function()
    local entry = published[uri]
    return entry ~= nil and entry.count > count and ready(vim.diagnostic.get(buf))
  end)
  return vim.diagnostic.get(buf)
end

local function published_count(buf)
  local entry = published[vim.uri_from_bufnr(buf)]
  return entry and entry.count or 0
end

local function describe(diagnostics)
  local lines = {}
  for _, d in ipairs(diagnostics) do
    table.insert(lines, ('%d:%d %s'):format(d.lnum + 1, d.col + 1, d.message))
  end
  return table.concat(lines, '\n')
end

local function has_error(diagnostics, line, message)
  for _, d in ipairs(diagnostics) do
    if d.lnum == line and d.severity == vim.diagnostic.severity.ERROR and d.message:find(message, 1, true) then
      return true
    end
  end
  return false
end

---------------------------------------------------------------------------------------------------
-- The checks

print(('Neovim %s, server %s'):format(tostring(vim.version()), server))

local main, clean_count

check('the server starts and attaches to main.vit', function()
  main = open('main.vit')
  local client = vim.lsp.get_clients({ bufnr = main, name = 'vitte_lsp' })[1]
  wait_for('initialize to complete', function()
    return client.initialized
  end)
  if not client.server_capabilities.hoverProvider or not client.server_capabilities.definitionProvider then
    fail('hover and definition are not advertised: ' .. vim.inspect(client.server_capabilities))
  end
end)

if not main then
  print(('\n%d check(s) failed; the server log is %s'):format(harness.failures, server_log))
  os.exit(1)
end

check('no diagnostics for a clean file (main.vit)', function()
  local diagnostics = wait_diagnostics(main, 0, 'diagnostics of main.vit', function()
    return true
  end)
  if #diagnostics ~= 0 then
    fail('expected none, got:\n' .. describe(diagnostics))
  end
  clean_count = published_count(main)
end)

check('diagnostics for a type error (type_error.vit)', function()
  local buf = open('type_error.vit')
  local line = line_in_file('type_error.vit', 'let name: string = count;')
  local diagnostics = wait_diagnostics(buf, 0, 'diagnostics of type_error.vit', function(d)
    return #d > 0
  end)
  if #diagnostics ~= 1 or not has_error(diagnostics, line, 'expected string, found int') then
    fail(('expected one error "expected string, found int" on line %d, got:\n%s'):format(line + 1, describe(diagnostics)))
  end
  local _, col = find(buf, 'count;')
  if diagnostics[1].col ~= col then
    fail(('the error starts at column %d, expected %d'):format(diagnostics[1].col + 1, col + 1))
  end
  vim.cmd.buffer(main)
end)

check('hover on a call shows the signature and the doc comment', function()
  local text = hover_text(main, 'area(2.0)', 1, 1)
  expect_contains(text, 'proc area(r: float) -> float', 'hover on area')
  expect_contains(text, 'Area of a circle of radius `r`.', 'hover on area')
end)

check('hover on a local shows its inferred type', function()
  expect_contains(hover_text(main, 'print(total)', 1, 7), 'let mut total: int', 'hover on total')
end)

check('hover on a member of a used file shows its signature and doc', function()
  local text = hover_text(main, 'g.length(p)', 1, 3)
  expect_contains(text, 'proc g.length(p: Point) -> float', 'hover on g.length')
  expect_contains(text, 'Distance of `p` from the origin.', 'hover on g.length')
end)

check('definition of a proc in the same file', function()
  expect_definition(main, 'area(2.0)', 1, 0, 'main.vit', 'area(r', 0)
end)

check('definition of a local', function()
  expect_definition(main, 'print(total)', 1, 6, 'main.vit', 'total = 0', 0)
end)

check('definition across a `use`: a proc and a form of geometry.vit', function()
  expect_definition(main, 'g.length(p)', 1, 2, 'geometry.vit', 'length(p: Point)', 0)
  expect_definition(main, 'g.Point {', 1, 2, 'geometry.vit', 'Point {', 0)
end)

check('go to definition (vim.lsp.buf.definition) opens geometry.vit at `length`', function()
  local line, col = find(main, 'g.length(p)', 1, 4)
  vim.api.nvim_win_set_cursor(0, { line + 1, col })
  vim.lsp.buf.definition()
  local target = vim.fs.normalize(path_of('geometry.vit'))
  wait_for('the jump to geometry.vit', function()
    return vim.fs.normalize(vim.api.nvim_buf_get_name(0)) == target
  end)
  local cursor = vim.api.nvim_win_get_cursor(0)
  local want = line_in_file('geometry.vit', 'proc length')
  if cursor[1] - 1 ~= want then
    fail(('the cursor is on line %d of geometry.vit, expected %d'):format(cursor[1], want + 1))
  end
  vim.cmd.buffer(main)
end)

check('an edit that introduces an error publishes it; fixing it clears it', function()
  local line = line_in_file('main.vit', 'print(total);')
  local original = vim.api.nvim_buf_get_lines(main, line, line + 1, false)[1]
  local before = published_count(main)
  vim.api.nvim_buf_set_lines(main, line, line + 1, false, { '    print(totl);' })
  local diagnostics = wait_diagnostics(main, before, 'the diagnostic of the edit', function(d)
    return #d > 0
  end)
  if not has_error(diagnostics, line, "unknown name 'totl'") then
    fail(("expected \"unknown name 'totl'\" on line %d, got:\n%s"):format(line + 1, describe(diagnostics)))
  end

  before = published_count(main)
  vim.api.nvim_buf_set_lines(main, line, line + 1, false, { original })
  wait_diagnostics(main, before, 'the diagnostics to clear after the fix', function(d)
    return #d == 0
  end)
end)

check('a type error typed into the buffer, then undone', function()
  local line = line_in_file('main.vit', 'let mut total = 0;')
  local before = published_count(main)
  -- Replace only the `0` (a range edit of one character), as typing would.
  local _, col = find(main, 'total = 0', 1, 8)
  vim.api.nvim_buf_set_text(main, line, col, line, col + 1, { '"zero"' })
  local diagnostics = wait_diagnostics(main, before, 'the type error of the edit', function(d)
    return #d > 0
  end)
  local use_line = line_in_file('main.vit', 'set total += i;')
  if not has_error(diagnostics, use_line, "cannot apply '+' to string and int") then
    fail(("expected \"cannot apply '+' to string and int\" on line %d, got:\n%s"):format(use_line + 1, describe(diagnostics)))
  end
  before = published_count(main)
  vim.api.nvim_buf_set_text(main, line, col, line, col + 6, { '0' })
  wait_diagnostics(main, before, 'the diagnostics to clear after the undo', function(d)
    return #d == 0
  end)
  local text = table.concat(vim.api.nvim_buf_get_lines(main, 0, -1, false), '\n') .. '\n'
  if text ~= table.concat(vim.fn.readfile(path_of('main.vit')), '\n') .. '\n' then
    fail('the buffer does not match main.vit after undoing the edits')
  end
end)

check('hover still works after the edits', function()
  expect_contains(hover_text(main, 'print(total)', 1, 7), 'let mut total: int', 'hover on total')
end)

check('the server shuts down cleanly', function()
  local clients = vim.lsp.get_clients({ name = 'vitte_lsp' })
  if #clients ~= 1 then
    fail(('expected one vitte_lsp client for all the files, got %d'):format(#clients))
  end
  local client = clients[1]
  client:stop()
  wait_for('the server to exit', function()
    return exits[client.id] ~= nil
  end)
  local exit = exits[client.id]
  if exit.code ~= 0 or exit.signal ~= 0 then
    fail(('the server exited with code %d, signal %d'):format(exit.code, exit.signal))
  end
end)

harness.finish('vitte-lsp', server_log)
