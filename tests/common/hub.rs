//! A real `clearinghuis serve` process in a temporary folder, for the
//! end-to-end and crash tests.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use clearinghuis::hub::{Logregel, Richting};

pub struct Hub {
    pub map: PathBuf,
    pub kind: Option<Child>,
    pub stderr: PathBuf,
    /// Extra environment for the hub process (settings).
    pub omgeving: Vec<(String, String)>,
    /// Run the hub without root's power to read and write any file
    /// (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH dropped through `setpriv`), so
    /// file permissions bind it as they bind a hub under its own user.
    pub zonder_root_rechten: bool,
    /// Run the hub inside this cgroup (v1 memory controller folder).
    pub cgroup: Option<PathBuf>,
    /// Extra arguments for `serve`.
    pub args: Vec<String>,
}

impl Hub {
    /// A fresh folder with the fixtures' participants.
    pub fn nieuw(naam: &str) -> Hub {
        let map = std::env::temp_dir().join(format!("clearinghuis-{naam}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&map);
        std::fs::create_dir_all(&map).expect("temp folder");
        std::fs::copy(
            super::root().join("fixtures/conversations/participants.toml"),
            map.join("participants.toml"),
        )
        .expect("participants");
        let stderr = map.join("hub.log");
        Hub {
            map,
            kind: None,
            stderr,
            omgeving: Vec::new(),
            zonder_root_rechten: false,
            cgroup: None,
            args: Vec::new(),
        }
    }

    pub fn start(&mut self) {
        self.start_zonder_wachten();
        // Ready when the mailboxes exist.
        let klaar = self.mailboxes().join("CR-00820000").join("out");
        let begin = Instant::now();
        while !klaar.exists() && begin.elapsed() < Duration::from_secs(30) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(klaar.exists(), "the hub made no mailboxes");
    }

    /// Starts the hub on RabbitMQ (settings in `omgeving`); ready when it
    /// says it consumes.
    pub fn start_amqp(&mut self) {
        let al = std::fs::read_to_string(&self.stderr)
            .unwrap_or_default()
            .matches("consuming cr.")
            .count();
        self.start_zonder_wachten();
        let klaar = self.wacht(Duration::from_secs(60), |h| {
            std::fs::read_to_string(&h.stderr)
                .unwrap_or_default()
                .matches("consuming cr.")
                .count()
                > al
        });
        assert!(
            klaar,
            "the hub did not start consuming: {}",
            std::fs::read_to_string(&self.stderr).unwrap_or_default()
        );
    }

    pub fn start_zonder_wachten(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.stderr)
            .expect("log file");
        let mut programma = vec![env!("CARGO_BIN_EXE_clearinghuis").to_string()];
        if self.zonder_root_rechten {
            programma.splice(
                0..0,
                [
                    "setpriv".to_string(),
                    "--inh-caps=-all".to_string(),
                    "--bounding-set=-dac_override,-dac_read_search".to_string(),
                ],
            );
        }
        if let Some(cg) = &self.cgroup {
            // The shell joins the cgroup, then becomes the hub.
            programma.splice(
                0..0,
                [
                    "sh".to_string(),
                    "-c".to_string(),
                    format!("echo $$ > {}/cgroup.procs && exec \"$@\"", cg.display()),
                    "sh".to_string(),
                ],
            );
        }
        let kind = Command::new(&programma[0])
            .args(&programma[1..])
            .current_dir(&self.map)
            .args(["serve", "--participants", "participants.toml"])
            // Many hubs run at once: the web part only where a test asks for it.
            .env("CLEARINGHUIS_API_LISTEN", "")
            .args(&self.args)
            .env("RUST_LOG", "info")
            .envs(self.omgeving.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("the hub starts");
        self.kind = Some(kind);
    }

    /// A second hub on the same folder (and settings), logging to `log`
    /// in it: a standby, once started.
    pub fn naast(&self, log: &str) -> Hub {
        Hub {
            map: self.map.clone(),
            kind: None,
            stderr: self.map.join(log),
            omgeving: self.omgeving.clone(),
            zonder_root_rechten: self.zonder_root_rechten,
            cgroup: self.cgroup.clone(),
            args: self.args.clone(),
        }
    }

    /// The process id of the running hub.
    pub fn pid(&self) -> Option<u32> {
        self.kind.as_ref().map(Child::id)
    }

    /// What the hub has logged so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.stderr).unwrap_or_default()
    }

    /// SIGKILL: no clean-up of any kind.
    pub fn kill(&mut self) {
        if let Some(mut k) = self.kind.take() {
            let _ = k.kill();
            let _ = k.wait();
        }
    }

    /// SIGTERM, and the exit status of a clean stop.
    pub fn stop(&mut self) -> std::process::ExitStatus {
        let mut k = self.kind.take().expect("running");
        let _ = Command::new("kill")
            .args(["-TERM", &k.id().to_string()])
            .status();
        k.wait().expect("exits")
    }

    pub fn mailboxes(&self) -> PathBuf {
        self.map.join("clearinghuis-data/mailboxes")
    }

    pub fn in_map(&self, code: &str) -> PathBuf {
        self.mailboxes().join(code).join("in")
    }

    pub fn out_map(&self, code: &str) -> PathBuf {
        self.mailboxes().join(code).join("out")
    }

    /// Files waiting in every `in` folder.
    pub fn wachtend(&self) -> usize {
        let Ok(mappen) = std::fs::read_dir(self.mailboxes()) else {
            return 0;
        };
        mappen
            .flatten()
            .flat_map(|m| {
                std::fs::read_dir(m.path().join("in"))
                    .into_iter()
                    .flatten()
                    .flatten()
            })
            .filter(|e| e.file_name().to_string_lossy().ends_with(".xml"))
            .count()
    }

    /// Every answer file: (mailbox, file name, content).
    pub fn antwoorden(&self) -> Vec<(String, String, String)> {
        let mut uit = Vec::new();
        for m in std::fs::read_dir(self.mailboxes())
            .expect("mailboxes")
            .flatten()
        {
            let code = m.file_name().to_string_lossy().into_owned();
            // The hub's own verwerkt/ has no out folder.
            if code == clearinghuis::transport::directory::VERWERKT {
                continue;
            }
            // A participant's folders may still be in the making at start.
            let out = match std::fs::read_dir(m.path().join("out")) {
                Ok(d) => d,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => panic!("out: {e}"),
            };
            for e in out.flatten() {
                let naam = e.file_name().to_string_lossy().into_owned();
                if naam.ends_with(".xml") && !naam.starts_with('.') {
                    uit.push((
                        code.clone(),
                        naam,
                        std::fs::read_to_string(e.path()).expect("readable"),
                    ));
                }
            }
        }
        uit.sort();
        uit
    }

    /// `clearinghuis log export` of the hub's store.
    pub fn export(&self) -> Vec<Logregel> {
        let uit = Command::new(env!("CARGO_BIN_EXE_clearinghuis"))
            .current_dir(&self.map)
            .args(["log", "export", "--output", "export.jsonl"])
            .envs(self.omgeving.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .expect("export runs");
        assert!(
            uit.status.success(),
            "{}",
            String::from_utf8_lossy(&uit.stderr)
        );
        std::fs::read_to_string(self.map.join("export.jsonl"))
            .expect("written")
            .lines()
            .map(|l| serde_json::from_str(l).expect("a log line"))
            .collect()
    }

    /// `replay --verify` of the exported log, with the settings the hub ran
    /// with and `extra` arguments (such as `--until`).
    pub fn export_verifieert(&self, extra: &[&str]) -> Result<(), String> {
        let uit = Command::new(env!("CARGO_BIN_EXE_clearinghuis"))
            .current_dir(&self.map)
            .args([
                "replay",
                "--participants",
                "participants.toml",
                "--input",
                "export.jsonl",
                "--verify",
                "--output",
                "/dev/null",
            ])
            .args(extra)
            .envs(self.omgeving.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .output()
            .expect("replay runs");
        if uit.status.success() {
            Ok(())
        } else {
            Err(String::from_utf8_lossy(&uit.stderr).into_owned())
        }
    }

    /// Waits until `klaar` holds, at most `max`.
    pub fn wacht(&self, max: Duration, klaar: impl Fn(&Hub) -> bool) -> bool {
        let begin = Instant::now();
        while begin.elapsed() < max {
            if klaar(self) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        klaar(self)
    }
}

impl Drop for Hub {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Drops `xml` into a mailbox as a participant must: temporary name, then rename.
pub fn zet_neer(map: &Path, naam: &str, xml: &[u8]) {
    clearinghuis::transport::directory::zet_neer(map, naam, xml).expect("dropped");
}

/// The `in` lines of a log file.
pub fn invoer(log: &Path) -> Vec<Logregel> {
    std::fs::read_to_string(log)
        .expect("readable")
        .lines()
        .map(|l| serde_json::from_str::<Logregel>(l).expect("a log line"))
        .filter(|r| r.direction == Richting::In)
        .collect()
}
