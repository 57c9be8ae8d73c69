-- Neovim's own LSP client against `sslc lsp`, through this folder's configuration: run by
-- scripts/editors-check.sh as
--   nvim --headless --clean --cmd 'set rtp^=editors/nvim' --cmd "let g:sslc_path='…'" \
--     -c 'luafile editors/nvim/test/client.lua' editors/nvim/test/planted.ssl
-- It checks the planted error's range and text, a hover's type and a completion list, prints
-- what it saw, and exits non-zero on the first thing that is not so.
local function fail(msg)
  io.stderr:write('editor test failed: ' .. msg .. '\n')
  vim.cmd('cquit 1')
end

local function say(line)
  io.stdout:write(line .. '\n')
end

local function run()
  local buf = vim.api.nvim_get_current_buf()
  if vim.bo[buf].filetype ~= 'ssl' then
    return fail('the recipe was not detected as ssl (filetype "' .. vim.bo[buf].filetype .. '")')
  end
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local function find(pattern)
    for i, l in ipairs(lines) do
      local col = l:find(pattern, 1, true)
      if col then
        return i - 1, col - 1
      end
    end
    fail('no line holds ' .. pattern)
  end

  -- The diagnostic of the planted error: on `z3`, an error, saying what `sslc check` says.
  if not vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 50) then
    return fail('no diagnostics within 20 s')
  end
  local d = vim.diagnostic.get(buf)[1]
  local line, col = find('sg(z3)')
  col = col + 3
  if d.lnum ~= line or d.col ~= col or d.end_col ~= col + 2 then
    return fail(('diagnostic at %d:%d-%d, expected %d:%d-%d'):format(d.lnum, d.col, d.end_col, line, col, col + 2))
  end
  if d.severity ~= vim.diagnostic.severity.ERROR or not d.message:find('`z3` is not defined', 1, true) then
    return fail('diagnostic: ' .. vim.inspect(d))
  end
  say(('diagnostic %d:%d %s'):format(d.lnum, d.col, d.message:gsub('\n.*', '')))

  local uri = vim.uri_from_bufnr(buf)
  local function request(method, l, c)
    local params = { textDocument = { uri = uri }, position = { line = l, character = c } }
    local answers, err = vim.lsp.buf_request_sync(buf, method, params, 10000)
    if not answers then
      fail(method .. ': ' .. tostring(err))
    end
    for _, a in pairs(answers) do
      if a.err then
        fail(method .. ': ' .. vim.inspect(a.err))
      end
      return a.result
    end
    fail(method .. ': no answer')
  end

  -- Hover on `z1`: its type.
  local z1 = find('let z1')
  local hover = request('textDocument/hover', z1, 5)
  local text = hover and hover.contents and hover.contents.value or ''
  if not text:find('vector[64]', 1, true) then
    return fail('hover on z1: ' .. vim.inspect(hover))
  end
  say('hover ' .. text:gsub('\n.*', ''))

  -- Completion just inside `vit(`: the ViT's parameters, each inserted with its colon.
  local net, at = find('vit(')
  local items = request('textDocument/completion', net, at + 4)
  items = items and (items.items or items) or {}
  local labels = {}
  for _, item in ipairs(items) do
    labels[item.label] = item.insertText or item.label
  end
  for _, want in ipairs({ 'patch', 'dim', 'depth', 'heads' }) do
    if labels[want] ~= want .. ': ' then
      return fail('completion inside vit( lacks ' .. want)
    end
  end
  if not labels['random_resized_crop'] or not labels['z2'] then
    return fail('completion lacks the built-ins or the recipe\'s names')
  end
  say(('completion %d items'):format(#items))
  vim.cmd('qall!')
end

local ok, err = pcall(run)
if not ok then
  fail(tostring(err))
end
