//! `svcq.toml`: the configuration (SPEC §5). Defaults live in one commented file,
//! `src/default-config.toml`, which `svcq init-config` prints and [`Config::default`] parses.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::de::{DeTable, DeValue};

use crate::catalog::defs::{MetricId, Shape};
use crate::model::Kind;

/// The default configuration, commented; printed by `svcq init-config`.
pub const DEFAULT_CONFIG: &str = include_str!("default-config.toml");

/// A configuration error: the file and the message (which names the key and line).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The config file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or does not fit the schema.
    #[error("config file {path}: {message}")]
    Invalid {
        /// The config file.
        path: PathBuf,
        /// toml's message with line, column and key.
        message: String,
    },
}

/// The whole configuration.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Titles, file names, language.
    pub report: ReportConfig,
    /// Branch order and aliases.
    pub branches: BranchConfig,
    /// Order-type value mapping.
    pub order_types: OrderTypes,
    /// SLA hours.
    pub sla_hours: SlaHours,
    /// Fault options.
    pub faults: FaultConfig,
    /// Mass-fault incident detection (SPEC §7.4).
    pub incidents: IncidentConfig,
    /// Call options.
    pub calls: CallConfig,
    /// Staffing intervals (SPEC §7.6).
    pub staffing: StaffingConfig,
    /// Survey options.
    pub surveys: SurveyConfig,
    /// Complaint options.
    pub complaints: ComplaintConfig,
    /// Department assessment amounts (SPEC §7.2).
    pub assessment: AssessmentConfig,
    /// Statistics options.
    pub statistics: StatisticsConfig,
    /// Early-warning options.
    pub warning: WarningConfig,
    /// Data-quality threshold.
    pub quality: QualityConfig,
    /// Value parsing options.
    pub ingest: IngestConfig,
    /// Extra header aliases: kind → field → names.
    pub aliases: BTreeMap<Kind, BTreeMap<String, Vec<String>>>,
    /// Kind overrides by file name pattern.
    #[serde(default)]
    pub files: Vec<FileRule>,
    /// Targets.
    pub targets: Vec<Target>,
    /// Who gets the report, by mail and group robots (SPEC §8.4).
    pub delivery: DeliveryConfig,
}

/// `[delivery]`: the mail and the group robots that take the report to its readers.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DeliveryConfig {
    /// The sender, `名称 <address>`.
    pub from: String,
    /// The subject: a tera template over the report's facts (`title`, `period`, `organisation`, `branch`).
    pub subject: String,
    /// Which documents go with each mail.
    pub attach: Vec<OutputKind>,
    /// The mail server.
    pub smtp: SmtpConfig,
    /// The mail recipients.
    #[serde(default)]
    pub recipients: Vec<Recipient>,
    /// The group robots.
    #[serde(default)]
    pub webhooks: Vec<Webhook>,
}

/// `[delivery.smtp]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// Host name (also the name its certificate must carry).
    pub host: String,
    /// Port.
    pub port: u16,
    /// `starttls`, `tls` or `none`.
    pub security: Security,
    /// Login name ("" = no login).
    pub user: String,
    /// The environment variable that holds the password.
    pub password_env: String,
    /// An extra CA certificate (PEM) for an internal mail server; relative to the config file.
    pub ca_file: String,
}

/// How the mail connection is secured.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain connection upgraded by STARTTLS (required).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only when written in the config.
    None,
}

/// `[[delivery.recipients]]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Recipient {
    /// The address.
    pub email: String,
    /// `whole`, or a branch name: that branch's own files.
    #[serde(default = "whole")]
    pub scope: String,
}

/// `[[delivery.webhooks]]`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Webhook {
    /// `wecom`, `dingtalk` or `feishu`.
    pub kind: RobotKind,
    /// The environment variable that holds the robot's URL (it carries its key).
    pub url_env: String,
    /// The environment variable that holds the signing secret ("" = none).
    #[serde(default)]
    pub secret_env: String,
    /// `whole`, or a branch name.
    #[serde(default = "whole")]
    pub scope: String,
}

fn whole() -> String {
    "whole".to_string()
}

/// A group robot's kind.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RobotKind {
    /// 企业微信.
    Wecom,
    /// 钉钉.
    Dingtalk,
    /// 飞书.
    Feishu,
}

/// `[report]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReportConfig {
    /// How many typical cases (本月典型案例) the report tells.
    pub cases: usize,
    /// Report title.
    pub title: String,
    /// Organisation name.
    pub organisation: String,
    /// Output file stem.
    pub file_stem: String,
    /// "zh" or "en".
    pub lang: Lang,
    /// The documents written beside the metrics CSV (which is always written).
    pub outputs: Vec<OutputKind>,
    /// The deck's font (East Asian and Latin text).
    pub deck_font: String,
    /// A site's own deck template (.pptx: its slide master, theme and logo); "" = the
    /// built-in one. A relative path is read from the config file's folder.
    pub deck_template: String,
}

/// A document `report.outputs` can turn on or off.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum OutputKind {
    /// The workbook.
    Xlsx,
    /// The HTML report.
    Html,
    /// The deck.
    Pptx,
}

/// Label language.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// Chinese (default).
    Zh,
    /// English.
    En,
}

/// `[branches]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BranchConfig {
    /// Display order.
    pub order: Vec<String>,
    /// Export name → report name.
    pub aliases: BTreeMap<String, String>,
}

/// `[order_types]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OrderTypes {
    /// Values meaning fault.
    pub fault: Vec<String>,
    /// Values meaning install.
    pub install: Vec<String>,
    /// Values meaning complaint.
    pub complaint: Vec<String>,
}

/// `[sla_hours]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SlaHours {
    /// Fault SLA.
    pub fault: Option<f64>,
    /// Complaint SLA.
    pub complaint: Option<f64>,
    /// Install SLA (none by default).
    pub install: Option<f64>,
    /// Per type ("fault", "install", "complaint") and product.
    pub by_product: BTreeMap<String, BTreeMap<String, f64>>,
}

/// Repeat-fault window mode.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RepeatWindow {
    /// Two or more reports in the month.
    CalendarMonth,
    /// Another report within `rolling_days` before.
    Rolling,
}

/// `[faults]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FaultConfig {
    /// Window mode.
    pub repeat_window: RepeatWindow,
    /// Days for the rolling window.
    pub rolling_days: u32,
    /// Unknown causes.
    pub unknown_causes: Vec<String>,
    /// Top N.
    pub top_n: usize,
}

/// `[staffing]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StaffingConfig {
    /// Interval length in minutes (divides a day).
    pub interval_minutes: u32,
}

/// `[incidents]`: what makes a burst of fault reports at one place an incident.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IncidentConfig {
    /// Digits of the local number that name the place when a report has no site.
    pub prefix_digits: usize,
    /// A report more than this many minutes after the previous one at the place starts a
    /// new burst.
    pub gap_minutes: f64,
    /// Distinct customers a burst needs to be an incident.
    pub min_customers: usize,
}

/// Service-level denominator.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SlDenominator {
    /// Offered calls.
    Offered,
    /// Answered calls.
    Answered,
}

/// `[calls]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CallConfig {
    /// Service-level threshold in seconds.
    pub service_level_seconds: f64,
    /// Short-abandon threshold in seconds.
    pub short_abandon_seconds: f64,
    /// Service-level denominator.
    pub service_level_denominator: SlDenominator,
    /// Repeat-call window in hours.
    pub repeat_call_hours: f64,
}

/// `[surveys]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SurveyConfig {
    /// Satisfied words.
    pub satisfied: Vec<String>,
    /// Unsatisfied words.
    pub unsatisfied: Vec<String>,
    /// Threshold on a 1–5 scale.
    pub min_score_5: f64,
    /// Threshold on a 1–10 scale.
    pub min_score_10: f64,
    /// Reason categories of dissatisfied callbacks, in config order.
    pub reason_categories: ReasonCategories,
}

/// `[surveys.reason_categories]`: category → words, in the order the file gives them (the
/// first category with a word in the reason wins).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReasonCategories(pub Vec<(String, Vec<String>)>);

impl<'de> Deserialize<'de> for ReasonCategories {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = ReasonCategories;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a table of category = [words]")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                use serde::de::Error;
                let mut out = Vec::new();
                while let Some((name, words)) = map.next_entry::<String, Vec<String>>()? {
                    if name.trim().is_empty() || words.iter().any(|w| w.trim().is_empty()) {
                        return Err(A::Error::custom(format!(
                            "key `surveys.reason_categories`: category {name:?} has an empty name or word"
                        )));
                    }
                    out.push((name, words));
                }
                Ok(ReasonCategories(out))
            }
        }
        d.deserialize_map(Visit)
    }
}

impl ReasonCategories {
    /// The category of a reason: the first whose word occurs in it; 其他 when none does;
    /// 未说明 when there is no reason.
    pub fn of(&self, reason: Option<&str>) -> String {
        let Some(r) = reason.map(str::trim).filter(|r| !r.is_empty()) else { return "未说明".into() };
        self.0
            .iter()
            .find(|(_, words)| words.iter().any(|w| r.contains(w.as_str())))
            .map_or("其他".into(), |c| c.0.clone())
    }
}

/// `[complaints]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ComplaintConfig {
    /// Escalation channel words.
    pub escalation_channels: Vec<String>,
}

/// An amount in 元: a number, 0 or more. A negative or non-finite amount is an error that
/// points at its line.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Amount(pub f64);

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let v = f64::deserialize(d)?;
        if !v.is_finite() || v < 0.0 {
            return Err(D::Error::custom(format!("an assessment amount is 元 per case, 0 or more (found {v})")));
        }
        Ok(Amount(v))
    }
}

/// A word of `[assessment.by_department]`: not empty.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Word(pub String);

impl<'de> Deserialize<'de> for Word {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let w = String::deserialize(d)?;
        if w.trim().is_empty() {
            return Err(D::Error::custom("key `assessment.by_department`: an empty word would match every department"));
        }
        Ok(Word(w))
    }
}

/// `[assessment]`: 元 per charged case (SPEC §7.2).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AssessmentConfig {
    /// A late complaint.
    pub overdue: Amount,
    /// A closed complaint whose reply was irregular (reply_ok = false).
    pub irregular_reply: Amount,
    /// A complaint caused by a human error.
    pub human_error: Amount,
    /// A justified complaint, charged to its branch.
    pub justified: Amount,
    /// Per-department amounts: a department whose name contains the word (the longest such
    /// word wins) uses the amounts it sets.
    pub by_department: BTreeMap<Word, AssessmentOverride>,
}

/// `[assessment.by_department]` entry: the items it sets.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AssessmentOverride {
    /// A late complaint.
    pub overdue: Option<Amount>,
    /// An irregular reply.
    pub irregular_reply: Option<Amount>,
    /// A human error.
    pub human_error: Option<Amount>,
}

/// `[statistics]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct StatisticsConfig {
    /// Small-sample size.
    pub small_sample: u64,
}

/// `[warning]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WarningConfig {
    /// Coefficient.
    pub coefficient: f64,
    /// Protection value.
    pub protection: f64,
    /// Months in the baseline.
    pub baseline_months: usize,
}

/// `[quality]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct QualityConfig {
    /// Maximum rejected share before exit code 3.
    pub max_rejected_share: f64,
}

/// Date system of plain numbers.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
pub enum DateSystem {
    /// From the workbook.
    #[serde(rename = "auto")]
    Auto,
    /// 1900 system.
    #[serde(rename = "1900")]
    S1900,
    /// 1904 system.
    #[serde(rename = "1904")]
    S1904,
}

/// `[ingest]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct IngestConfig {
    /// Date system.
    pub date_system: DateSystem,
    /// Missing-value tokens.
    pub missing: Vec<String>,
}

/// `[[files]]`: force a kind for matching file names, and give fields their exports lack.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct FileRule {
    /// Wildcard pattern on the file name (`*`, `?`).
    pub pattern: String,
    /// The kind.
    pub kind: Kind,
    /// Order type for work orders without a type column.
    pub order_type: Option<String>,
    /// Any other field of the kind set to a constant for these files (`branch = "安岳"`,
    /// `product = "ADSL"`), used where the sheet has no column for it; `branch =
    /// "from_name"`: the one known branch name the file name or title row holds.
    #[serde(flatten)]
    pub fields: std::collections::BTreeMap<String, String>,
}

impl FileRule {
    /// The branch comes from the file name or title row.
    pub fn branch_from_name(&self) -> bool {
        self.fields.get("branch").is_some_and(|v| v == "from_name")
    }
}

/// Target direction.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
pub enum Op {
    /// At least.
    #[serde(rename = ">=")]
    Ge,
    /// At most.
    #[serde(rename = "<=")]
    Le,
}

/// `[[targets]]`
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The metric: a known id with ungrouped rows (toml reports the line of a bad one).
    #[serde(deserialize_with = "target_metric")]
    pub metric: MetricId,
    /// Direction.
    pub op: Op,
    /// Target value (a fraction for rates).
    pub value: f64,
    /// Level name, e.g. 省公司考核.
    #[serde(default = "default_level")]
    pub level: String,
    /// Only for this product.
    pub product: Option<String>,
    /// Only for this branch.
    pub branch: Option<String>,
}

fn target_metric<'de, D: serde::Deserializer<'de>>(d: D) -> Result<MetricId, D::Error> {
    use serde::de::Error;
    let text = String::deserialize(d)?;
    let id: MetricId = text.parse().map_err(|e| D::Error::custom(format!("key `targets.metric`: {e}")))?;
    if id.shape() == Shape::GroupOnly {
        return Err(D::Error::custom(format!(
            "key `targets.metric`: `{id}` has only grouped rows (ranks or shares), a target cannot apply to it"
        )));
    }
    Ok(id)
}

fn default_level() -> String {
    "考核目标".to_string()
}

impl Config {
    /// The config of one branch's own report: the branch order is that branch alone; targets
    /// set for the branch apply to its totals (ahead of the general ones, which they override)
    /// and other branches' targets are dropped; only the department words that name one of
    /// `departments` stay (the others charge nothing in this branch, and name other units).
    pub fn for_branch(&self, branch: &str, departments: &[&str]) -> Config {
        let mut c = self.clone();
        c.branches.order.retain(|b| b == branch);
        let own = self.targets.iter().filter(|t| t.branch.as_deref() == Some(branch));
        let mut targets: Vec<Target> = own.map(|t| Target { branch: None, ..t.clone() }).collect();
        targets.extend(self.targets.iter().filter(|t| t.branch.is_none()).cloned());
        c.targets = targets;
        c.assessment.by_department.retain(|w, _| departments.iter().any(|d| d.contains(w.0.as_str())));
        c
    }

    /// Parse a config text; keys it leaves out take the built-in defaults of
    /// [`DEFAULT_CONFIG`] (`[[targets]]` given in the file replace the default targets).
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let invalid = |mut e: toml::de::Error| {
            e.set_input(Some(text));
            ConfigError::Invalid { path: path.to_path_buf(), message: e.to_string() }
        };
        let mut table = DeTable::parse(text).map_err(invalid)?;
        let defaults = DeTable::parse(DEFAULT_CONFIG).expect("the built-in default config parses");
        merge_defaults(table.get_mut(), defaults.into_inner(), "");
        let config = Config::deserialize(toml::de::Deserializer::from(table)).map_err(invalid)?;
        config.validate(path)?;
        Ok(config)
    }

    /// Load from a file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
        let mut config = Config::parse(&text, path)?;
        // The mail server's extra CA is where the config says, from the config's folder.
        let ca = Path::new(&config.delivery.smtp.ca_file);
        if !config.delivery.smtp.ca_file.is_empty() && ca.is_relative() {
            if let Some(dir) = path.parent() {
                config.delivery.smtp.ca_file = dir.join(ca).to_string_lossy().into_owned();
            }
        }
        // The deck template is where the config says, from the config's folder.
        let template = Path::new(&config.report.deck_template);
        if !config.report.deck_template.is_empty() && template.is_relative() {
            if let Some(dir) = path.parent() {
                config.report.deck_template = dir.join(template).to_string_lossy().into_owned();
            }
        }
        Ok(config)
    }

    fn validate(&self, path: &Path) -> Result<(), ConfigError> {
        let bad = |m: String| Err(ConfigError::Invalid { path: path.to_path_buf(), message: m });
        for (kind, fields) in &self.aliases {
            for field in fields.keys() {
                if !kind.fields().iter().any(|(f, _)| f == field) {
                    let known: Vec<_> = kind.fields().iter().map(|(f, _)| *f).collect();
                    return bad(format!(
                        "key `aliases.{kind}.{field}`: unknown field `{field}`, expected one of {}",
                        known.join(", ")
                    ));
                }
            }
        }
        for (i, rule) in self.files.iter().enumerate() {
            for field in rule.fields.keys() {
                if !rule.kind.fields().iter().any(|(f, _)| f == field) {
                    let known: Vec<_> = rule.kind.fields().iter().map(|(f, _)| *f).collect();
                    return bad(format!(
                        "key `files[{i}].{field}` (pattern {:?}): unknown field `{field}` of {}, expected one of pattern, kind, order_type, {}",
                        rule.pattern,
                        rule.kind.id(),
                        known.join(", ")
                    ));
                }
            }
        }
        let m = self.staffing.interval_minutes;
        if !(5..=120).contains(&m) || 1440 % m != 0 {
            return bad(format!(
                "key `staffing.interval_minutes`: {m} must divide a day (15, 30, 60, …) and be 5 to 120"
            ));
        }
        let inc = &self.incidents;
        if !(1..=18).contains(&inc.prefix_digits) {
            return bad("key `incidents.prefix_digits`: must be between 1 and 18".into());
        }
        if !(inc.gap_minutes.is_finite() && inc.gap_minutes >= 0.0) {
            return bad("key `incidents.gap_minutes`: must be a number of minutes, 0 or more".into());
        }
        if inc.min_customers < 2 {
            return bad("key `incidents.min_customers`: must be 2 or more".into());
        }
        if !(0.0..=1.0).contains(&self.quality.max_rejected_share) {
            return bad("key `quality.max_rejected_share`: must be between 0 and 1".into());
        }
        Ok(())
    }

    /// Extra aliases in the form the header matcher takes.
    pub fn alias_map(&self) -> HashMap<Kind, HashMap<String, Vec<String>>> {
        self.aliases.iter().map(|(k, m)| (*k, m.iter().map(|(f, v)| (f.clone(), v.clone())).collect())).collect()
    }
}

impl Default for Config {
    /// The built-in defaults: `src/default-config.toml`, the one place they are written.
    fn default() -> Self {
        Config::parse(DEFAULT_CONFIG, Path::new("default-config.toml")).expect("the built-in default config is valid")
    }
}

/// Tables the user's file replaces whole instead of merging key by key (lists of the user's
/// own names).
const REPLACED_WHOLE: &[&str] = &["surveys.reason_categories"];

/// Fill every key the user's table leaves out from the default table (tables merge key by
/// key, but for [`REPLACED_WHOLE`]; arrays such as `[[targets]]` given by the user replace the
/// default ones).
fn merge_defaults<'i>(user: &mut DeTable<'i>, defaults: DeTable<'i>, path: &str) {
    for (key, value) in defaults {
        match user.iter_mut().find(|(k, _)| k.get_ref() == key.get_ref()) {
            None => {
                user.insert(key, value);
            }
            Some((k, mine)) => {
                let path = if path.is_empty() { k.get_ref().to_string() } else { format!("{path}.{}", k.get_ref()) };
                if REPLACED_WHOLE.contains(&path.as_str()) {
                    continue;
                }
                if let (DeValue::Table(mine), DeValue::Table(theirs)) = (mine.get_mut(), value.into_inner()) {
                    merge_defaults(mine, theirs, &path);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_rules_set_constant_fields_of_their_kind() {
        let c = Config::parse(
            "[[files]]\npattern = \"*_工单_*\"\nkind = \"work_orders\"\nbranch = \"from_name\"\nproduct = \"ADSL\"\n",
            Path::new("x.toml"),
        )
        .unwrap();
        assert!(c.files[0].branch_from_name());
        assert_eq!(c.files[0].fields["product"], "ADSL");
        let e =
            Config::parse("[[files]]\npattern = \"a\"\nkind = \"calls\"\nproduct = \"ADSL\"\n", Path::new("x.toml"))
                .unwrap_err()
                .to_string();
        assert!(e.contains("key `files[0].product`") && e.contains("unknown field `product` of calls"), "{e}");
    }

    #[test]
    fn default_config_text_equals_built_in_defaults() {
        // An empty file is the defaults; the defaults are the commented file, complete.
        assert_eq!(Config::parse("", Path::new("empty.toml")).unwrap(), Config::default());
        let c = Config::default();
        assert_eq!(c.ingest.missing, crate::ingest::value::DEFAULT_MISSING);
        assert_eq!(c.report.file_stem, "service-quality");
        assert_eq!(c.sla_hours.fault, Some(24.0));
        assert_eq!(c.sla_hours.install, None);
        assert_eq!(c.statistics.small_sample, 30);
        assert_eq!(c.targets.len(), 7);
        assert_eq!(c.quality.max_rejected_share, 0.01);
        assert_eq!(c.faults.repeat_window, RepeatWindow::CalendarMonth);
    }

    #[test]
    fn partial_file_merges_over_defaults() {
        let c = Config::parse("[calls]\nservice_level_seconds = 15\n", Path::new("x.toml")).unwrap();
        assert_eq!(c.calls.service_level_seconds, 15.0);
        assert_eq!(c.calls.repeat_call_hours, 48.0);
        assert_eq!(c.targets.len(), 7, "default targets stay when none are given");
        let c = Config::parse(
            "[[targets]]\nmetric = \"fault.repeat_rate\"\nop = \"<=\"\nvalue = 0.05\nlevel = \"市公司考核\"\nproduct = \"E8\"\n",
            Path::new("x.toml"),
        )
        .unwrap();
        assert_eq!(c.targets.len(), 1);
        assert_eq!(c.targets[0].product.as_deref(), Some("E8"));
        let c = Config::parse("[branches]\naliases = { \"资阳现业\" = \"现业\" }\n", Path::new("x.toml")).unwrap();
        assert_eq!(c.branches.aliases["资阳现业"], "现业");
    }

    #[test]
    fn unknown_key_names_key_and_line() {
        let err =
            Config::parse("[report]\ntitle = \"x\"\n\n[calls]\nservice_levle_seconds = 15\n", Path::new("svcq.toml"))
                .unwrap_err()
                .to_string();
        assert!(err.contains("svcq.toml"), "{err}");
        assert!(err.contains("service_levle_seconds"), "{err}");
        assert!(err.contains("line 5"), "{err}");
    }

    #[test]
    fn unknown_or_grouped_target_metric_names_key_and_line() {
        let text = "[calls]\nservice_level_seconds = 15\n\n[[targets]]\nmetric = \"install.ontime_rat\"\nop = \">=\"\nvalue = 0.9\n";
        let err = Config::parse(text, Path::new("svcq.toml")).unwrap_err().to_string();
        assert!(err.contains("svcq.toml"), "{err}");
        assert!(err.contains("line 5"), "{err}");
        assert!(err.contains("targets.metric"), "{err}");
        assert!(err.contains("unknown metric id `install.ontime_rat`"), "{err}");
        assert!(err.contains("did you mean `install.ontime_rate`"), "{err}");
        let text = "[[targets]]\nmetric = \"fault.top_causes\"\nop = \"<=\"\nvalue = 0.2\n";
        let err = Config::parse(text, Path::new("svcq.toml")).unwrap_err().to_string();
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("only grouped rows"), "{err}");
    }

    #[test]
    fn reason_categories_keep_their_order_and_replace_the_defaults() {
        let c = Config::default();
        let names: Vec<&str> = c.surveys.reason_categories.0.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(names, ["处理不及时", "服务态度", "网络质量", "费用争议"]);
        // A reason with words of two categories: the first in config order wins.
        assert_eq!(c.surveys.reason_categories.of(Some("上门太慢还多收费")), "处理不及时");
        assert_eq!(c.surveys.reason_categories.of(Some("多收费")), "费用争议");
        assert_eq!(c.surveys.reason_categories.of(Some("  ")), "未说明");
        assert_eq!(c.surveys.reason_categories.of(None), "未说明");
        assert_eq!(c.surveys.reason_categories.of(Some("没说清楚")), "其他");
        let c = Config::parse(
            "[surveys.reason_categories]\n\"费用争议\" = [\"费\"]\n\"处理不及时\" = [\"慢\"]\n",
            Path::new("x.toml"),
        )
        .unwrap();
        let names: Vec<&str> = c.surveys.reason_categories.0.iter().map(|c| c.0.as_str()).collect();
        assert_eq!(names, ["费用争议", "处理不及时"], "the user's table, in its order, replaces the default");
        assert_eq!(c.surveys.reason_categories.of(Some("上门太慢还多收费")), "费用争议");
        let err = Config::parse("[surveys.reason_categories]\n\"x\" = [\"\"]\n", Path::new("x.toml")).unwrap_err();
        assert!(err.to_string().contains("line 1") && err.to_string().contains("empty name or word"), "{err}");
    }

    #[test]
    fn wrong_type_names_key_and_line() {
        let err = Config::parse("\n[statistics]\nsmall_sample = \"thirty\"\n", Path::new("svcq.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("small_sample"), "{err}");
        assert!(err.contains("line 3"), "{err}");
        let err =
            Config::parse("[aliases.calls]\nwait_secs = [\"x\"]\n", Path::new("svcq.toml")).unwrap_err().to_string();
        assert!(err.contains("wait_secs"), "{err}");
    }
}
