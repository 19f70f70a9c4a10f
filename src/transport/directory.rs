//! Directory mailboxes: `<root>/<code>/in` and `<root>/<code>/out`
//! (operations.md "Mailboxes").
//!
//! A participant writes a message under a temporary name and renames it to
//! `*.xml`; only `*.xml` names that do not start with a dot are read, so a
//! half-written file never is. The hub writes its answers the same way:
//! `out/.<BerichtId>.xml.tmp`, renamed to `out/<BerichtId>.xml`, and one
//! `syncfs` per batch before the outbox marks them sent. Writing an answer
//! twice (after a crash before it was marked sent) gives the same file.
//!
//! A participant can write its own `in` folder (and delete from `out`), so
//! everything there may change under the hub's feet. The hub therefore
//! works through directory descriptors it opened itself, never follows a
//! link there, and checks what it opened rather than what it listed:
//!
//! - a message is opened with `O_NOFOLLOW | O_NONBLOCK` and read from that
//!   descriptor, and only when `fstat` says it is a regular file with one
//!   link; a link, FIFO, socket, folder or unreadable file is not read but
//!   refused with the reason (`Ontvangen::Onleesbaar`), so the sender learns
//!   why and the file is cleared away;
//! - at most the largest allowed size plus one byte is read
//!   ([`Ontvangen::lees`]);
//! - a processed file moves to the hub's own `<root>/verwerkt/<code>/`
//!   (outside anything a participant can write) under a name the hub
//!   chooses (`<seq>-<name>`), only when the name still refers to the file
//!   the hub read;
//! - an answer's temporary file is created with `O_EXCL | O_NOFOLLOW`, so a
//!   link planted under that name is never written through.
//!
//! Every fault is one file's or one mailbox's: listing, reading and moving
//! report it per file or mailbox, and the caller carries on with the rest.

use std::ffi::CString;
use std::fs;
use std::io::{self, Write};
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustix::fs::{AtFlags, CWD, FileType, Mode, OFlags, RenameFlags};

use crate::bericht::Deelnemercode;
use crate::codec::Ontvangen;

/// The hub's folder of processed files, beside the participants' folders.
pub const VERWERKT: &str = "verwerkt";

/// The mailbox folders of every participant.
#[derive(Debug, Clone)]
pub struct Mappen {
    root: PathBuf,
    codes: Vec<Deelnemercode>,
}

/// Which file on which file system: `(st_dev, st_ino)`.
pub type Identiteit = (u64, u64);

/// A file waiting in an `in` folder, as listed.
#[derive(Debug, Clone)]
pub struct Binnen {
    pub mailbox: Deelnemercode,
    /// The name as text (bytes that are not UTF-8 written as `\xNN`): how
    /// the store and the log name it.
    pub naam: String,
    ruw_naam: CString,
    /// The `in` folder it was listed in (moves are relative to it).
    map: Arc<OwnedFd>,
    gewijzigd: (i64, u64),
    /// What the name pointed at when listed (`lstat`).
    pub identiteit: Identiteit,
}

/// A file the hub opened and read.
#[derive(Debug)]
pub struct Gelezen {
    pub ontvangen: Ontvangen,
    /// What was read: only this file is moved once processed.
    pub identiteit: Identiteit,
}

/// What became of a processed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verplaatsing {
    /// Moved to `verwerkt/`.
    Verplaatst,
    /// Gone already (a crash after the move, or the participant removed it).
    Weg,
    /// The name now holds another file (the participant wrote the same
    /// name again): that one is new and stays to be read.
    Vervangen,
}

/// The listing of every `in` folder, and the mailboxes that could not be listed.
#[derive(Debug, Default)]
pub struct Lijst {
    pub binnen: Vec<Binnen>,
    pub fouten: Vec<(Deelnemercode, io::Error)>,
}

fn io(e: rustix::io::Errno) -> io::Error {
    io::Error::from(e)
}

/// A folder inside `map`, never through a link.
fn open_map(map: impl std::os::fd::AsFd, naam: &str) -> io::Result<OwnedFd> {
    rustix::fs::openat(
        map,
        naam,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(io)
}

/// A file name as text: UTF-8 as it is, other bytes as `\xNN`.
fn als_tekst(naam: &[u8]) -> String {
    let mut uit = String::with_capacity(naam.len());
    for stuk in naam.utf8_chunks() {
        uit.push_str(stuk.valid());
        for b in stuk.invalid() {
            uit.push_str(&format!("\\x{b:02X}"));
        }
    }
    uit
}

/// What kind of thing a mode is, for a refusal's reason.
fn soort(bestandstype: FileType) -> &'static str {
    match bestandstype {
        FileType::RegularFile => "a regular file",
        FileType::Directory => "a folder",
        FileType::Symlink => "a symbolic link",
        FileType::Fifo => "a FIFO (named pipe)",
        FileType::Socket => "a socket",
        FileType::CharacterDevice => "a character device",
        FileType::BlockDevice => "a block device",
        FileType::Unknown => "of an unknown kind",
    }
}

/// Whether an error opening a participant's file is that file's own fault
/// (refused with the reason) rather than the hub's (tried again later).
fn reden_van(e: rustix::io::Errno) -> Option<String> {
    use rustix::io::Errno;
    Some(match e {
        Errno::ACCESS | Errno::PERM => {
            "permission denied (give the hub read permission on the file)".to_string()
        }
        Errno::LOOP | Errno::MLINK => {
            "it is a symbolic link; the hub does not follow links".to_string()
        }
        Errno::NXIO | Errno::NODEV | Errno::OPNOTSUPP | Errno::TXTBSY | Errno::ISDIR => {
            format!("it cannot be opened as a file ({})", io(e))
        }
        Errno::NAMETOOLONG | Errno::ILSEQ => format!("its name cannot be used ({})", io(e)),
        _ => return None,
    })
}

impl Mappen {
    /// Creates `in` and `out` for every participant, and the hub's `verwerkt/<code>`.
    pub fn maak(root: &Path, codes: Vec<Deelnemercode>) -> io::Result<Mappen> {
        for c in &codes {
            fs::create_dir_all(root.join(c.as_str()).join("in"))?;
            fs::create_dir_all(root.join(c.as_str()).join("out"))?;
            fs::create_dir_all(root.join(VERWERKT).join(c.as_str()))?;
        }
        Ok(Mappen {
            root: root.to_owned(),
            codes,
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn codes(&self) -> &[Deelnemercode] {
        &self.codes
    }

    pub fn in_map(&self, code: &Deelnemercode) -> PathBuf {
        self.root.join(code.as_str()).join("in")
    }

    pub fn out_map(&self, code: &Deelnemercode) -> PathBuf {
        self.root.join(code.as_str()).join("out")
    }

    /// Where processed files of `code` are kept.
    pub fn verwerkt_map(&self, code: &Deelnemercode) -> PathBuf {
        self.root.join(VERWERKT).join(code.as_str())
    }

    fn root_fd(&self) -> io::Result<OwnedFd> {
        // The root is the operator's (it may be reached through a link).
        rustix::fs::openat(
            CWD,
            &self.root,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(io)
    }

    /// `<root>/<code>/<naam>` opened without following a link at either step.
    fn deelnemer_map(&self, code: &Deelnemercode, naam: &str) -> io::Result<OwnedFd> {
        let root = self.root_fd()?;
        let deelnemer = open_map(&root, code.as_str())?;
        open_map(&deelnemer, naam)
    }

    fn verwerkt_fd(&self, code: &Deelnemercode) -> io::Result<OwnedFd> {
        let root = self.root_fd()?;
        let verwerkt = open_map(&root, VERWERKT)?;
        open_map(&verwerkt, code.as_str())
    }

    /// Every waiting `*.xml` of every mailbox, oldest first (modification
    /// time, then mailbox and name), so one sender's messages are taken in
    /// the order written. A mailbox that cannot be listed is reported in
    /// [`Lijst::fouten`]; the others are listed all the same.
    pub fn nieuwe(&self) -> Lijst {
        let mut lijst = Lijst::default();
        for c in &self.codes {
            if let Err(e) = self.lijst_van(c, &mut lijst.binnen) {
                lijst.fouten.push((c.clone(), e));
            }
        }
        lijst.binnen.sort_by(|a, b| {
            (a.gewijzigd, &a.mailbox, &a.naam).cmp(&(b.gewijzigd, &b.mailbox, &b.naam))
        });
        lijst
    }

    fn lijst_van(&self, code: &Deelnemercode, uit: &mut Vec<Binnen>) -> io::Result<()> {
        let map = Arc::new(self.deelnemer_map(code, "in")?);
        let dir = rustix::fs::Dir::read_from(&*map).map_err(io)?;
        for e in dir {
            let e = e.map_err(io)?;
            let naam = e.file_name();
            let bytes = naam.to_bytes();
            if bytes.starts_with(b".") || !bytes.ends_with(b".xml") {
                continue;
            }
            // lstat: what the name is now; the open checks it again.
            let st = match rustix::fs::statat(&*map, naam, AtFlags::SYMLINK_NOFOLLOW) {
                Ok(st) => st,
                Err(rustix::io::Errno::NOENT) => continue,
                Err(e) => return Err(io(e)),
            };
            uit.push(Binnen {
                mailbox: code.clone(),
                naam: als_tekst(bytes),
                ruw_naam: naam.to_owned(),
                map: map.clone(),
                gewijzigd: (st.st_mtime, st.st_mtime_nsec as u64),
                identiteit: (st.st_dev, st.st_ino),
            });
        }
        Ok(())
    }

    /// Opens and reads a listed file. `Ok` is what the file holds, or
    /// `Onleesbaar` when the file itself is the problem (a link, a FIFO, no
    /// permission, …). `Err` is a fault that may pass (I/O, too many open
    /// files) or `NotFound` when the file is gone: not the sender's, so the
    /// file stays and is tried again.
    pub fn lees(&self, b: &Binnen) -> io::Result<Gelezen> {
        let flags =
            OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
        let fd = match rustix::fs::openat(&*b.map, b.ruw_naam.as_c_str(), flags, Mode::empty()) {
            Ok(fd) => fd,
            Err(e) => {
                return match reden_van(e) {
                    Some(reden) => Ok(Gelezen {
                        ontvangen: Ontvangen::Onleesbaar { reden },
                        identiteit: self.identiteit_nu(b)?.unwrap_or(b.identiteit),
                    }),
                    None => Err(io(e)),
                };
            }
        };
        let st = rustix::fs::fstat(&fd).map_err(io)?;
        let identiteit = (st.st_dev, st.st_ino);
        let bestandstype = FileType::from_raw_mode(st.st_mode);
        let onleesbaar = |reden: String| {
            Ok(Gelezen {
                ontvangen: Ontvangen::Onleesbaar { reden },
                identiteit,
            })
        };
        if bestandstype != FileType::RegularFile {
            return onleesbaar(format!("it is {}, not a regular file", soort(bestandstype)));
        }
        // A second name for a file elsewhere would let a participant have
        // the hub read (and log) a file it may not see itself.
        if st.st_nlink != 1 {
            return onleesbaar(format!(
                "it has {} hard links; the hub reads only files with one name",
                st.st_nlink
            ));
        }
        let bestand = fs::File::from(fd);
        let ontvangen = Ontvangen::lees(&bestand, Some(st.st_size.max(0) as u64))?;
        Ok(Gelezen {
            ontvangen,
            identiteit,
        })
    }

    /// What `b`'s name points at now (`None`: gone).
    fn identiteit_nu(&self, b: &Binnen) -> io::Result<Option<Identiteit>> {
        match rustix::fs::statat(&*b.map, b.ruw_naam.as_c_str(), AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => Ok(Some((st.st_dev, st.st_ino))),
            Err(rustix::io::Errno::NOENT) => Ok(None),
            Err(e) => Err(io(e)),
        }
    }

    /// Moves a processed file to `verwerkt/<code>/<seq>-<name>`, if its name
    /// still holds the file that was read (`identiteit`).
    pub fn klaar(&self, b: &Binnen, identiteit: Identiteit, seq: u64) -> io::Result<Verplaatsing> {
        match self.identiteit_nu(b)? {
            None => return Ok(Verplaatsing::Weg),
            Some(i) if i != identiteit => return Ok(Verplaatsing::Vervangen),
            Some(_) => {}
        }
        let doel_map = self.verwerkt_fd(&b.mailbox)?;
        let doel = verwerkt_naam(seq, b.ruw_naam.to_bytes());
        match rustix::fs::renameat_with(
            &*b.map,
            b.ruw_naam.as_c_str(),
            &doel_map,
            doel.as_c_str(),
            RenameFlags::NOREPLACE,
        ) {
            Ok(()) => Ok(Verplaatsing::Verplaatst),
            Err(rustix::io::Errno::NOENT) => Ok(Verplaatsing::Weg),
            Err(e) => Err(io(e)),
        }
    }

    /// Writes an answer into `<code>/out/<BerichtId>.xml` (temporary name,
    /// then rename); call [`Mappen::bevestig`] before counting it delivered.
    pub fn lever(&self, mailbox: &Deelnemercode, bericht_id: &str, xml: &[u8]) -> io::Result<()> {
        let map = self.deelnemer_map(mailbox, "out")?;
        let tijdelijk = format!(".{bericht_id}.xml.tmp");
        // Whatever has that name (a half-written answer from before a
        // crash, or a link a participant planted) goes; then a new file.
        match rustix::fs::unlinkat(&map, tijdelijk.as_str(), AtFlags::empty()) {
            Ok(()) | Err(rustix::io::Errno::NOENT) => {}
            Err(e) => return Err(io(e)),
        }
        let fd = rustix::fs::openat(
            &map,
            tijdelijk.as_str(),
            OFlags::WRONLY | OFlags::CREATE | OFlags::EXCL | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::from_raw_mode(0o644),
        )
        .map_err(io)?;
        let mut bestand = fs::File::from(fd);
        if let Err(e) = bestand.write_all(xml) {
            drop(bestand);
            let _ = rustix::fs::unlinkat(&map, tijdelijk.as_str(), AtFlags::empty());
            return Err(e);
        }
        drop(bestand);
        rustix::fs::renameat(
            &map,
            tijdelijk.as_str(),
            &map,
            format!("{bericht_id}.xml").as_str(),
        )
        .map_err(io)
    }

    /// Makes everything written so far durable: one `syncfs` of the mailbox
    /// file system for a whole batch of answers instead of two fsyncs each.
    pub fn bevestig(&self) -> io::Result<()> {
        let map = self.root_fd()?;
        rustix::fs::syncfs(&map).map_err(io)
    }
}

/// `<seq>-<name>`, the name cut to keep the whole under the file systems'
/// 255 bytes (a participant's name may already be that long).
fn verwerkt_naam(seq: u64, naam: &[u8]) -> CString {
    const MAX_NAAM: usize = 200;
    let mut kort = &naam[..naam.len().min(MAX_NAAM)];
    // Cut at a character boundary when the name is UTF-8.
    if std::str::from_utf8(naam).is_ok() {
        while std::str::from_utf8(kort).is_err() {
            kort = &kort[..kort.len() - 1];
        }
    }
    let mut uit = format!("{seq:012}-").into_bytes();
    uit.extend_from_slice(kort);
    // A name from readdir has no NUL byte.
    CString::new(uit).unwrap_or_else(|_| CString::from(c"verwerkt"))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namen_als_tekst_en_ingekort() {
        assert_eq!(als_tekst(b"a\xffb.xml"), "a\\xFFb.xml");
        let lang = "é".repeat(127); // 254 bytes
        let n = verwerkt_naam(7, lang.as_bytes());
        let b = n.to_bytes();
        assert!(b.len() <= 255, "{}", b.len());
        assert!(std::str::from_utf8(b).is_ok());
        assert!(b.starts_with(b"000000000007-"));
    }
}
