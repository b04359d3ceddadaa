//! Group robots: 企业微信 (WeCom), 钉钉 (DingTalk) and 飞书 (Feishu) custom bots, one JSON POST
//! each in the robot's documented message format, within its limits, signed where the robot
//! asks (钉钉 加签, 飞书 签名校验). Input text is escaped: a branch or metric name cannot make a
//! link, a mention or a font tag.

use std::time::{Duration, Instant};

use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::Digest;
use crate::config::{RobotKind, Webhook};

/// The robot's name in the ledger and outbox.
pub(super) fn name(kind: RobotKind) -> &'static str {
    match kind {
        RobotKind::Wecom => "wecom",
        RobotKind::Dingtalk => "dingtalk",
        RobotKind::Feishu => "feishu",
    }
}

/// The most a message's markdown may hold, in bytes: 企业微信 4096; 钉钉 and 飞书 take more
/// (飞书's whole body ≤ 20 KB), kept at 4000 for a readable message.
fn limit(kind: RobotKind) -> usize {
    match kind {
        RobotKind::Wecom => 4096,
        RobotKind::Dingtalk | RobotKind::Feishu => 4000,
    }
}

/// The least time between two messages to one robot: 企业微信 and 钉钉 take 20 a minute,
/// 飞书 5 a second.
fn spacing(kind: RobotKind) -> Duration {
    match kind {
        RobotKind::Wecom | RobotKind::Dingtalk => Duration::from_millis(3100),
        RobotKind::Feishu => Duration::from_millis(250),
    }
}

/// When each robot (by its URL variable) last got a message in this run.
#[derive(Default)]
pub(super) struct Pacing(Vec<(String, Instant)>);

impl Pacing {
    fn wait(&mut self, key: &str, gap: Duration) {
        if let Some((_, last)) = self.0.iter().find(|(k, _)| k == key) {
            let since = last.elapsed();
            if since < gap {
                std::thread::sleep(gap - since);
            }
        }
        self.0.retain(|(k, _)| k != key);
        self.0.push((key.to_string(), Instant::now()));
    }
}

/// Markdown-safe text: the characters that make links, emphasis, headings, mentions and
/// font tags are written as their full-width forms.
pub(super) fn md(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '[' => '［',
            ']' => '］',
            '(' => '（',
            ')' => '）',
            '<' => '＜',
            '>' => '＞',
            '*' => '＊',
            '_' => '＿',
            '`' => '｀',
            '#' => '＃',
            '~' => '～',
            '|' => '｜',
            '\\' => '＼',
            '@' => '＠',
            '!' => '！',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect()
}

/// The digest as the robot's markdown, within its limit (cut at a line, with "…").
pub(super) fn markdown(kind: RobotKind, d: &Digest) -> String {
    let zh = d.zh();
    let (met, unmet) = if zh { ("达标", "未达标") } else { ("met", "not met") };
    let colour = |ok: bool, word: &str| match kind {
        // 企业微信's markdown colours: info green, warning orange.
        RobotKind::Wecom => format!("<font color=\"{}\">{word}</font>", if ok { "info" } else { "warning" }),
        RobotKind::Dingtalk | RobotKind::Feishu => format!("**{word}**"),
    };
    let mut lines = vec![format!("### {}（{}）", md(&d.title), md(&d.period_text)), md(&d.organisation), String::new()];
    for k in &d.kpis {
        let verdict = match k.met {
            Some(true) => format!("，{}", colour(true, met)),
            Some(false) => format!("，{}", colour(false, unmet)),
            None => String::new(),
        };
        let target = if k.target.is_empty() { String::new() } else { format!("（{}）", md(&k.target)) };
        lines.push(format!("- {}：{}{target}{verdict}", md(&k.label), md(&k.value)));
    }
    let unmet_list = d.unmet();
    if !unmet_list.is_empty() {
        let head = if zh { "未达标指标" } else { "Targets not met" };
        lines.push(String::new());
        lines.push(format!("**{head}**：{}", unmet_list.iter().map(|l| md(l)).collect::<Vec<_>>().join("、")));
    }
    for w in &d.warnings {
        lines.push(String::new());
        lines.push(format!("> {}", md(w)));
    }
    lines.push(String::new());
    let files = if zh { "报告文件" } else { "Files" };
    lines.push(format!("{files}：{}", d.files.iter().map(|f| md(f)).collect::<Vec<_>>().join("、")));
    let mut out = String::new();
    let max = limit(kind) - "\n…".len();
    for l in lines {
        if out.len() + l.len() + 1 > max {
            out.push_str("\n…");
            break;
        }
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&l);
    }
    out
}

/// The JSON body of a message (`signed`: (timestamp, sign) for 飞书's body).
pub(super) fn body(kind: RobotKind, d: &Digest, signed: Option<(String, String)>) -> String {
    let text = markdown(kind, d);
    let title = format!("{}（{}）", md(&d.title), md(&d.period_text));
    let v = match kind {
        RobotKind::Wecom => serde_json::json!({"msgtype": "markdown", "markdown": {"content": text}}),
        RobotKind::Dingtalk => serde_json::json!({"msgtype": "markdown", "markdown": {"title": title, "text": text}}),
        RobotKind::Feishu => {
            let mut v = serde_json::json!({
                "msg_type": "interactive",
                "card": {
                    "header": {"title": {"tag": "plain_text", "content": title}},
                    "elements": [{"tag": "markdown", "content": text}]
                }
            });
            if let Some((ts, sign)) = signed {
                v["timestamp"] = serde_json::Value::String(ts);
                v["sign"] = serde_json::Value::String(sign);
            }
            v
        }
    };
    v.to_string()
}

fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(msg);
    mac.finalize().into_bytes().to_vec()
}

/// 钉钉 加签: base64(HMAC-SHA256(key = secret, "timestamp\nsecret")), URL-encoded.
pub(super) fn dingtalk_sign(timestamp_ms: u128, secret: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD
        .encode(hmac_sha256(secret.as_bytes(), format!("{timestamp_ms}\n{secret}").as_bytes()));
    b64.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// 飞书 签名校验: base64(HMAC-SHA256(key = "timestamp\nsecret", "")).
pub(super) fn feishu_sign(timestamp_s: u64, secret: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(hmac_sha256(format!("{timestamp_s}\n{secret}").as_bytes(), b""))
}

/// 飞书 rejects bursts on the hour and the half hour (error 11232): a message due in the
/// first minute after :00 or :30 waits for the next minute.
fn spread_feishu() {
    use chrono::Timelike;
    let now = chrono::Local::now();
    if now.minute().is_multiple_of(30) {
        std::thread::sleep(Duration::from_secs(u64::from(60 - now.second()) + 1));
    }
}

/// Post the digest to the robot; its reply, or why it failed.
pub(super) fn post(w: &Webhook, d: &Digest, pacing: &mut Pacing) -> Result<String, String> {
    let url = super::secret(&w.url_env)?;
    let secret = if w.secret_env.is_empty() { None } else { Some(super::secret(&w.secret_env)?) };
    pacing.wait(&w.url_env, spacing(w.kind));
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let (url, body) = match (w.kind, &secret) {
        (RobotKind::Dingtalk, Some(s)) => {
            let ts = now.as_millis();
            let sep = if url.contains('?') { '&' } else { '?' };
            (format!("{url}{sep}timestamp={ts}&sign={}", dingtalk_sign(ts, s)), body(w.kind, d, None))
        }
        (RobotKind::Feishu, s) => {
            if std::env::var_os("SVCQ_NO_SPREAD").is_none() {
                spread_feishu();
            }
            let signed = s.as_ref().map(|s| (now.as_secs().to_string(), feishu_sign(now.as_secs(), s)));
            (url, body(w.kind, d, signed))
        }
        _ => (url, body(w.kind, d, None)),
    };
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .build()
        .into();
    // The URL holds the robot's key: an error names the robot's variable, never the URL.
    let mut resp = agent
        .post(&url)
        .header("Content-Type", "application/json; charset=utf-8")
        .send(body.as_bytes())
        .map_err(|e| format!("{}: {}", w.url_env, scrub(&e.to_string(), &url)))?;
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    let reply = format!("HTTP {status} {}", text.chars().take(300).collect::<String>());
    if status != 200 {
        return Err(reply);
    }
    // Each robot answers 200 with its own error code in the body.
    let v: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
    let code = v.get("errcode").or_else(|| v.get("code")).or_else(|| v.get("StatusCode")).and_then(|c| c.as_i64());
    match code {
        Some(0) => Ok(reply),
        _ => Err(reply),
    }
}

/// `text` without `secret` in it.
fn scrub(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        text.to_string()
    } else {
        text.replace(secret, "***")
    }
}
