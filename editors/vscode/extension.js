// The sslc extension: starts `sslc lsp` (the binary named by the `sslc.path` setting) for .ssl
// recipes; highlighting comes from the TextMate grammar in syntaxes/.
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function activate() {
  const command = vscode.workspace.getConfiguration('sslc').get('path') || 'sslc';
  const server = { command, args: ['lsp'] };
  client = new LanguageClient('sslc', 'sslc', server, {
    documentSelector: [{ language: 'ssl' }],
  });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
