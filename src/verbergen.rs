//! Secrets out of everything the hub prints. One function shows a URL
//! (store or broker) without its password or token; [`Geheimen`] scrubs a
//! text (a driver's error message may echo a URL or a password) of every
//! secret in the URLs the hub was given. Everything `serve` and `log
//! export` print about a connection goes through here.

/// Query parameters that carry a secret.
const GEHEIME_PARAMETERS: [&str; 7] = [
    "password",
    "sslpassword",
    "passwd",
    "pass",
    "token",
    "secret",
    "api_key",
];

/// `url` with the password of its user (and any secret query parameter)
/// replaced by `***`; the user name stays, it helps to find a refused login.
pub fn url(url: &str) -> String {
    let Some(schema) = url.find("://") else {
        return url.to_string();
    };
    let begin = schema + 3;
    let eind_authority = url[begin..]
        .find(['?', '#'])
        .map_or(url.len(), |i| begin + i);
    let mut uit = String::with_capacity(url.len());
    uit.push_str(&url[..begin]);
    let mut rest = begin;
    if let Some(at) = url[begin..eind_authority].rfind('@') {
        let gebruiker = &url[begin..begin + at];
        match gebruiker.find(':') {
            Some(d) => {
                uit.push_str(&gebruiker[..d]);
                uit.push_str(":***");
            }
            None => uit.push_str(gebruiker),
        }
        rest = begin + at;
    }
    let (voor, query) = match url[rest..].find('?') {
        Some(q) => url[rest..].split_at(q),
        None => (&url[rest..], ""),
    };
    uit.push_str(voor);
    if !query.is_empty() {
        uit.push('?');
        let (query, fragment) = match query[1..].find('#') {
            Some(h) => (&query[1..1 + h], &query[1 + h..]),
            None => (&query[1..], ""),
        };
        let delen: Vec<String> = query
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) if geheim_parameter(k) => format!("{k}=***"),
                _ => p.to_string(),
            })
            .collect();
        uit.push_str(&delen.join("&"));
        uit.push_str(fragment);
    }
    uit
}

fn geheim_parameter(naam: &str) -> bool {
    GEHEIME_PARAMETERS
        .iter()
        .any(|g| naam.eq_ignore_ascii_case(g))
}

/// The secrets of some URLs, to scrub texts of.
#[derive(Debug, Clone, Default)]
pub struct Geheimen {
    /// Longest first, so a secret inside another is not left half.
    geheimen: Vec<String>,
}

impl Geheimen {
    pub fn van<'a>(urls: impl IntoIterator<Item = &'a str>) -> Geheimen {
        let mut geheimen = Vec::new();
        for u in urls {
            for g in geheimen_van(u) {
                if !g.is_empty() {
                    geheimen.push(procent_gedecodeerd(&g));
                    geheimen.push(g);
                }
            }
        }
        geheimen.sort_by_key(|g| std::cmp::Reverse(g.len()));
        geheimen.dedup();
        Geheimen { geheimen }
    }

    /// `tekst` with every URL in it shown as [`url`] does and every known
    /// secret replaced by `***`.
    pub fn verberg(&self, tekst: &str) -> String {
        let mut uit = urls_verborgen(tekst);
        for g in &self.geheimen {
            if uit.contains(g.as_str()) {
                uit = uit.replace(g.as_str(), "***");
            }
        }
        uit
    }
}

/// The password and secret query values of one URL, as written.
fn geheimen_van(url: &str) -> Vec<String> {
    let mut uit = Vec::new();
    let Some(schema) = url.find("://") else {
        return uit;
    };
    let begin = schema + 3;
    let eind_authority = url[begin..]
        .find(['?', '#'])
        .map_or(url.len(), |i| begin + i);
    if let Some(at) = url[begin..eind_authority].rfind('@')
        && let Some((_, wachtwoord)) = url[begin..begin + at].split_once(':')
    {
        uit.push(wachtwoord.to_string());
    }
    if let Some(q) = url.find('?') {
        let query = url[q + 1..].split('#').next().unwrap_or_default();
        for p in query.split('&') {
            if let Some((k, v)) = p.split_once('=')
                && geheim_parameter(k)
            {
                uit.push(v.to_string());
            }
        }
    }
    uit
}

/// Every `scheme://…` word of a text shown as [`url`] does.
fn urls_verborgen(tekst: &str) -> String {
    if !tekst.contains("://") {
        return tekst.to_string();
    }
    let mut uit = String::with_capacity(tekst.len());
    let mut woord = String::new();
    let grens = |c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '<' | '>' | ',');
    for c in tekst.chars() {
        if grens(c) {
            uit.push_str(&url(&woord));
            woord.clear();
            uit.push(c);
        } else {
            woord.push(c);
        }
    }
    uit.push_str(&url(&woord));
    uit
}

/// `%xx` escapes of a URL part decoded (a user name or password may hold them).
pub(crate) fn procent_gedecodeerd(s: &str) -> String {
    let b = s.as_bytes();
    let mut uit = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2]))
        {
            uit.push(h * 16 + l);
            i += 3;
        } else {
            uit.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&uit).into_owned()
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn een_url_zonder_wachtwoord() {
        assert_eq!(
            url("postgres://hub:geheim-7f3a@db.example:5432/clearing"),
            "postgres://hub:***@db.example:5432/clearing"
        );
        assert_eq!(
            url("amqps://guest:w@cht/woord@broker:5671/%2f"),
            "amqps://guest:***@broker:5671/%2f"
        );
        assert_eq!(
            url("postgres://hub@db/clearing?sslmode=require&password=geheim"),
            "postgres://hub@db/clearing?sslmode=require&password=***"
        );
        assert_eq!(
            url("sqlite://clearinghuis-data/clearinghuis.db"),
            "sqlite://clearinghuis-data/clearinghuis.db"
        );
        assert_eq!(url("geen url"), "geen url");
    }

    #[test]
    fn een_tekst_zonder_geheimen() {
        let g = Geheimen::van([
            "postgres://hub:geheim%2D7f3a@db/clearing",
            "amqp://guest:token-99@broker/%2f?token=abc123",
        ]);
        let tekst = "connecting to amqp://guest:token-99@broker/%2f failed; \
                     password geheim-7f3a refused, raw geheim%2D7f3a, token abc123";
        let v = g.verberg(tekst);
        for geheim in ["token-99", "geheim-7f3a", "geheim%2D7f3a", "abc123"] {
            assert!(!v.contains(geheim), "{geheim} in {v}");
        }
        assert!(v.contains("amqp://guest:***@broker/%2f"), "{v}");
    }
}
