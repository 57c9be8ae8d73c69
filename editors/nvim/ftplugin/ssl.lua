-- sslc recipes: `#` comments, and `sslc lsp` attached to the buffer (diagnostics as you type,
-- hover, completion, go to definition, references, rename, symbols, formatting).
-- `vim.g.sslc_path` names the binary where `sslc` is not on PATH.
vim.bo.commentstring = '# %s'
vim.bo.comments = ':#'

local cmd = { vim.g.sslc_path or 'sslc', 'lsp' }
local root = vim.fn.expand('%:p:h')
if vim.lsp.start then
  -- Neovim 0.8 and later: one client per root, reused by every recipe under it.
  vim.lsp.start({ name = 'sslc', cmd = cmd, root_dir = root })
else
  -- Neovim 0.7: one client for the session, attached to each recipe opened.
  local client = vim.g.sslc_client_id and vim.lsp.get_client_by_id(vim.g.sslc_client_id)
  if not client then
    vim.g.sslc_client_id = vim.lsp.start_client({ name = 'sslc', cmd = cmd, root_dir = root })
  end
  if vim.g.sslc_client_id then
    vim.lsp.buf_attach_client(0, vim.g.sslc_client_id)
  end
end
