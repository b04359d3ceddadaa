//! The mail: an HTML body (the overview's sentences and the KPI table with 达标 colours) with
//! a plain-text alternative, the scope's documents attached under names Chinese mail clients
//! show (RFC 2231 and RFC 2047 forms both), sent over SMTP with the certificate verified.

use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};

use super::Digest;
use crate::config::{Config, Security, SmtpConfig};

/// An address as lettre reads it (`名称 <a@b.cn>` or `a@b.cn`).
pub(super) fn mailbox(s: &str) -> Result<Mailbox, String> {
    if s.chars().any(|c| c.is_control()) {
        return Err("a control character in an address".into());
    }
    s.parse::<Mailbox>().map_err(|e| e.to_string())
}

/// Text safe in a header: no line breaks or other control characters (a branch name with
/// CR/LF cannot add a header).
fn header_text(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

/// HTML-escaped text.
fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The subject: the config's template over the digest's facts.
fn subject(config: &Config, d: &Digest) -> Result<String, String> {
    let mut ctx = tera::Context::new();
    ctx.insert("title", &d.title);
    ctx.insert("period", &d.period_text);
    ctx.insert("organisation", &d.organisation);
    ctx.insert("branch", &d.branch.clone().unwrap_or_default());
    tera::Tera::one_off(&config.delivery.subject, &ctx, false)
        .map(|s| header_text(&s))
        .map_err(|e| format!("delivery.subject: {e}"))
}

/// The HTML body.
fn html_body(d: &Digest) -> String {
    let (met, unmet, files) = if d.zh() { ("达标", "未达标", "附件") } else { ("met", "not met", "Attached") };
    let mut b = String::from("<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body style=\"font-family:'Microsoft YaHei','PingFang SC',sans-serif;font-size:14px;color:#222\">");
    b.push_str(&format!("<h2 style=\"color:#1F3864\">{}（{}）</h2>", html(&d.title), html(&d.period_text)));
    b.push_str(&format!("<p style=\"color:#595959\">{}</p>", html(&d.organisation)));
    for s in &d.sentences {
        b.push_str(&format!("<p>{}</p>", html(s)));
    }
    b.push_str("<table style=\"border-collapse:collapse\" cellpadding=\"5\">");
    let th = "style=\"background:#DDEBF7;border-bottom:1px solid #2F6EBA;text-align:left\"";
    let head: [&str; 4] =
        if d.zh() { ["指标", "本期", "目标", "变化"] } else { ["Metric", "Value", "Target", "Change"] };
    b.push_str("<tr>");
    for h in head {
        b.push_str(&format!("<th {th}>{h}</th>"));
    }
    b.push_str(&format!("<th {th}></th></tr>"));
    for k in &d.kpis {
        let (bg, fg, word) = match k.met {
            Some(true) => ("#C6EFCE", "#006100", met),
            Some(false) => ("#FFC7CE", "#9C0006", unmet),
            None => ("", "", ""),
        };
        let td = "style=\"border-bottom:1px solid #D9D9D9\"";
        b.push_str(&format!(
            "<tr><td {td}>{}</td><td {td} align=\"right\"{}>{}</td><td {td} align=\"right\">{}</td><td {td} align=\"right\">{}</td><td style=\"border-bottom:1px solid #D9D9D9;background:{bg};color:{fg}\">{word}</td></tr>",
            html(&k.label),
            if bg.is_empty() { String::new() } else { format!(" bgcolor=\"{bg}\"") },
            html(&k.value),
            html(&k.target),
            html(&k.change),
        ));
    }
    b.push_str("</table>");
    for w in &d.warnings {
        b.push_str(&format!("<p style=\"color:#9C0006\">{}</p>", html(w)));
    }
    b.push_str(&format!("<p style=\"color:#595959\">{files}: {}</p></body></html>", html(&d.files.join(", "))));
    b
}

/// The plain-text alternative.
fn text_body(d: &Digest) -> String {
    let (met, unmet) = if d.zh() { ("达标", "未达标") } else { ("met", "not met") };
    let mut t = format!("{}（{}）\n{}\n\n", d.title, d.period_text, d.organisation);
    for s in &d.sentences {
        t.push_str(s);
        t.push('\n');
    }
    t.push('\n');
    for k in &d.kpis {
        let verdict = match k.met {
            Some(true) => met,
            Some(false) => unmet,
            None => "",
        };
        t.push_str(
            &format!("{}：{}  {}  {}  {}\n", k.label, k.value, k.target, k.change, verdict).replace("  \n", "\n"),
        );
    }
    for w in &d.warnings {
        t.push_str(&format!("\n{w}"));
    }
    t.push('\n');
    t
}

#[derive(Clone)]
struct Disposition(String);
#[derive(Clone)]
struct PartType(String);

impl Header for Disposition {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Disposition")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Disposition(s.to_string()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::dangerous_new_pre_encoded(Self::name(), self.0.clone(), self.0.clone())
    }
}

impl Header for PartType {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Content-Type")
    }
    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(PartType(s.to_string()))
    }
    fn display(&self) -> HeaderValue {
        HeaderValue::dangerous_new_pre_encoded(Self::name(), self.0.clone(), self.0.clone())
    }
}

/// `name` as RFC 2047 encoded-words (base64, ≤ 75 characters each), folded.
fn rfc2047(name: &str) -> String {
    let mut words = Vec::new();
    let mut chunk = String::new();
    for c in name.chars() {
        // 45 bytes of UTF-8 → 60 base64 characters: a word of 72.
        if chunk.len() + c.len_utf8() > 45 {
            words.push(std::mem::take(&mut chunk));
        }
        chunk.push(c);
    }
    if !chunk.is_empty() {
        words.push(chunk);
    }
    words
        .iter()
        .map(|w| format!("=?UTF-8?B?{}?=", base64::engine::general_purpose::STANDARD.encode(w.as_bytes())))
        .collect::<Vec<_>>()
        .join("\r\n ")
}

/// `name` percent-encoded for RFC 2231 (`filename*0*=UTF-8''…`), in continuations short enough
/// for a 78-character line, never splitting a character.
fn rfc2231(param: &str, name: &str) -> String {
    let mut parts = vec![String::new()];
    for c in name.chars() {
        let mut enc = String::new();
        let mut buf = [0u8; 4];
        for b in c.encode_utf8(&mut buf).bytes() {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                enc.push(b as char);
            } else {
                enc.push_str(&format!("%{b:02X}"));
            }
        }
        if parts.last().is_some_and(|p| p.len() + enc.len() > 54) {
            parts.push(String::new());
        }
        if let Some(p) = parts.last_mut() {
            p.push_str(&enc);
        }
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, p)| if i == 0 { format!("{param}*0*=UTF-8''{p}") } else { format!("{param}*{i}*={p}") })
        .collect::<Vec<_>>()
        .join(";\r\n ")
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        Some("pptx") => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        Some("html") => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// An attachment whose name every client shows: `name="=?UTF-8?B?…?="` (RFC 2047, what
/// Outlook, Foxmail and QQ Mail read) and `filename*=UTF-8''…` (RFC 2231, the standard).
fn attachment(name: &str, bytes: Vec<u8>) -> SinglePart {
    let name = header_text(name);
    let plain = name.chars().all(|c| c.is_ascii_alphanumeric() || "-._ ".contains(c));
    let (ct, cd) = if plain {
        (format!("{}; name=\"{name}\"", content_type(&name)), format!("attachment; filename=\"{name}\""))
    } else {
        let words = rfc2047(&name);
        (
            format!("{};\r\n name=\"{words}\"", content_type(&name)),
            format!("attachment;\r\n filename=\"{words}\";\r\n {}", rfc2231("filename", &name)),
        )
    };
    SinglePart::builder()
        .header(PartType(ct))
        .header(Disposition(cd))
        .header(lettre::message::header::ContentTransferEncoding::Base64)
        .body(bytes)
}

/// The mail to `to` for the digest `d`, with `files` (path, SHA-256, bytes) attached.
pub(super) fn message(
    config: &Config,
    d: &Digest,
    to: &str,
    files: &[(PathBuf, String, Vec<u8>)],
) -> anyhow::Result<Message> {
    let from = mailbox(&config.delivery.from).map_err(|e| anyhow::anyhow!("delivery.from: {e}"))?;
    let to = mailbox(to).map_err(|e| anyhow::anyhow!("{to}: {e}"))?;
    let subject = subject(config, d).map_err(|e| anyhow::anyhow!(e))?;
    let mut mixed = MultiPart::mixed().multipart(MultiPart::alternative_plain_html(text_body(d), html_body(d)));
    for (path, _, bytes) in files {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        mixed = mixed.singlepart(attachment(&name, bytes.clone()));
    }
    Ok(Message::builder().from(from).to(to).subject(subject).multipart(mixed)?)
}

/// Send over SMTP as `[delivery.smtp]` says; the server's reply, or why not.
pub(super) fn send(smtp: &SmtpConfig, m: &Message) -> Result<String, String> {
    let tls = || -> Result<TlsParameters, String> {
        let mut b = TlsParameters::builder(smtp.host.clone());
        if !smtp.ca_file.is_empty() {
            let pem =
                std::fs::read(&smtp.ca_file).map_err(|e| format!("delivery.smtp.ca_file {}: {e}", smtp.ca_file))?;
            let cert =
                Certificate::from_pem(&pem).map_err(|e| format!("delivery.smtp.ca_file {}: {e}", smtp.ca_file))?;
            b = b.add_root_certificate(cert);
        }
        b.build_rustls().map_err(|e| e.to_string())
    };
    let tls = match smtp.security {
        Security::Starttls => Tls::Required(tls()?),
        Security::Tls => Tls::Wrapper(tls()?),
        Security::None => Tls::None,
    };
    let mut b = SmtpTransport::builder_dangerous(smtp.host.clone())
        .port(smtp.port)
        .tls(tls)
        .timeout(Some(Duration::from_secs(60)));
    if !smtp.user.is_empty() {
        let password = super::secret(&smtp.password_env)?;
        b = b.credentials(Credentials::new(smtp.user.clone(), password));
    }
    let reply = b.build().send(m).map_err(|e| e.to_string())?;
    Ok(reply.message().collect::<Vec<_>>().join(" ").trim().to_string()).map(|r| format!("{} {r}", reply.code()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(title: &str) -> Digest {
        Digest {
            title: title.into(),
            organisation: "电信".into(),
            branch: None,
            period: "2026-10".into(),
            period_text: "2026年10月".into(),
            lang: "zh".into(),
            sentences: vec!["本月<b>达标</b>。".into()],
            kpis: Vec::new(),
            warnings: Vec::new(),
            files: Vec::new(),
        }
    }

    #[test]
    fn a_line_break_in_a_name_cannot_add_a_header_and_markup_is_text() {
        let mut config = Config::default();
        config.delivery.from = "质量分析 <q@example.cn>".into();
        let d = digest("月报\r\nBcc: evil@example.com");
        let m = message(&config, &d, "a@example.cn", &[]).unwrap();
        let text = String::from_utf8(m.formatted()).unwrap();
        let headers = text.split("\r\n\r\n").next().unwrap();
        assert!(!headers.lines().any(|l| l.to_ascii_lowercase().starts_with("bcc:")), "{headers}");
        assert!(mailbox("a@example.cn\r\nBcc: evil@example.com").is_err());
        assert!(html_body(&d).contains("本月&lt;b&gt;达标&lt;/b&gt;。"));
    }

    #[test]
    fn chinese_attachment_names_in_both_encodings() {
        let part = attachment("服务质量月报-2026-10.xlsx", vec![1, 2, 3]);
        let text = String::from_utf8(part.formatted()).unwrap();
        assert!(text.contains("filename=\"=?UTF-8?B?"), "{text}");
        assert!(text.contains("filename*0*=UTF-8''%E6%9C%8D"), "{text}");
        assert!(text.lines().filter(|l| l.contains("filename")).all(|l| l.len() <= 78), "{text}");
        assert!(text.lines().all(|l| l.len() <= 998), "{text}");
    }
}
