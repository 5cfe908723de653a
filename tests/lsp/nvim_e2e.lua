-- End-to-end test of `jixiao lsp` with a real client: Neovim's built-in LSP client (Debian 12's
-- Neovim 0.7: vim.lsp.start_client + vim.lsp.buf_attach_client; vim.lsp.start arrived in 0.8).
-- Run: JIXIAO=... POLICY=... RESULT=... nvim --headless --clean -u nvim_e2e.lua
-- Opens a policy with an error, waits for the diagnostic, then asks for hover, definition,
-- completion and formatting; writes what came back to RESULT and exits 1 on the first failure.
local jixiao = os.getenv('JIXIAO')
local policy = os.getenv('POLICY')
local result_path = os.getenv('RESULT')
local lines = {}

local function finish(ok, why)
  if not ok then table.insert(lines, 'FAIL ' .. why) end
  local f = io.open(result_path, 'w')
  f:write(table.concat(lines, '\n') .. '\n')
  f:close()
  if ok then vim.cmd('qall!') else vim.cmd('cquit! 1') end
end

local function expect(cond, what, got)
  if not cond then finish(false, what .. ': ' .. vim.inspect(got)) error('stop') end
  table.insert(lines, 'ok   ' .. what)
end

local function run()
  vim.cmd('edit ' .. vim.fn.fnameescape(policy))
  local buf = vim.api.nvim_get_current_buf()
  local client_id = vim.lsp.start_client({
    name = 'jixiao',
    cmd = { jixiao, 'lsp' },
    root_dir = vim.fn.fnamemodify(policy, ':h'),
    init_options = { lang = 'zh' },
  })
  expect(client_id ~= nil, 'the server starts', client_id)
  vim.lsp.buf_attach_client(buf, client_id)

  -- The diagnostic of the unknown name.
  local got = vim.wait(5000, function() return #vim.diagnostic.get(buf) > 0 end, 20)
  local diags = vim.diagnostic.get(buf)
  expect(got and diags[1].code == 'unknown-name', 'diagnostic unknown-name', diags)
  -- Neovim turns the server's UTF-16 columns into byte columns: `  核心层    100% = ` is 22 bytes,
  -- and the name is 5 characters of 3 bytes.
  expect(diags[1].lnum == 9 and diags[1].col == 22 and diags[1].end_col == 37, 'diagnostic position', diags[1])
  expect(diags[1].message:find('服务质量评分', 1, true) ~= nil, 'diagnostic message in Chinese with the hint', diags[1].message)

  local uri = vim.uri_from_bufnr(buf)
  local function request(method, line, character)
    local params = { textDocument = { uri = uri }, position = { line = line, character = character } }
    local answers = vim.lsp.buf_request_sync(buf, method, params, 5000)
    return answers and answers[client_id] and answers[client_id].result
  end

  -- Hover on the input's declaration (line 6: `  服务质量评分 : score 0..100`).
  local hover = request('textDocument/hover', 5, 3)
  expect(hover and hover.contents.value:find('输入项 `服务质量评分`', 1, true), 'hover on an input', hover)
  expect(hover.contents.value:find('[0, 100]', 1, true) ~= nil, 'hover shows the range', hover.contents.value)

  -- Definition of `总分` in the output list (last line) → `indicator 总分` (line 9).
  local def = request('textDocument/definition', 12, 13)
  expect(def and def[1] and def[1].range.start.line == 8, 'definition of 总分', def)

  -- Completion inside the indicator.
  local completion = request('textDocument/completion', 9, 14)
  local labels = {}
  for _, item in ipairs(completion and completion.items or {}) do labels[item.label] = item end
  expect(labels['服务质量评分'] ~= nil and labels['ratio'] ~= nil, 'completion offers the input and functions', vim.tbl_keys(labels))

  -- Formatting: the buffer becomes what `jixiao fmt` writes.
  local answers = vim.lsp.buf_request_sync(buf, 'textDocument/formatting',
    { textDocument = { uri = uri }, options = { tabSize = 2, insertSpaces = true } }, 5000)
  local edits = answers and answers[client_id] and answers[client_id].result
  expect(edits and #edits == 1, 'formatting edits', edits)
  vim.lsp.util.apply_text_edits(edits, buf, 'utf-16')
  local want = vim.fn.system({ jixiao, 'fmt', '--stdout', policy })
  local have = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n'
  expect(have == want, 'formatted as jixiao fmt', have)

  vim.lsp.stop_client(client_id)
  finish(true)
end

local ok, err = pcall(run)
if not ok and err ~= nil and not tostring(err):find('stop') then finish(false, tostring(err)) end
