-- jixiao policies (.jx) in Neovim: the filetype, and `jixiao lsp` as their language server
-- (diagnostics as you type, hover, go to definition, references, completion, outline,
-- formatting, quick fixes, rename). Copy to ~/.config/nvim/plugin/jixiao.lua; docs/editor.md.
-- Settings (before this file runs): vim.g.jixiao_path = '/path/to/jixiao', vim.g.jixiao_lang = 'en'.
-- Works with Neovim 0.7 (Debian 12) and later.
vim.api.nvim_create_autocmd({ 'BufRead', 'BufNewFile' }, { pattern = '*.jx', command = 'setfiletype jixiao' })

local client_id -- Neovim 0.7: one client, attached to every jixiao buffer

vim.api.nvim_create_autocmd('FileType', {
  pattern = 'jixiao',
  callback = function(args)
    local lang = vim.g.jixiao_lang or 'zh'
    local config = {
      name = 'jixiao',
      cmd = { vim.g.jixiao_path or 'jixiao', 'lsp', '--lang', lang },
      root_dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(args.buf), ':p:h'),
      init_options = { lang = lang },
    }
    if vim.lsp.start then -- Neovim 0.8 and later
      vim.lsp.start(config, { bufnr = args.buf })
      return
    end
    if not client_id or vim.lsp.client_is_stopped(client_id) then client_id = vim.lsp.start_client(config) end
    if client_id then vim.lsp.buf_attach_client(args.buf, client_id) end
  end,
})
