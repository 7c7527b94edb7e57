//! HTTP calls through `curl`, so xtask needs no HTTP or TLS crates. The local
//! gateway uses a self-signed certificate, hence `-k`.

use std::io::Write;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::sys;

/// A status code and body, whatever the status.
pub struct Response {
    pub status: u16,
    pub body: String,
}

impl Response {
    /// The body as JSON.
    pub fn json(&self) -> Result<Value> {
        serde_json::from_str(&self.body)
            .with_context(|| format!("answer is not JSON: {}", self.body))
    }

    /// Fails with the status and body unless the status is 2xx.
    pub fn ensure_success(self, what: &str) -> Result<Self> {
        if (200..300).contains(&self.status) {
            Ok(self)
        } else {
            bail!("{what} failed: HTTP {} {}", self.status, self.body)
        }
    }
}

/// Sends one request. `body`, if any, goes as JSON through stdin so it does
/// not show up in the process list. Fails only when no HTTP answer came back.
pub fn call(
    method: &str,
    url: &str,
    bearer: Option<&str>,
    body: Option<&Value>,
) -> Result<Response> {
    let mut cmd = Command::new("curl");
    // -w prints the status on its own line after the body: split there.
    cmd.args([
        "-sSk",
        "--max-time",
        "20",
        "-X",
        method,
        "-w",
        "\n%{http_code}",
    ])
    .args(["-H", "accept: application/json"]);
    if let Some(token) = bearer {
        cmd.arg("-H").arg(format!("authorization: Bearer {token}"));
    }
    if body.is_some() {
        cmd.args([
            "-H",
            "content-type: application/json",
            "--data-binary",
            "@-",
        ]);
    }
    cmd.arg(url)
        .stdin(if body.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());

    let mut child = cmd.spawn().with_context(|| {
        format!(
            "failed to run curl (`{}`); is curl installed?",
            sys::describe(&cmd)
        )
    })?;
    // Dropping stdin after the write closes it, which ends the upload.
    let sent = match (body, child.stdin.take()) {
        (Some(body), Some(mut stdin)) => stdin.write_all(body.to_string().as_bytes()),
        _ => Ok(()),
    };
    let out = child
        .wait_with_output()
        .context("failed to wait for curl")?;
    // curl's own message (e.g. connection refused) explains a failed upload best.
    if !out.status.success() {
        bail!(
            "{method} {url}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    sent.context("failed to send the request body to curl")?;
    parse(&String::from_utf8_lossy(&out.stdout))
        .with_context(|| format!("{method} {url}: unexpected curl output"))
}

/// Posts a multipart form: text `fields` and the file at `file` (as field
/// `file`, of type `mime`). Values go through curl's arguments, so they
/// must hold no secret.
pub fn upload(
    url: &str,
    bearer: &str,
    fields: &[(&str, &str)],
    file: &std::path::Path,
    mime: &str,
) -> Result<Response> {
    let mut cmd = Command::new("curl");
    cmd.args(["-sSk", "--max-time", "60", "-w", "\n%{http_code}"])
        .args(["-H", "accept: application/json"])
        .arg("-H")
        .arg(format!("authorization: Bearer {bearer}"));
    for (name, value) in fields {
        // --form-string: a value starting with @ or < is taken as text.
        cmd.arg("--form-string").arg(format!("{name}={value}"));
    }
    cmd.arg("-F")
        .arg(format!("file=@{};type={mime}", file.display()))
        .arg(url);
    let out = cmd
        .output()
        .with_context(|| format!("failed to run curl (`{}`)", sys::describe(&cmd)))?;
    if !out.status.success() {
        bail!(
            "POST {url}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    parse(&String::from_utf8_lossy(&out.stdout))
        .with_context(|| format!("POST {url}: unexpected curl output"))
}

/// Splits curl's output into body and the status line that `-w` appended.
fn parse(output: &str) -> Result<Response> {
    let (body, status) = output.rsplit_once('\n').context("no status line")?;
    let status = status
        .trim()
        .parse()
        .with_context(|| format!("bad status `{status}`"))?;
    Ok(Response {
        status,
        body: body.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_body_and_status() -> Result<()> {
        let response = parse("{\"id\":\"x\"}\n201")?;
        assert_eq!(response.status, 201);
        assert_eq!(response.json()?["id"], "x");

        let empty = parse("\n202")?;
        assert_eq!((empty.status, empty.body.as_str()), (202, ""));

        let multiline = parse("line one\nline two\n409")?;
        assert_eq!(multiline.body, "line one\nline two");
        assert!(multiline.ensure_success("create").is_err());
        Ok(())
    }
}
