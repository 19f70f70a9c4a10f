//! Directory mailboxes: `<root>/<code>/in` and `<root>/<code>/out`.
//!
//! A participant writes a message under a temporary name and renames it to
//! `*.xml`; only `*.xml` names that do not start with a dot are read, so a
//! half-written file never is. A processed file moves to `in/.done/`. The hub
//! writes its answers the same way: `out/.<BerichtId>.xml.tmp`, renamed to
//! `out/<BerichtId>.xml`, and one `syncfs` per batch before the outbox marks
//! them sent. Writing an answer twice (after a crash before it was marked
//! sent) gives the same file.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::bericht::Deelnemercode;

/// The mailbox folders of every participant.
#[derive(Debug, Clone)]
pub struct Mappen {
    root: PathBuf,
    codes: Vec<Deelnemercode>,
}

/// A file waiting in an `in` folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binnen {
    pub mailbox: Deelnemercode,
    pub naam: String,
    pub pad: PathBuf,
    gewijzigd: SystemTime,
}

impl Mappen {
    /// Creates `in`, `in/.done` and `out` for every participant.
    pub fn maak(root: &Path, codes: Vec<Deelnemercode>) -> io::Result<Mappen> {
        for c in &codes {
            fs::create_dir_all(root.join(c.as_str()).join("in").join(".done"))?;
            fs::create_dir_all(root.join(c.as_str()).join("out"))?;
        }
        Ok(Mappen {
            root: root.to_owned(),
            codes,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn in_map(&self, code: &Deelnemercode) -> PathBuf {
        self.root.join(code.as_str()).join("in")
    }

    pub fn out_map(&self, code: &Deelnemercode) -> PathBuf {
        self.root.join(code.as_str()).join("out")
    }

    /// Every waiting `*.xml`, oldest first (modification time, then mailbox
    /// and name), so one sender's messages are taken in the order written.
    pub fn nieuwe(&self) -> io::Result<Vec<Binnen>> {
        let mut alle = Vec::new();
        for c in &self.codes {
            let map = self.in_map(c);
            for e in fs::read_dir(&map)? {
                let e = e?;
                let naam = e.file_name().to_string_lossy().into_owned();
                if naam.starts_with('.') || !naam.ends_with(".xml") {
                    continue;
                }
                let meta = match e.metadata() {
                    Ok(m) if m.is_file() => m,
                    // Gone already, or not a file: not ours to read.
                    _ => continue,
                };
                alle.push(Binnen {
                    mailbox: c.clone(),
                    naam,
                    pad: e.path(),
                    gewijzigd: meta.modified()?,
                });
            }
        }
        alle.sort_by(|a, b| {
            (a.gewijzigd, &a.mailbox, &a.naam).cmp(&(b.gewijzigd, &b.mailbox, &b.naam))
        });
        Ok(alle)
    }

    /// Moves a processed file to `in/.done/` (a name taken there gets a suffix).
    pub fn klaar(&self, b: &Binnen) -> io::Result<()> {
        let done = self.in_map(&b.mailbox).join(".done");
        let mut doel = done.join(&b.naam);
        let mut n = 1;
        while doel.exists() {
            doel = done.join(format!("{}.{n}", b.naam));
            n += 1;
        }
        match fs::rename(&b.pad, &doel) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
            r => r,
        }
    }

    /// Writes an answer into `<code>/out/<BerichtId>.xml` (temporary name, then
    /// rename); call [`Mappen::bevestig`] before counting it delivered.
    pub fn lever(&self, mailbox: &Deelnemercode, bericht_id: &str, xml: &[u8]) -> io::Result<()> {
        let map = self.out_map(mailbox);
        let tijdelijk = map.join(format!(".{bericht_id}.xml.tmp"));
        let doel = map.join(format!("{bericht_id}.xml"));
        fs::File::create(&tijdelijk)?.write_all(xml)?;
        fs::rename(&tijdelijk, &doel)
    }

    /// Makes everything written so far durable: one `syncfs` of the mailbox
    /// file system for a whole batch of answers instead of two fsyncs each.
    pub fn bevestig(&self) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        let map = fs::File::open(&self.root)?;
        // SAFETY: syncfs only reads the descriptor, which `map` keeps open.
        if unsafe { libc::syncfs(map.as_raw_fd()) } == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }
}

/// Writes a message into a mailbox folder the way a participant must:
/// temporary name, then rename (used by the demo and the tests).
pub fn zet_neer(map: &Path, naam: &str, xml: &[u8]) -> io::Result<PathBuf> {
    let tijdelijk = map.join(format!(".{naam}.tmp"));
    let doel = map.join(naam);
    fs::write(&tijdelijk, xml)?;
    fs::rename(&tijdelijk, &doel)?;
    Ok(doel)
}
