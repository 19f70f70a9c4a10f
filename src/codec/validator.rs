//! libxml2 on dedicated threads: well-formedness and XSD validation.
//!
//! libxml2's documents and schema contexts are not `Send`, so each worker
//! thread owns its parsed schema and validation context for its whole life and
//! receives bytes over a channel; only owned results come back. The pool is
//! sized from the cores. A panic inside libxml2's wrapper is caught and turned
//! into an internal-error verdict, and the worker rebuilds its context, so one
//! poison message cannot take the hub down.

use std::os::raw::c_char;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Once};
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, bounded};
use libxml::parser::{Parser, ParserOptions, XmlParseFailure};
use libxml::schemas::{SchemaParserContext, SchemaValidationContext};

use crate::schemas;

/// A diagnostic from libxml2, reduced to what a refusal needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Melding {
    pub regel: Option<u32>,
    pub kolom: Option<u32>,
    pub tekst: String,
}

/// libxml2's verdict on one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Oordeel {
    /// Well-formed and, when asked, valid against the schema.
    Geldig,
    /// Not well-formed XML (T01).
    NietWelgevormd(Vec<Melding>),
    /// Well-formed, but not valid against the schema (T02).
    Ongeldig(Vec<Melding>),
}

#[derive(Debug, thiserror::Error)]
pub enum ValidatorFout {
    #[error("the embedded schema cannot be bundled: {0}")]
    Bundel(#[from] schemas::SchemaFout),
    #[error("the embedded schema does not compile: {0}")]
    Schema(String),
    #[error("the validator threads have stopped")]
    Gestopt,
    #[error("cannot start a validator thread: {0}")]
    Thread(#[from] std::io::Error),
}

struct Taak {
    bytes: Arc<[u8]>,
    met_schema: bool,
    antwoord: Sender<Oordeel>,
}

/// A pool of validator threads; share it through an `Arc`. The threads stop
/// when it is dropped.
pub struct Validator {
    taken: Option<Sender<Taak>>,
    threads: Vec<JoinHandle<()>>,
    /// Documents handed to libxml2 so far (the security tests assert that a
    /// refused construct never gets this far).
    beoordeeld: AtomicU64,
}

/// Refuses every external entity, DTD or schema location libxml2 might try to
/// load. The pre-parse checks already refuse DOCTYPE and XInclude; this makes
/// a hole in them harmless.
unsafe extern "C" fn weiger_externe_entiteit(
    _url: *const c_char,
    _id: *const c_char,
    _ctxt: libxml::bindings::xmlParserCtxtPtr,
) -> libxml::bindings::xmlParserInputPtr {
    std::ptr::null_mut()
}

fn initialiseer_libxml() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        libxml::init_parser();
        // SAFETY: installs a process-wide callback that touches nothing.
        unsafe { libxml::bindings::xmlSetExternalEntityLoader(Some(weiger_externe_entiteit)) };
    });
}

fn naar_melding(e: &libxml::error::StructuredError) -> Melding {
    Melding {
        regel: e.line.and_then(|l| u32::try_from(l).ok()),
        kolom: e.col.and_then(|c| u32::try_from(c).ok()),
        tekst: e
            .message
            .as_deref()
            .unwrap_or("(no message from libxml2)")
            .trim()
            .to_owned(),
    }
}

fn is_fout(e: &libxml::error::StructuredError) -> bool {
    matches!(
        e.level,
        libxml::error::XmlErrorLevel::Error | libxml::error::XmlErrorLevel::Fatal
    )
}

/// Compiles the bundled schema into a validation context.
fn schema_context(bundel: &str) -> Result<SchemaValidationContext, ValidatorFout> {
    initialiseer_libxml();
    let mut parser = SchemaParserContext::from_buffer(bundel);
    SchemaValidationContext::from_parser(&mut parser).map_err(|fouten| {
        ValidatorFout::Schema(
            fouten
                .iter()
                .map(|e| naar_melding(e).tekst)
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}

fn beoordeel(context: &mut SchemaValidationContext, bytes: &[u8], met_schema: bool) -> Oordeel {
    let parser = Parser::default();
    let opties = ParserOptions {
        recover: false,
        no_net: true,
        no_def_dtd: true,
        no_error: true,
        no_warning: true,
        ..ParserOptions::default()
    };
    let (document, meldingen) = match parser.parse_string_with_diagnostics(bytes, opties) {
        Ok(r) => r,
        Err(XmlParseFailure::ParseFailed(meldingen)) => {
            let mut m: Vec<Melding> = meldingen
                .iter()
                .filter(|e| is_fout(e))
                .map(naar_melding)
                .collect();
            if m.is_empty() {
                m.push(Melding {
                    regel: None,
                    kolom: None,
                    tekst: "the document could not be parsed".into(),
                });
            }
            return Oordeel::NietWelgevormd(m);
        }
        Err(andere) => {
            return Oordeel::NietWelgevormd(vec![Melding {
                regel: None,
                kolom: None,
                tekst: format!("the document could not be parsed: {andere:?}"),
            }]);
        }
    };
    // Namespace errors (an undeclared prefix) leave a document but are errors.
    let fouten: Vec<Melding> = meldingen
        .iter()
        .filter(|e| is_fout(e))
        .map(naar_melding)
        .collect();
    if !fouten.is_empty() {
        return Oordeel::NietWelgevormd(fouten);
    }
    if !met_schema {
        return Oordeel::Geldig;
    }
    match context.validate_document(&document) {
        Ok(()) => Oordeel::Geldig,
        Err(fouten) => {
            let m: Vec<Melding> = fouten
                .iter()
                .filter(|e| is_fout(e))
                .map(naar_melding)
                .collect();
            if m.is_empty() {
                Oordeel::Geldig
            } else {
                Oordeel::Ongeldig(m)
            }
        }
    }
}

fn werker(bundel: Arc<str>, taken: Receiver<Taak>, klaar: Sender<Result<(), ValidatorFout>>) {
    let mut context = match schema_context(&bundel) {
        Ok(c) => {
            let _ = klaar.send(Ok(()));
            c
        }
        Err(e) => {
            let _ = klaar.send(Err(e));
            return;
        }
    };
    drop(klaar);
    for taak in taken {
        let oordeel = catch_unwind(AssertUnwindSafe(|| {
            beoordeel(&mut context, &taak.bytes, taak.met_schema)
        }));
        let oordeel = match oordeel {
            Ok(o) => o,
            Err(_) => {
                // The context may be in any state after a panic: start afresh.
                if let Ok(c) = schema_context(&bundel) {
                    context = c;
                }
                Oordeel::Ongeldig(vec![Melding {
                    regel: None,
                    kolom: None,
                    tekst: "the schema validator failed on this document (internal error)".into(),
                }])
            }
        };
        let _ = taak.antwoord.send(oordeel);
    }
}

impl Validator {
    /// Starts one validator thread per core.
    pub fn start() -> Result<Validator, ValidatorFout> {
        let n = std::thread::available_parallelism().map_or(2, |n| n.get());
        Validator::met_threads(n)
    }

    /// Starts `n` validator threads (at least one), each compiling the schema once.
    pub fn met_threads(n: usize) -> Result<Validator, ValidatorFout> {
        let n = n.max(1);
        let bundel: Arc<str> = schemas::gebundeld()?.into();
        let (tx, rx) = bounded::<Taak>(n * 4);
        let (klaar_tx, klaar_rx) = bounded(n);
        let mut threads = Vec::with_capacity(n);
        for i in 0..n {
            let bundel = Arc::clone(&bundel);
            let rx = rx.clone();
            let klaar = klaar_tx.clone();
            threads.push(
                std::thread::Builder::new()
                    .name(format!("validator-{i}"))
                    .spawn(move || werker(bundel, rx, klaar))?,
            );
        }
        drop(klaar_tx);
        for _ in 0..n {
            klaar_rx.recv().map_err(|_| ValidatorFout::Gestopt)??;
        }
        Ok(Validator {
            taken: Some(tx),
            threads,
            beoordeeld: AtomicU64::new(0),
        })
    }

    /// Parses `bytes` and, when `met_schema`, validates it. Blocks until a
    /// worker has answered.
    pub fn beoordeel(&self, bytes: Arc<[u8]>, met_schema: bool) -> Result<Oordeel, ValidatorFout> {
        let (antwoord, ontvang) = bounded(1);
        self.beoordeeld.fetch_add(1, Ordering::Relaxed);
        self.taken
            .as_ref()
            .ok_or(ValidatorFout::Gestopt)?
            .send(Taak {
                bytes,
                met_schema,
                antwoord,
            })
            .map_err(|_| ValidatorFout::Gestopt)?;
        ontvang.recv().map_err(|_| ValidatorFout::Gestopt)
    }

    pub fn threads(&self) -> usize {
        self.threads.len()
    }

    /// How many documents were handed to libxml2.
    pub fn beoordeeld(&self) -> u64 {
        self.beoordeeld.load(Ordering::Relaxed)
    }
}

impl Drop for Validator {
    fn drop(&mut self) {
        self.taken.take();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}
