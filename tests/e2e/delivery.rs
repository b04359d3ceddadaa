//! Delivery (SPEC §8.4) against real servers: an SMTP server process (aiosmtpd) requiring
//! STARTTLS and AUTH with a certificate from a fresh CA, and an HTTP server standing in for
//! the group robots (tests/util/servers.py; `.ci/run` installs aiosmtpd and trustme). The
//! mails received are parsed by Python's email package (tests/util/read_mail.py).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::util::Workdir;

const PASSWORD: &str = "s3cret-Pa55";

/// A server process, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Server {
    fn start(args: &[&str], dir: &Path) -> Server {
        std::fs::create_dir_all(dir).unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/util/servers.py");
        let mut child = Command::new("python3")
            .arg(&script)
            .arg(args[0])
            .arg(dir)
            .args(&args[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(dir.join("server.log")).unwrap())
            .spawn()
            .expect("python3 (pip install aiosmtpd trustme; .ci/run does)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port = line.trim().strip_prefix("PORT ").and_then(|p| p.parse().ok()).unwrap_or_else(|| {
            let _ = child.kill();
            panic!("servers.py {} did not start: {line:?}", args[0])
        });
        Server { child, port, dir: dir.to_path_buf() }
    }

    fn smtp(dir: &Path) -> Server {
        Server::start(&["smtp", "quality", PASSWORD], dir)
    }

    /// The mails received, parsed, in order.
    fn mails(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        files.sort_by_key(|p| {
            p.file_stem().unwrap().to_string_lossy().trim_start_matches("mail-").parse::<u32>().unwrap_or(0)
        });
        if files.is_empty() {
            return Vec::new();
        }
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/util/read_mail.py");
        let out = Command::new("python3").arg(script).args(&files).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap()
    }

    /// The POSTs received, in order.
    fn posts(&self) -> Vec<Value> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("post-"))
            .collect();
        files.sort_by_key(|p| {
            p.file_stem().unwrap().to_string_lossy().trim_start_matches("post-").parse::<u32>().unwrap_or(0)
        });
        files.iter().map(|f| serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap()).collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn config(port: u16, ca: Option<&Path>, extra: &str) -> String {
    format!(
        "[report]\nfile_stem = \"服务质量月报\"\n\n[delivery]\nfrom = \"客户服务部质量分析 <quality@example.cn>\"\n\n[delivery.smtp]\nhost = \"localhost\"\nport = {port}\nsecurity = \"starttls\"\nuser = \"quality\"\npassword_env = \"SVCQ_SMTP_PASSWORD\"\nca_file = \"{}\"\n\n{extra}",
        ca.map(|p| p.display().to_string()).unwrap_or_default()
    )
}

const RECIPIENTS: &str = "[[delivery.recipients]]\nemail = \"manager@example.cn\"\nscope = \"whole\"\n\n[[delivery.recipients]]\nemail = \"东区经理 <east@example.cn>\"\nscope = \"东区分公司\"\n";

fn report(w: &Workdir, extra: &[&str], env: &[(&str, &str)]) -> crate::util::Output {
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/2026-10");
    let mut args = vec!["report", "--input", input.to_str().unwrap(), "--month", "2026-10", "--out", "out"];
    args.extend(extra);
    let mut env = env.to_vec();
    env.push(("SVCQ_DELIVERY_BACKOFF_MS", "20"));
    w.run_env(&args, &env)
}

fn sha(path: &Path) -> String {
    use sha2::Digest;
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// No file under `dir` holds `secret`.
fn nowhere(dir: &Path, secret: &str) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            nowhere(&p, secret);
        } else {
            let bytes = std::fs::read(&p).unwrap();
            assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "{} holds the secret", p.display());
        }
    }
}

#[test]
fn each_recipient_gets_its_own_files_once_and_resend_sends_again() {
    let w = Workdir::new();
    let smtp = Server::smtp(&w.join("smtp"));
    let ca = smtp.dir.join("ca.pem");
    w.write("svcq.toml", config(smtp.port, Some(&ca), RECIPIENTS));
    let env = [("SVCQ_SMTP_PASSWORD", PASSWORD)];
    let out = report(&w, &["--per-branch", "--send"], &env);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(out.stdout.contains("sent to manager@example.cn, 东区经理 <east@example.cn>"), "{}", out.stdout);
    let mails = smtp.mails();
    assert_eq!(mails.len(), 2);
    let (whole, east) = (&mails[0], &mails[1]);
    assert_eq!(whole["to"], "manager@example.cn");
    assert_eq!(whole["subject"], "客户服务质量月报（2026年10月）");
    assert_eq!(east["to"], "东区经理 <east@example.cn>");
    assert_eq!(east["subject"], "客户服务质量月报（东区分公司）（2026年10月）");
    // The attachments: the configured documents of the recipient's own scope, their names
    // readable (Chinese), their bytes the files'.
    let files = |m: &Value| -> Vec<(String, String)> {
        m["attachments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (a["filename"].as_str().unwrap().to_string(), a["sha256"].as_str().unwrap().to_string()))
            .collect()
    };
    let out_dir = w.join("out");
    let branch = out_dir.join("branches/东区分公司");
    assert_eq!(
        files(whole),
        [
            ("服务质量月报-2026-10.xlsx".to_string(), sha(&out_dir.join("服务质量月报-2026-10.xlsx"))),
            ("服务质量月报-2026-10.pptx".to_string(), sha(&out_dir.join("服务质量月报-2026-10.pptx"))),
        ]
    );
    assert_eq!(
        files(east),
        [
            ("服务质量月报-2026-10.xlsx".to_string(), sha(&branch.join("服务质量月报-2026-10.xlsx"))),
            ("服务质量月报-2026-10.pptx".to_string(), sha(&branch.join("服务质量月报-2026-10.pptx"))),
        ],
        "a branch's manager gets the branch's files only"
    );
    // The body: the overview's sentences and the KPI table with 达标, and a text alternative.
    let html = whole["html"].as_str().unwrap();
    assert!(html.contains("人工接通率") && html.contains("达标") && html.contains("#FFC7CE"), "{html}");
    assert!(whole["text"].as_str().unwrap().contains("本月7项考核指标中达标2项"), "{}", whole["text"]);
    assert!(east["text"].as_str().unwrap().contains("全市"), "the branch's own figures beside the whole's");
    // The ledger.
    let ledger: Value = serde_json::from_slice(&std::fs::read(out_dir.join("delivery-2026-10.json")).unwrap()).unwrap();
    let entries = ledger["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[1]["scope"], "东区分公司");
    assert_eq!(entries[1]["result"], "sent");
    assert!(entries[1]["reply"].as_str().unwrap().starts_with("250"), "{}", entries[1]);
    assert_eq!(entries[1]["attachments"][0]["sha256"], sha(&branch.join("服务质量月报-2026-10.xlsx")));

    // A cron rerun sends nothing twice.
    let again = report(&w, &["--per-branch", "--send"], &env);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("already delivered"), "{}", again.stdout);
    assert_eq!(smtp.mails().len(), 2, "no mail twice");
    // `svcq send --resend` does.
    let resend = w.run_env(&["send", "--out", "out", "--month", "2026-10", "--resend"], &env);
    assert_eq!(resend.code, 0, "{}", resend.stderr);
    assert_eq!(smtp.mails().len(), 4);

    // The password is in no output and no file.
    for o in [&out, &again, &resend] {
        assert!(!o.stdout.contains(PASSWORD) && !o.stderr.contains(PASSWORD));
    }
    nowhere(&out_dir, PASSWORD);
}

#[test]
fn a_server_down_or_an_untrusted_certificate_is_exit_4_naming_the_recipient() {
    let w = Workdir::new();
    // Nothing listens on this port.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    w.write("svcq.toml", config(port, None, RECIPIENTS.split("\n\n").next().unwrap()));
    let env = [("SVCQ_SMTP_PASSWORD", PASSWORD)];
    let out = report(&w, &["--send"], &env);
    assert_eq!(out.code, 4, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("not delivered to manager@example.cn"), "{}", out.stderr);
    assert!(w.join("out/服务质量月报-2026-10.xlsx").is_file(), "the report is written");
    let ledger: Value = serde_json::from_slice(&std::fs::read(w.join("out/delivery-2026-10.json")).unwrap()).unwrap();
    assert_eq!(ledger["entries"][0]["result"], "failed");
    assert_eq!(ledger["entries"][0]["attempts"], 3, "three tries");

    // A server whose certificate no configured CA signed.
    let smtp = Server::smtp(&w.join("smtp"));
    w.write("svcq.toml", config(smtp.port, None, RECIPIENTS.split("\n\n").next().unwrap()));
    let out = report(&w, &["--send"], &env);
    assert_eq!(out.code, 4, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains("not delivered to manager@example.cn") && out.stderr.contains("certificate"),
        "{}",
        out.stderr
    );
    assert!(smtp.mails().is_empty());
    assert!(!out.stderr.contains(PASSWORD));
}

#[test]
fn a_branch_recipient_without_per_branch_is_a_config_error_before_reading() {
    let w = Workdir::new();
    w.write("svcq.toml", config(25, None, RECIPIENTS));
    let out = report(&w, &["--send"], &[("SVCQ_SMTP_PASSWORD", PASSWORD)]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("东区分公司") && out.stderr.contains("--per-branch"), "{}", out.stderr);
    assert!(!w.join("out").exists(), "nothing read, nothing written");
    // The password must be in the environment before anything is read, too.
    w.write("svcq.toml", config(25, None, RECIPIENTS.split("\n\n").next().unwrap()));
    let out = report(&w, &["--send"], &[]);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("SVCQ_SMTP_PASSWORD"), "{}", out.stderr);
}

#[test]
fn robots_get_their_documented_formats_signed_and_escaped_and_a_dry_run_sends_nothing() {
    let w = Workdir::new();
    let http = Server::start(&["http"], &w.join("http"));
    let base = format!("http://127.0.0.1:{}", http.port);
    let robots = "[report]\norganisation = \"[点我](http://evil.example) <at user_id=\\\"all\\\"></at> *电信*\"\n\n[delivery]\n\n[[delivery.webhooks]]\nkind = \"wecom\"\nurl_env = \"T_WECOM\"\n\n[[delivery.webhooks]]\nkind = \"dingtalk\"\nurl_env = \"T_DING\"\nsecret_env = \"T_DING_SECRET\"\n\n[[delivery.webhooks]]\nkind = \"feishu\"\nurl_env = \"T_FEISHU\"\nsecret_env = \"T_FEISHU_SECRET\"\n";
    w.write("svcq.toml", robots);
    let wecom = format!("{base}/wecom?key=KEY-123");
    let ding = format!("{base}/dingtalk?access_token=TOKEN");
    let feishu = format!("{base}/feishu/hook/abc");
    let env = [
        ("T_WECOM", wecom.as_str()),
        ("T_DING", ding.as_str()),
        ("T_DING_SECRET", "SECding"),
        ("T_FEISHU", feishu.as_str()),
        ("T_FEISHU_SECRET", "SECfeishu"),
        ("SVCQ_NO_SPREAD", "1"),
    ];
    // A dry run writes the messages to the outbox and posts nothing.
    let out = report(&w, &[], &env);
    assert_eq!(out.code, 0, "{}", out.stderr);
    let dry = w.run_env(&["send", "--out", "out", "--month", "2026-10", "--dry-run"], &env);
    assert_eq!(dry.code, 0, "{}", dry.stderr);
    assert_eq!(std::fs::read_dir(w.join("out/outbox")).unwrap().count(), 3);
    assert!(http.posts().is_empty(), "a dry run sends nothing");
    assert!(!w.join("out/delivery-2026-10.json").exists(), "nor marks anything sent");

    let sent = w.run_env(&["send", "--out", "out", "--month", "2026-10"], &env);
    assert_eq!(sent.code, 0, "{}{}", sent.stdout, sent.stderr);
    let posts = http.posts();
    assert_eq!(posts.len(), 3);
    let body = |p: &Value| -> Value { serde_json::from_str(p["body"].as_str().unwrap()).unwrap() };
    // 企业微信: markdown ≤ 4096 bytes.
    let p = posts.iter().find(|p| p["path"] == "/wecom").unwrap();
    assert_eq!(p["query"], "key=KEY-123");
    let b = body(p);
    assert_eq!(b["msgtype"], "markdown");
    let content = b["markdown"]["content"].as_str().unwrap();
    assert!(content.len() <= 4096);
    assert!(content.contains("人工接通率：92.93%（≥85.00%），<font color=\"info\">达标</font>"), "{content}");
    assert!(content.contains("未达标指标"), "{content}");
    // Input text cannot make a link, a mention or emphasis.
    assert!(!content.contains("[点我](") && !content.contains("<at") && !content.contains("*电信*"), "{content}");
    // 钉钉 加签: timestamp and sign in the URL, the sign HMAC-SHA256 of "timestamp\nsecret".
    let p = posts.iter().find(|p| p["path"] == "/dingtalk").unwrap();
    let q = p["query"].as_str().unwrap();
    let ts = q.split('&').find_map(|kv| kv.strip_prefix("timestamp=")).unwrap();
    let sign = q.split('&').find_map(|kv| kv.strip_prefix("sign=")).unwrap();
    assert_eq!(sign, urlencode(&hmac_b64(b"SECding", format!("{ts}\nSECding").as_bytes())));
    let b = body(p);
    assert_eq!(b["msgtype"], "markdown");
    assert!(b["markdown"]["title"].as_str().unwrap().contains("客户服务质量月报"));
    assert!(b["markdown"]["text"].as_str().unwrap().contains("人工接通率"));
    // 飞书: a card with markdown; timestamp and sign in the body.
    let p = posts.iter().find(|p| p["path"] == "/feishu/hook/abc").unwrap();
    let b = body(p);
    assert_eq!(b["msg_type"], "interactive");
    assert_eq!(b["card"]["elements"][0]["tag"], "markdown");
    let ts = b["timestamp"].as_str().unwrap();
    assert_eq!(b["sign"], hmac_b64(format!("{ts}\nSECfeishu").as_bytes(), b""));
    // The ledger names each robot by its variable, never by its URL (which holds its key).
    let ledger = std::fs::read_to_string(w.join("out/delivery-2026-10.json")).unwrap();
    assert!(ledger.contains("wecom:T_WECOM") && !ledger.contains("KEY-123") && !ledger.contains("TOKEN"));
    assert!(!sent.stdout.contains("KEY-123") && !sent.stderr.contains("SECding"));
    // A robot that refuses: exit 4, named.
    w.write("svcq.toml", "[delivery]\n\n[[delivery.webhooks]]\nkind = \"dingtalk\"\nurl_env = \"T_REFUSE\"\n");
    let refuse = format!("{base}/refuse");
    let out = w.run_env(
        &["send", "--out", "out", "--month", "2026-10"],
        &[("T_REFUSE", refuse.as_str()), ("SVCQ_DELIVERY_BACKOFF_MS", "10")],
    );
    assert_eq!(out.code, 4, "{}{}", out.stdout, out.stderr);
    assert!(out.stderr.contains("dingtalk:T_REFUSE") && out.stderr.contains("310000"), "{}", out.stderr);
}

fn hmac_b64(key: &[u8], msg: &[u8]) -> String {
    use base64::Engine;
    use hmac::{KeyInit, Mac};
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).unwrap();
    mac.update(msg);
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

#[test]
fn tls_from_the_first_byte_when_the_config_says_tls() {
    let w = Workdir::new();
    let smtp = Server::start(&["smtps", "quality", PASSWORD], &w.join("smtps"));
    let ca = smtp.dir.join("ca.pem");
    let text = config(smtp.port, Some(&ca), RECIPIENTS.split("\n\n").next().unwrap())
        .replace("security = \"starttls\"", "security = \"tls\"");
    w.write("svcq.toml", text);
    let out = report(&w, &["--send"], &[("SVCQ_SMTP_PASSWORD", PASSWORD)]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    let mails = smtp.mails();
    assert_eq!(mails.len(), 1);
    assert_eq!(mails[0]["to"], "manager@example.cn");
}
