//! `sslc lsp`: a language server over stdio (the `lsp-server` crate, rust-analyzer's own
//! transport, with `lsp-types`: synchronous, no async runtime to carry for a server whose every
//! answer is one compile of one small file). It keeps each open recipe's text and answers from
//! the compiler: diagnostics as the text changes, hover, completion, go to definition,
//! references, rename, document symbols, semantic tokens and formatting. A request that fails
//! inside is answered with an error, never by ending the server.

mod analysis;
mod context;
mod names;
mod params;
mod text;
mod tokens;

use std::collections::HashMap;
use std::process::ExitCode;

use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest, References, Rename, Request as _,
    SemanticTokensFullRequest,
};
use lsp_types::{
    CompletionResponse, DocumentSymbolResponse, GotoDefinitionResponse, Hover, HoverContents, HoverProviderCapability,
    Location, MarkupContent, MarkupKind, OneOf, Position, PublishDiagnosticsParams, Range, ServerCapabilities,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit, Uri, WorkspaceEdit,
};
use serde_json::Value;

use text::Lines;

/// Serves one client on stdin and stdout until it shuts the server down.
pub fn run() -> ExitCode {
    let (connection, threads) = Connection::stdio();
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        completion_provider: Some(lsp_types::CompletionOptions::default()),
        definition_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        references_provider: Some(OneOf::Left(true)),
        rename_provider: Some(OneOf::Left(true)),
        semantic_tokens_provider: Some(
            lsp_types::SemanticTokensOptions {
                legend: tokens::legend(),
                full: Some(lsp_types::SemanticTokensFullOptions::Bool(true)),
                ..lsp_types::SemanticTokensOptions::default()
            }
            .into(),
        ),
        ..ServerCapabilities::default()
    };
    let caps = serde_json::to_value(capabilities).unwrap_or(Value::Null);
    if let Err(e) = connection.initialize(caps) {
        eprintln!("error: the client did not initialise the server: {e}");
        return ExitCode::FAILURE;
    }
    let mut server = Server {
        connection: &connection,
        docs: HashMap::new(),
        counts: params::Counts::default(),
    };
    let ended = server.serve();
    drop(connection);
    let _ = threads.join();
    match ended {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

struct Server<'c> {
    connection: &'c Connection,
    /// The open documents' texts.
    docs: HashMap<String, (Uri, String)>,
    /// Networks' parameter counts made for hovers.
    counts: params::Counts,
}

impl Server<'_> {
    fn serve(&mut self) -> Result<(), String> {
        for message in &self.connection.receiver {
            match message {
                Message::Request(req) => {
                    if self.connection.handle_shutdown(&req).map_err(|e| e.to_string())? {
                        return Ok(());
                    }
                    let id = req.id.clone();
                    let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.answer(req)));
                    let response = match answer {
                        Ok(Ok(result)) => Response::new_ok(id, result),
                        Ok(Err(why)) => Response::new_err(id, lsp_server::ErrorCode::InvalidParams as i32, why),
                        Err(_) => Response::new_err(
                            id,
                            lsp_server::ErrorCode::InternalError as i32,
                            "sslc failed on this request (a bug of sslc)".into(),
                        ),
                    };
                    self.send(Message::Response(response))?;
                }
                Message::Notification(n) => self.notified(n)?,
                Message::Response(_) => {}
            }
        }
        Ok(())
    }

    fn send(&self, m: Message) -> Result<(), String> {
        self.connection.sender.send(m).map_err(|e| e.to_string())
    }

    /// The document a request names: its address and text.
    fn document(&self, params: &Value) -> Result<(&Uri, &str), String> {
        let uri = params
            .pointer("/textDocument/uri")
            .and_then(Value::as_str)
            .ok_or("no textDocument.uri")?;
        let (uri, text) = self.docs.get(uri).ok_or_else(|| format!("{uri} is not open"))?;
        Ok((uri, text))
    }

    fn answer(&self, req: Request) -> Result<Value, String> {
        let (uri, text) = self.document(&req.params)?;
        let lines = Lines::new(text);
        // The byte offset of the request's position, if it has one.
        let offset = req
            .params
            .get("position")
            .and_then(|p| serde_json::from_value::<Position>(p.clone()).ok())
            .map(|p| lines.offset(p));
        let at = || offset.ok_or("no position");
        let value = match req.method.as_str() {
            HoverRequest::METHOD => {
                serde_json::to_value(analysis::hover(text, at()?, |n| self.counts.of(n)).map(|md| Hover {
                    contents: HoverContents::Markup(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value: md,
                    }),
                    range: None,
                }))
            }
            Completion::METHOD => serde_json::to_value(CompletionResponse::Array(analysis::completion(text, at()?))),
            GotoDefinition::METHOD => serde_json::to_value(
                analysis::definition(text, at()?)
                    .map(|s| GotoDefinitionResponse::Scalar(Location::new(uri.clone(), lines.range(s)))),
            ),
            DocumentSymbolRequest::METHOD => {
                serde_json::to_value(DocumentSymbolResponse::Nested(analysis::symbols(text)))
            }
            Formatting::METHOD => serde_json::to_value(sslc_compiler::syntax::format(text).ok().map(|formatted| {
                let whole = Range::new(Position::new(0, 0), lines.position(text.len()));
                vec![TextEdit::new(whole, formatted)]
            })),
            References::METHOD => serde_json::to_value(names::occurrences(text, at()?).map(|(_, spans)| {
                spans
                    .into_iter()
                    .map(|s| Location::new(uri.clone(), lines.range(s)))
                    .collect::<Vec<_>>()
            })),
            Rename::METHOD => {
                let new = req.params.get("newName").and_then(Value::as_str).ok_or("no newName")?;
                if !names::is_name(new) {
                    return Err(format!("`{new}` cannot name a declaration"));
                }
                let Some((_, spans)) = names::occurrences(text, at()?) else {
                    return Ok(Value::Null);
                };
                if analysis::definition_of(text, new).is_some() {
                    return Err(format!("`{new}` is declared already"));
                }
                let edits: Vec<TextEdit> = spans
                    .into_iter()
                    .map(|s| TextEdit::new(lines.range(s), new.to_string()))
                    .collect();
                // lsp-types keys a workspace edit by `Uri`, which caches its parts inside.
                #[allow(clippy::mutable_key_type)]
                let changes = HashMap::from([(uri.clone(), edits)]);
                serde_json::to_value(WorkspaceEdit::new(changes))
            }
            SemanticTokensFullRequest::METHOD => serde_json::to_value(lsp_types::SemanticTokens {
                result_id: None,
                data: tokens::tokens(text),
            }),
            other => return Err(format!("sslc does not answer `{other}`")),
        };
        value.map_err(|e| e.to_string())
    }

    fn notified(&mut self, n: Notification) -> Result<(), String> {
        let params = &n.params;
        let uri = params
            .pointer("/textDocument/uri")
            .and_then(Value::as_str)
            .map(str::to_string);
        let Some(uri) = uri else {
            return Ok(());
        };
        let text = match n.method.as_str() {
            DidOpenTextDocument::METHOD => params.pointer("/textDocument/text"),
            // Full sync: the last change holds the whole text.
            DidChangeTextDocument::METHOD => params
                .pointer("/contentChanges")
                .and_then(Value::as_array)
                .and_then(|c| c.last())
                .and_then(|c| c.get("text")),
            DidCloseTextDocument::METHOD => {
                self.docs.remove(&uri);
                return Ok(());
            }
            _ => return Ok(()),
        };
        let (Some(text), Ok(parsed)) = (text.and_then(Value::as_str), uri.parse::<Uri>()) else {
            return Ok(());
        };
        let diagnostics =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| analysis::diagnostics(&parsed, text)))
                .unwrap_or_default();
        self.docs.insert(uri, (parsed.clone(), text.to_string()));
        let publish = PublishDiagnosticsParams::new(parsed, diagnostics, None);
        self.send(Message::Notification(Notification::new(
            PublishDiagnostics::METHOD.to_string(),
            publish,
        )))
    }
}
