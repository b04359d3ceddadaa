//! The one aggregation every section uses: a polars frame of per-record indicator columns
//! (plus `branch` and `product`), summed in total, per branch and — for per-product
//! metrics — per product and per branch × product.

use polars::prelude::*;
use rayon::iter::{IndexedParallelIterator as _, IntoParallelRefIterator as _, ParallelIterator as _};

use super::{Group, MetricId, MetricRow};

/// How a metric is computed from the frame's columns.
#[derive(Debug, Clone, Copy)]
pub(super) enum Agg {
    /// Sum of a 0/1 (or count) column.
    Count(&'static str),
    /// Sum of numerator column / sum of denominator column (absent when the denominator is 0).
    Rate(&'static str, &'static str),
    /// Mean of the non-null values of a column.
    Mean(&'static str),
    /// Quantile (linear interpolation) of the non-null values of a column.
    Quantile(&'static str, f64),
}

/// One metric of a frame.
#[derive(Debug, Clone, Copy)]
pub(super) struct Spec {
    /// The metric.
    pub id: MetricId,
    /// Computation.
    pub agg: Agg,
}

/// Shorthand constructors.
pub(super) const fn count(id: MetricId, col: &'static str) -> Spec {
    Spec { id, agg: Agg::Count(col) }
}
/// A rate.
pub(super) const fn rate(id: MetricId, num: &'static str, den: &'static str) -> Spec {
    Spec { id, agg: Agg::Rate(num, den) }
}
/// A mean.
pub(super) const fn mean(id: MetricId, col: &'static str) -> Spec {
    Spec { id, agg: Agg::Mean(col) }
}
/// A quantile.
pub(super) const fn quantile(id: MetricId, col: &'static str, q: f64) -> Spec {
    Spec { id, agg: Agg::Quantile(col, q) }
}

/// A frame column of f64 values built from records.
pub(super) fn f64_col<T>(name: &str, rows: &[T], f: impl Fn(&T) -> Option<f64>) -> Column {
    Float64Chunked::from_iter_options(name.into(), rows.iter().map(f)).into_column()
}

/// A boolean frame column from a predicate (summed, it counts the rows where it holds).
pub(super) fn flag<T>(name: &str, rows: &[T], f: impl Fn(&T) -> bool) -> Column {
    BooleanChunked::from_iter_values(name.into(), rows.iter().map(f)).into_column()
}

/// A frame column of dictionary codes (`u32`): a text key stored in 4 bytes a row instead of
/// a string view and its text. [`decode_branches`] turns the rows' codes back into names.
pub(super) fn code_col<T>(name: &str, rows: &[T], f: impl Fn(&T) -> u32) -> Column {
    UInt32Chunked::from_iter_values(name.into(), rows.iter().map(f)).into_column()
}

/// Put the names back into rows aggregated on a `branch` column of codes: `names[code]`.
pub(super) fn decode_branches(rows: &mut [MetricRow], names: &[&str]) {
    for r in rows.iter_mut() {
        decode(&mut r.branch, names);
    }
}

/// Put the names back into rows aggregated on `branch` and `product` columns of a work
/// order's label codes ([`crate::model::columns::Labels`]: never missing, so a code is a name).
pub(super) fn decode_labels(rows: &mut [MetricRow], branches: &[Box<str>], products: &[Box<str>]) {
    for r in rows.iter_mut() {
        decode(&mut r.branch, branches);
        decode(&mut r.product, products);
    }
}

/// A key aggregated as a code (its text, non-empty) turned back into `names[code]`.
fn decode(key: &mut String, names: &[impl AsRef<str>]) {
    if key.is_empty() {
        return;
    }
    if let Some(name) = key.parse::<usize>().ok().and_then(|c| names.get(c)) {
        *key = name.as_ref().to_string();
    }
}

/// A frame column of a [`crate::model::columns::Dict`]'s codes, null where the value is
/// missing.
pub(super) fn dict_col<T>(name: &str, rows: &[T], f: impl Fn(&T) -> u32) -> Column {
    let none = crate::model::columns::NONE;
    UInt32Chunked::from_iter_options(name.into(), rows.iter().map(|r| Some(f(r)).filter(|&c| c != none))).into_column()
}

/// A frame column of text borrowed from the records.
pub(super) fn str_col<'a, T>(name: &str, rows: &'a [T], f: impl Fn(&'a T) -> &'a str) -> Column {
    Column::new(name.into(), rows.iter().map(f).collect::<Vec<&str>>())
}

/// The frame's expressions for `specs`; a quantile's own value only when `quantiles` is
/// false (else it is computed by [`Quantiles`], its count still here).
fn exprs(specs: &[Spec], quantiles: bool) -> Vec<Expr> {
    let mut out = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        match s.agg {
            Agg::Count(c) => out.push(col(c).sum().alias(format!("n{i}"))),
            Agg::Rate(n, d) => {
                out.push(col(n).sum().alias(format!("n{i}")));
                out.push(col(d).sum().alias(format!("d{i}")));
            }
            Agg::Mean(c) => {
                out.push(col(c).sum().alias(format!("n{i}")));
                out.push(col(c).count().cast(DataType::Float64).alias(format!("d{i}")));
            }
            Agg::Quantile(c, q) => {
                if quantiles {
                    out.push(col(c).quantile(lit(q), QuantileMethod::Linear).alias(format!("n{i}")));
                }
                out.push(col(c).count().cast(DataType::Float64).alias(format!("d{i}")));
            }
        }
    }
    out
}

/// A column as f64 values.
fn f64s(df: &DataFrame, name: &str) -> PolarsResult<Vec<Option<f64>>> {
    let c = df.column(name)?.cast(&DataType::Float64)?;
    let ca = c.f64()?;
    Ok((0..ca.len()).map(|i| ca.get(i)).collect())
}

/// A column as text (dates as YYYY-MM-DD).
fn strings(df: &DataFrame, name: &str) -> PolarsResult<Vec<String>> {
    let c = df.column(name)?.cast(&DataType::String)?;
    let ca = c.str()?;
    Ok((0..ca.len()).map(|i| ca.get(i).unwrap_or_default().to_string()).collect())
}

/// Quantiles of a frame's columns at each level of an [`aggregate`], as polars computes them
/// there (linear interpolation; in a group with missing values, an index counted over the
/// whole group, missing values first): one sort of each column's values for every level and
/// both quantiles, where polars sorted each group again for each quantile (~0.1 CPU-s of a
/// province month's faults). Only for levels of at most two keys of codes (`u32`), as every
/// frame with a quantile has; else polars computes them.
struct Quantiles {
    /// Per quantile column: its non-missing values in ascending order, with their rows.
    sorted: Vec<Sorted>,
}

/// A quantile column: its name, its present values in ascending order with their rows, and
/// the rows where it is missing.
type Sorted = (&'static str, Vec<(f64, u32)>, Vec<u32>);

/// Each group's present values in ascending order and its count of missing values.
type Groups = rustc_hash::FxHashMap<u64, (Vec<f64>, usize)>;

impl Quantiles {
    fn of(df: &DataFrame, specs: &[Spec], levels: &[&[&str]]) -> PolarsResult<Option<Quantiles>> {
        let cols: Vec<&'static str> =
            specs.iter().filter_map(|s| if let Agg::Quantile(c, _) = s.agg { Some(c) } else { None }).collect();
        let coded = |k: &&str| df.column(k).is_ok_and(|c| c.dtype() == &DataType::UInt32);
        if cols.is_empty() || levels.iter().any(|keys| keys.len() > 2 || !keys.iter().all(coded)) {
            return Ok(None);
        }
        let mut sorted = Vec::new();
        for c in cols {
            if sorted.iter().any(|(name, _, _)| *name == c) {
                continue;
            }
            let values = df.column(c)?.cast(&DataType::Float64)?;
            let values = values.f64()?;
            let mut present: Vec<(f64, u32)> = Vec::with_capacity(values.len());
            let mut missing = Vec::new();
            for (i, v) in values.iter().enumerate() {
                match v {
                    Some(v) => present.push((v, i as u32)),
                    None => missing.push(i as u32),
                }
            }
            // Rows are unique: an unstable sort gives the one order, on every core (a group's
            // month has millions of restoration times).
            {
                use rayon::slice::ParallelSliceMut as _;
                present.par_sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            }
            sorted.push((c, present, missing));
        }
        Ok(Some(Quantiles { sorted }))
    }

    /// Each quantile column's groups at the level on `keys` (a level's quantiles share them):
    /// each group's values in ascending order (the column's order kept) and its missing count.
    fn level(&self, df: &DataFrame, keys: &[&str]) -> PolarsResult<Vec<(&'static str, Groups)>> {
        if keys.is_empty() {
            // One group, every row: the values are the column's, already in order.
            return Ok(self
                .sorted
                .iter()
                .map(|(c, present, missing)| {
                    let mut groups = Groups::default();
                    groups.insert(0, (present.iter().map(|p| p.0).collect(), missing.len()));
                    (*c, groups)
                })
                .collect());
        }
        let rows = group_keys(df, keys)?;
        Ok(self
            .sorted
            .iter()
            .map(|(c, present, missing)| {
                let mut groups = Groups::default();
                for &(v, i) in present {
                    groups.entry(rows[i as usize]).or_default().0.push(v);
                }
                for &i in missing {
                    groups.entry(rows[i as usize]).or_default().1 += 1;
                }
                (*c, groups)
            })
            .collect())
    }
}

/// Quantile `q` of column `c` for each row of `out` (a level's aggregation on `keys`), from
/// that level's groups ([`Quantiles::level`]).
fn quantile_of_groups(
    level: &[(&'static str, Groups)],
    out: &DataFrame,
    keys: &[&str],
    c: &str,
    q: f64,
) -> PolarsResult<Vec<Option<f64>>> {
    let groups =
        level.iter().find(|(name, _)| *name == c).map(|(_, g)| g).ok_or_else(|| polars_err!(ColumnNotFound: "{c}"))?;
    Ok(group_keys(out, keys)?
        .iter()
        .map(|k| groups.get(k).and_then(|(values, missing)| polars_quantile(values, *missing, q)))
        .collect())
}

/// Each row's group at a level of at most two `u32` keys, as one number (a missing key is
/// 2^32).
fn group_keys(df: &DataFrame, keys: &[&str]) -> PolarsResult<Vec<u64>> {
    let mut out = vec![0u64; df.height()];
    for k in keys {
        let column = df.column(k)?.as_materialized_series().u32()?.clone();
        for (slot, v) in out.iter_mut().zip(column.iter()) {
            *slot = (*slot << 33) | v.map_or(1 << 32, u64::from);
        }
    }
    Ok(out)
}

/// Quantile `q` (linear interpolation) of a group's `sorted` values and `missing` missing
/// ones, as polars 0.55 computes it (`quantile_idx`, `linear_interpol`): the index counts
/// the missing values first.
fn polars_quantile(sorted: &[f64], missing: usize, q: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let length = sorted.len() + missing;
    let float_idx = (sorted.len() as f64 - 1.0) * q + missing as f64;
    let idx = (float_idx as usize).clamp(0, length - 1);
    let top = float_idx.ceil() as usize;
    let at = |i: usize| sorted[i.saturating_sub(missing).min(sorted.len() - 1)];
    let lower = at(idx);
    if idx == top {
        return Some(lower);
    }
    let upper = at(idx + 1);
    Some(if lower == upper { lower } else { (float_idx - idx as f64) * (upper - lower) + lower })
}

/// Total and per branch.
pub(super) const BY_BRANCH: &[&[&str]] = &[&[], &["branch"]];
/// Total, per branch, per product and per branch × product.
pub(super) const BY_BRANCH_PRODUCT: &[&[&str]] = &[&[], &["branch"], &["product"], &["branch", "product"]];

/// Aggregate `specs` over `df` at each level of `levels` (lists of key columns; `[]` is
/// the total). `branch` and `product` keys fill those fields; another key (at most one per
/// level) becomes the row's [`Group`]. Rates get their Wilson interval and the small-sample flag.
pub(super) fn aggregate(
    df: &DataFrame,
    specs: &[Spec],
    levels: &[&[&str]],
    small_sample: u64,
) -> PolarsResult<Vec<MetricRow>> {
    let own = Quantiles::of(df, specs, levels)?;
    // The levels are independent: each on whichever core is free, their rows in order (at a
    // group's month the faults' four levels were the metrics stage's last work, on one core).
    let per_level = levels.par_iter().with_max_len(1).map(|keys| -> PolarsResult<Vec<MetricRow>> {
        let mut rows = Vec::new();
        let lf = df.clone().lazy();
        let polars_quantiles = own.is_none();
        let level = own.as_ref().map(|o| o.level(df, keys)).transpose()?;
        let out = if keys.is_empty() {
            lf.select(exprs(specs, polars_quantiles)).collect()?
        } else {
            let by: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
            lf.group_by_stable(by).agg(exprs(specs, polars_quantiles)).collect()?
        };
        let key_values: Vec<Vec<String>> = keys.iter().map(|k| strings(&out, k)).collect::<PolarsResult<_>>()?;
        let mut nums = Vec::new();
        let mut dens = Vec::new();
        for (k, s) in specs.iter().enumerate() {
            nums.push(match (s.agg, &level) {
                (Agg::Quantile(c, q), Some(level)) => quantile_of_groups(level, &out, keys, c, q)?,
                _ => f64s(&out, &format!("n{k}"))?,
            });
            dens.push(if matches!(s.agg, Agg::Count(_)) {
                vec![None; out.height()]
            } else {
                f64s(&out, &format!("d{k}"))?
            });
        }
        level_rows(&mut rows, specs, keys, &key_values, &nums, &dens, small_sample)?;
        Ok(rows)
    });
    Ok(per_level.collect::<PolarsResult<Vec<Vec<MetricRow>>>>()?.concat())
}

/// The rows of one level of an [`aggregate`]: for each group (its key columns' values as
/// text, `key_values[key][group]`), each spec's row from its summed numerator and denominator
/// (`nums[spec][group]`, `dens[spec][group]`).
pub(super) fn level_rows(
    rows: &mut Vec<MetricRow>,
    specs: &[Spec],
    keys: &[&str],
    key_values: &[Vec<String>],
    nums: &[Vec<Option<f64>>],
    dens: &[Vec<Option<f64>>],
    small_sample: u64,
) -> PolarsResult<()> {
    let groups = nums.first().map_or(0, Vec::len);
    for i in 0..groups {
        let (mut branch, mut product, mut group) = (String::new(), String::new(), Group::None);
        for (k, values) in keys.iter().zip(key_values) {
            let v = values[i].clone();
            match *k {
                "branch" => branch = v,
                "product" => product = v,
                other => {
                    group = Group::of_column(other, v).ok_or_else(
                        || polars_err!(InvalidOperation: "no group of column {other} with value {}", values[i]),
                    )?
                }
            }
        }
        for (k, s) in specs.iter().enumerate() {
            let (n, d) = (nums[k][i], dens[k][i].unwrap_or(0.0));
            let row = match s.agg {
                Agg::Count(_) => {
                    let n = n.unwrap_or(0.0);
                    MetricRow { numerator: Some(n), value: Some(n), ..MetricRow::new(s.id) }
                }
                Agg::Rate(..) | Agg::Mean(_) => {
                    if d <= 0.0 {
                        continue; // denominator 0: the value is absent
                    }
                    let n = n.unwrap_or(0.0);
                    let mut r = MetricRow {
                        numerator: Some(n),
                        denominator: Some(d),
                        value: Some(n / d),
                        ..MetricRow::new(s.id)
                    };
                    if matches!(s.agg, Agg::Rate(..)) {
                        r.set_interval(small_sample);
                    }
                    r
                }
                Agg::Quantile(..) => match n {
                    Some(v) if d > 0.0 => MetricRow { denominator: Some(d), value: Some(v), ..MetricRow::new(s.id) },
                    _ => continue,
                },
            };
            rows.push(MetricRow { branch: branch.clone(), product: product.clone(), group: group.clone(), ..row });
        }
    }
    Ok(())
}

/// The names of a frame's product codes and of its value codes.
pub(super) type CodeNames<'a> = (&'a [Box<str>], &'a [Box<str>]);

/// Count records per value of `key` (non-empty values), at total level and per product when
/// `per_product`: (product, value, count), sorted by count descending then value.
///
/// `names` = (product names, value names) when the frame holds codes instead of texts.
pub(super) fn value_counts(
    df: &DataFrame,
    key: &str,
    per_product: bool,
    names: Option<CodeNames<'_>>,
) -> PolarsResult<Vec<(String, String, f64)>> {
    let mut out = Vec::new();
    let mut levels = vec![vec![key]];
    if per_product {
        levels.push(vec!["product", key]);
    }
    for keys in levels {
        let by: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
        let g = df
            .clone()
            .lazy()
            .filter(col(key).is_not_null())
            .group_by_stable(by)
            .agg([len().cast(DataType::Float64).alias("n")])
            .collect()?;
        let mut products = if keys.len() == 2 { strings(&g, "product")? } else { vec![String::new(); g.height()] };
        let mut values = strings(&g, key)?;
        if let Some((product_names, value_names)) = names {
            products.iter_mut().for_each(|p| decode(p, product_names));
            values.iter_mut().for_each(|v| decode(v, value_names));
        }
        let counts = f64s(&g, "n")?;
        for i in 0..g.height() {
            out.push((products[i].clone(), values[i].clone(), counts[i].unwrap_or(0.0)));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0).then(b.2.total_cmp(&a.2)).then(a.1.cmp(&b.1)));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        #[test]
        fn quantiles_are_those_polars_computes_per_group(
            rows in proptest::collection::vec((0u32..3, 0u32..4, proptest::option::weighted(0.8, -50.0f64..500.0)), 1..120),
            q in proptest::prop_oneof![proptest::strategy::Just(0.5), proptest::strategy::Just(0.9), 0.0f64..=1.0],
        ) {
            // Few groups, missing values among them, repeated values.
            let df = DataFrame::new(
                rows.len(),
                vec![
                    code_col("branch", &rows, |r| r.0),
                    code_col("product", &rows, |r| r.1),
                    f64_col("hours", &rows, |r| r.2.map(|h| (h * 4.0).round() / 4.0)),
                ],
            )
            .unwrap();
            let levels: &[&[&str]] = BY_BRANCH_PRODUCT;
            let ours = aggregate(&df, &[quantile(MetricId::FaultRestoreHoursP90, "hours", q)], levels, 30).unwrap();
            // Polars itself, level by level.
            let mut theirs = Vec::new();
            for keys in levels {
                let e = [col("hours").quantile(lit(q), QuantileMethod::Linear).alias("n0"), col("hours").count().cast(DataType::Float64).alias("d0")];
                let lf = df.clone().lazy();
                let out = if keys.is_empty() {
                    lf.select(e).collect().unwrap()
                } else {
                    lf.group_by_stable(keys.iter().map(|k| col(*k)).collect::<Vec<_>>()).agg(e).collect().unwrap()
                };
                let n = f64s(&out, "n0").unwrap();
                let d = f64s(&out, "d0").unwrap();
                for i in 0..out.height() {
                    if let (Some(v), Some(d)) = (n[i], d[i]) {
                        if d > 0.0 {
                            theirs.push(v);
                        }
                    }
                }
            }
            let ours: Vec<f64> = ours.iter().filter_map(|r| r.value).collect();
            proptest::prop_assert_eq!(ours.iter().map(|v| v.to_bits()).collect::<Vec<_>>(), theirs.iter().map(|v| v.to_bits()).collect::<Vec<_>>());
        }
    }
}
