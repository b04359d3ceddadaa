//! The one aggregation every section uses: a polars frame of per-record indicator columns
//! (plus `branch` and `product`), summed in total, per branch and — for per-product
//! metrics — per product and per branch × product.

use polars::prelude::*;

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

fn exprs(specs: &[Spec]) -> Vec<Expr> {
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
                out.push(col(c).quantile(lit(q), QuantileMethod::Linear).alias(format!("n{i}")));
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
    let mut rows = Vec::new();
    for keys in levels {
        let lf = df.clone().lazy();
        let out = if keys.is_empty() {
            lf.select(exprs(specs)).collect()?
        } else {
            let by: Vec<Expr> = keys.iter().map(|k| col(*k)).collect();
            lf.group_by_stable(by).agg(exprs(specs)).collect()?
        };
        let key_values: Vec<Vec<String>> = keys.iter().map(|k| strings(&out, k)).collect::<PolarsResult<_>>()?;
        let mut nums = Vec::new();
        let mut dens = Vec::new();
        for (k, s) in specs.iter().enumerate() {
            nums.push(f64s(&out, &format!("n{k}"))?);
            dens.push(if matches!(s.agg, Agg::Count(_)) {
                vec![None; out.height()]
            } else {
                f64s(&out, &format!("d{k}"))?
            });
        }
        for i in 0..out.height() {
            let (mut branch, mut product, mut group) = (String::new(), String::new(), Group::None);
            for (k, values) in keys.iter().zip(&key_values) {
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
                        Some(v) if d > 0.0 => {
                            MetricRow { denominator: Some(d), value: Some(v), ..MetricRow::new(s.id) }
                        }
                        _ => continue,
                    },
                };
                rows.push(MetricRow { branch: branch.clone(), product: product.clone(), group: group.clone(), ..row });
            }
        }
    }
    Ok(rows)
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
