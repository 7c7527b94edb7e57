//! A tiny SMTP server that accepts every mail and appends it, with the time
//! it arrived, to the mail log. The notification service hands its mails to
//! it, so the golden path can time the hand-off, and the bench reads the
//! invitation token from it. Plain SMTP only: that is what `smtp://` means.

use std::path::PathBuf;

use anyhow::{Context, Result};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

use crate::clock;
use crate::mail_log::Mail;

/// Accepts connections until the process stops.
pub async fn serve(listener: TcpListener, log: PathBuf) -> Result<()> {
    let (sender, receiver) = mpsc::unbounded_channel();
    // One writer owns the file, so concurrent sessions never interleave lines.
    let mut writer = tokio::spawn(write_log(log, receiver));
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, _) = accepted.context("accepting an SMTP connection")?;
                let sender = sender.clone();
                tokio::spawn(async move {
                    if let Err(error) = session(stream, sender).await {
                        eprintln!("smtp sink: session ended: {error:#}");
                    }
                });
            }
            written = &mut writer => {
                return written.context("the mail log writer panicked")?;
            }
        }
    }
}

async fn write_log(log: PathBuf, mut receiver: mpsc::UnboundedReceiver<Mail>) -> Result<()> {
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log)
        .await
        .with_context(|| format!("opening {}", log.display()))?;
    while let Some(mail) = receiver.recv().await {
        let mut line = serde_json::to_vec(&mail)?;
        line.push(b'\n');
        file.write_all(&line).await?;
        file.flush().await?;
    }
    Ok(())
}

/// One SMTP conversation: enough of RFC 5321 for lettre's client.
async fn session(stream: TcpStream, mails: mpsc::UnboundedSender<Mail>) -> Result<()> {
    stream.set_nodelay(true)?;
    let (read, mut write) = stream.into_split();
    let mut reader = BufReader::new(read);
    write.write_all(b"220 portal-bench SMTP sink\r\n").await?;
    let mut recipients = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            return Ok(());
        }
        let command = String::from_utf8_lossy(&line).trim_end().to_owned();
        let verb = command
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let reply: &[u8] = match verb.as_str() {
            "EHLO" => b"250-portal-bench\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
            "HELO" | "NOOP" => b"250 OK\r\n",
            "MAIL" | "RSET" => {
                recipients.clear();
                b"250 OK\r\n"
            }
            "RCPT" => {
                recipients.push(address(&command));
                b"250 OK\r\n"
            }
            "DATA" => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let raw = read_data(&mut reader).await?;
                let received_us = clock::now_us();
                let mail = Mail::parse(&raw, std::mem::take(&mut recipients), received_us);
                mails.send(mail).context("the mail log writer stopped")?;
                b"250 OK queued\r\n"
            }
            "QUIT" => {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            }
            _ => b"502 Command not implemented\r\n",
        };
        write.write_all(reply).await?;
    }
}

/// The message up to the lone `.` line, with dot-stuffing undone.
async fn read_data<R: AsyncBufReadExt + Unpin>(reader: &mut R) -> Result<Vec<u8>> {
    let mut raw = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line).await? == 0 {
            anyhow::bail!("connection closed during DATA");
        }
        if line == b".\r\n" || line == b".\n" {
            return Ok(raw);
        }
        let unstuffed = if line.starts_with(b"..") {
            &line[1..]
        } else {
            &line[..]
        };
        raw.extend_from_slice(unstuffed);
    }
}

/// `RCPT TO:<a@b.example>` -> `a@b.example`.
fn address(command: &str) -> String {
    let start = command.find('<').map_or(0, |i| i + 1);
    let end = command[start..]
        .find('>')
        .map_or(command.len(), |i| start + i);
    command[start..end].trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_addresses() {
        assert_eq!(address("RCPT TO:<a@b.example>"), "a@b.example");
        assert_eq!(address("RCPT TO:<a@b.example> SIZE=10"), "a@b.example");
    }

    #[tokio::test]
    async fn undoes_dot_stuffing() -> Result<()> {
        let mut input: &[u8] = b"Subject: x\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n";
        let raw = read_data(&mut input).await?;
        assert_eq!(raw, b"Subject: x\r\n\r\n.leading dot\r\n");
        Ok(())
    }
}
