//! Typed columns: the storage of the month's records (issue 10).
//!
//! A record is not a struct of heap strings: each field is a column. Low-cardinality text
//! (branch, product, queue, department, channel, category, phenomenon, cause, site, agent)
//! is dictionary-encoded ([`Dict`]); ids, phone numbers and free text live in one buffer
//! per column ([`Text`]); timestamps are integers (nanoseconds since 1970, exact for every
//! time svcq accepts: years 1970–2200); flags are booleans.

use std::borrow::Cow;

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime};
use rustc_hash::FxHashMap;

/// One column of a table: typed storage with a row value type.
pub trait Column: Default + Clone {
    /// The value of one row.
    type Item<'a>
    where
        Self: 'a;
    /// Append a row's value.
    fn push(&mut self, v: &Self::Item<'_>);
    /// The value of row `i`.
    fn at(&self, i: usize) -> Self::Item<'_>;
    /// Append another column of the same kind (dictionaries are merged).
    fn append(&mut self, other: Self);
    /// The rows whose `keep` is true, in order.
    fn select(&self, keep: &[bool]) -> Self;
    /// Keep only the rows whose `keep` is true, in place.
    fn retain(&mut self, keep: &[bool]);
    /// Make room for `n` more rows.
    fn reserve(&mut self, n: usize);
    /// Number of rows.
    fn rows(&self) -> usize;
    /// Bytes allocated on the heap (capacity, not length): what the column costs in memory.
    fn heap_bytes(&self) -> usize;
    /// The rows in `order`: row `order[k]` becomes row `k`.
    fn gather(&self, order: &[u32]) -> Self;
    /// One column of `parts` in order, allocated once at its final size. In a big column
    /// ([`RELEASE_BYTES`] or more), each part's pages go back to the system as soon as it is
    /// copied ([`crate::memory::release_freed`]), so the month's columns are never held
    /// twice; a small one leaves them to the allocator to reuse (no page faults to redo).
    fn concat(parts: Vec<Self>) -> Self {
        let mut out = Self::default();
        out.reserve(parts.iter().map(Column::rows).sum());
        let release = is_big(&parts);
        for p in parts {
            out.append(p);
            if release {
                crate::memory::release_freed();
            }
        }
        out
    }
}

/// A column of this many bytes or more gives its parts' pages back as it is joined
/// ([`Column::concat`]): 64 MiB, over every column of a province month's calls (45 MB at most)
/// and under most of a group's.
pub const RELEASE_BYTES: usize = 64 << 20;

/// Whether `parts` joined make a big column ([`RELEASE_BYTES`] or more of heap).
fn is_big<C: Column>(parts: &[C]) -> bool {
    parts.iter().map(Column::heap_bytes).sum::<usize>() >= RELEASE_BYTES
}

fn retain_vec<T>(v: &mut Vec<T>, keep: &[bool]) {
    let mut k = keep.iter();
    v.retain(|_| k.next().copied().unwrap_or(false));
}

/// The [`Column`] methods of a newtype that only changes the row value type: storage,
/// selection and concatenation are the inner column's.
macro_rules! inner_column {
    () => {
        fn append(&mut self, other: Self) {
            Column::append(&mut self.0, other.0);
        }
        fn select(&self, keep: &[bool]) -> Self {
            Self(Column::select(&self.0, keep))
        }
        fn retain(&mut self, keep: &[bool]) {
            Column::retain(&mut self.0, keep);
        }
        fn reserve(&mut self, n: usize) {
            Column::reserve(&mut self.0, n);
        }
        fn rows(&self) -> usize {
            Column::rows(&self.0)
        }
        fn heap_bytes(&self) -> usize {
            Column::heap_bytes(&self.0)
        }
        fn gather(&self, order: &[u32]) -> Self {
            Self(Column::gather(&self.0, order))
        }
        fn concat(parts: Vec<Self>) -> Self {
            Self(Column::concat(parts.into_iter().map(|p| p.0).collect()))
        }
    };
}

impl<T: Copy + Default> Column for Vec<T> {
    type Item<'a>
        = T
    where
        T: 'a;
    fn push(&mut self, v: &T) {
        Vec::push(self, *v);
    }
    fn at(&self, i: usize) -> T {
        self[i]
    }
    fn append(&mut self, mut other: Self) {
        if self.is_empty() && self.capacity() < other.len() {
            *self = other;
        } else {
            Vec::append(self, &mut other);
        }
    }
    fn select(&self, keep: &[bool]) -> Self {
        self.iter().zip(keep).filter(|(_, k)| **k).map(|(v, _)| *v).collect()
    }
    fn retain(&mut self, keep: &[bool]) {
        retain_vec(self, keep);
    }
    fn reserve(&mut self, n: usize) {
        Vec::reserve(self, n);
    }
    fn rows(&self) -> usize {
        self.len()
    }
    fn heap_bytes(&self) -> usize {
        self.capacity() * std::mem::size_of::<T>()
    }
    fn gather(&self, order: &[u32]) -> Self {
        order.iter().map(|&i| self[i as usize]).collect()
    }
}

/// Bits of a row end kept per row in [`Text`] (tiny in unit tests, so that they cross the
/// 4 GiB boundaries a real month never reaches).
#[cfg(not(test))]
const LOW_BITS: u32 = 32;
#[cfg(test)]
const LOW_BITS: u32 = 3;

/// Text kept per row (ids, phone numbers, free text): one buffer and row ends.
#[derive(Debug, Clone, Default)]
pub struct Text {
    buf: String,
    /// End of each row in `buf`, its low [`LOW_BITS`] bits (4 bytes a row, not 8); `None`
    /// rows have `start == end` and `present == false`.
    ends: Vec<u32>,
    /// The first row whose end is at least k·2^LOW_BITS, for k = 1, 2, … (empty for a
    /// column under 4 GiB).
    wraps: Vec<usize>,
    present: Vec<bool>,
}

impl Text {
    /// Row `i`, `None` when the cell was missing.
    pub fn get(&self, i: usize) -> Option<&str> {
        if !self.present[i] {
            return None;
        }
        let start = if i == 0 { 0 } else { self.end(i - 1) };
        Some(&self.buf[start..self.end(i)])
    }

    /// Where row `i` ends in `buf`.
    fn end(&self, i: usize) -> usize {
        end_at(&self.ends, &self.wraps, i)
    }

    /// Append a row that ends at `end` in `buf`.
    fn push_end(&mut self, end: usize, present: bool) {
        let high = (end as u64 >> LOW_BITS) as usize;
        while self.wraps.len() < high {
            self.wraps.push(self.ends.len());
        }
        self.ends.push(low_bits(end));
        self.present.push(present);
    }

    /// Append a value.
    pub fn push_str(&mut self, v: Option<&str>) {
        if let Some(v) = v {
            if self.buf.capacity() - self.buf.len() < v.len() {
                self.grow(v.len());
            }
            self.buf.push_str(v);
        }
        self.push_end(self.buf.len(), v.is_some());
    }

    /// Make room in the buffer for `need` more bytes and, when rows were reserved, for the
    /// reserved rows still to come at the average length so far plus a quarter: the buffer
    /// then grows once or twice instead of doubling (each doubling copies it into fresh
    /// pages). Room never written to is never resident.
    #[cold]
    fn grow(&mut self, need: usize) {
        let rows = self.ends.len();
        let to_come = self.ends.capacity() - rows;
        let estimate = if rows >= 64 { (self.buf.len() / rows + 1) * to_come / 4 * 5 } else { 0 };
        self.buf.reserve(need.max(estimate));
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// No rows.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Append `other`'s rows (its buffer copied once).
    fn extend_from(&mut self, other: &Text) {
        let base = self.buf.len();
        self.buf.push_str(&other.buf);
        for i in 0..other.len() {
            self.push_end(base + other.end(i), other.present[i]);
        }
    }
}

/// A [`Text`] gathered in this many rows or more is gathered on every core (a group's calls'
/// numbers were one core's job for ~0.5 s while the other waited).
#[cfg(not(test))]
const PAR_GATHER_ROWS: usize = 1 << 16;
/// (In unit tests both ways are taken: up to 40 rows are gathered there.)
#[cfg(test)]
const PAR_GATHER_ROWS: usize = 5;

/// Rows a core copies at a time in [`Text::gather_on_every_core`].
#[cfg(not(test))]
const GATHER_PIECE: usize = 1 << 14;
#[cfg(test)]
const GATHER_PIECE: usize = 3;

impl Text {
    /// [`Column::gather`] on every core: each row's length and presence read on every core,
    /// the row ends summed in order, then each piece of rows copied by whichever core is free
    /// into its own part of the new buffer.
    fn gather_on_every_core(&self, order: &[u32]) -> Text {
        use rayon::prelude::*;
        let span = |i: usize| (if i == 0 { 0 } else { self.end(i - 1) }, self.end(i));
        let (lens, present): (Vec<u32>, Vec<bool>) = order
            .par_iter()
            .map(|&i| {
                let (s, e) = span(i as usize);
                ((e - s) as u32, self.present[i as usize])
            })
            .unzip();
        let mut out = Text::default();
        out.ends.reserve_exact(order.len());
        let mut end = 0usize;
        for &l in &lens {
            end += l as usize;
            let high = (end as u64 >> LOW_BITS) as usize;
            while out.wraps.len() < high {
                out.wraps.push(out.ends.len());
            }
            out.ends.push(low_bits(end));
        }
        drop(lens);
        out.present = present;
        let mut bytes = vec![0u8; end];
        let mut pieces: Vec<(&[u32], &mut [u8])> = Vec::with_capacity(order.len().div_ceil(GATHER_PIECE));
        let (mut rest, mut at) = (bytes.as_mut_slice(), 0);
        for (k, rows) in order.chunks(GATHER_PIECE).enumerate() {
            let piece_end = out.end(k * GATHER_PIECE + rows.len() - 1);
            let (mine, tail) = std::mem::take(&mut rest).split_at_mut(piece_end - at);
            pieces.push((rows, mine));
            (rest, at) = (tail, piece_end);
        }
        let src = self.buf.as_bytes();
        pieces.into_par_iter().for_each(|(rows, buf)| {
            let mut w = 0;
            for &i in rows {
                let (s, e) = span(i as usize);
                buf[w..w + e - s].copy_from_slice(&src[s..e]);
                w += e - s;
            }
        });
        // Whole rows of a UTF-8 buffer, so UTF-8 (checked, not assumed).
        out.buf = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
        out
    }
}

/// The low [`LOW_BITS`] bits of a row end.
fn low_bits(end: usize) -> u32 {
    (end as u64 & ((1u64 << LOW_BITS) - 1)) as u32
}

/// Where row `i` of a [`Text`] with these `ends` and `wraps` ends in its buffer.
fn end_at(ends: &[u32], wraps: &[usize], i: usize) -> usize {
    let low = ends[i] as usize;
    if wraps.is_empty() {
        return low;
    }
    let high = wraps.partition_point(|&r| r <= i) as u64;
    ((high << LOW_BITS) as usize) | low
}

impl Column for Text {
    type Item<'a> = Option<Cow<'a, str>>;
    fn push(&mut self, v: &Option<Cow<'_, str>>) {
        self.push_str(v.as_deref());
    }
    fn at(&self, i: usize) -> Option<Cow<'_, str>> {
        self.get(i).map(Cow::Borrowed)
    }
    fn append(&mut self, other: Self) {
        if self.is_empty() {
            *self = other;
            return;
        }
        self.extend_from(&other);
    }
    /// A column left empty (a table's column it no longer keeps) stays empty.
    fn select(&self, keep: &[bool]) -> Self {
        let mut out = Text::default();
        if self.is_empty() {
            return out;
        }
        for (i, _) in keep.iter().enumerate().filter(|(_, k)| **k) {
            out.push_str(self.get(i));
        }
        out
    }
    fn retain(&mut self, keep: &[bool]) {
        // Move the kept rows' bytes down in place: whole rows move, so the buffer stays UTF-8.
        let mut bytes = std::mem::take(&mut self.buf).into_bytes();
        let wraps = std::mem::take(&mut self.wraps);
        let (mut start, mut w, mut row) = (0, 0, 0);
        for i in 0..self.ends.len() {
            // Row `i` is read before row `row <= i` is written.
            let end = end_at(&self.ends, &wraps, i);
            if keep.get(i).copied().unwrap_or(false) {
                bytes.copy_within(start..end, w);
                w += end - start;
                while self.wraps.len() < (w as u64 >> LOW_BITS) as usize {
                    self.wraps.push(row);
                }
                self.ends[row] = low_bits(w);
                self.present[row] = self.present[i];
                row += 1;
            }
            start = end;
        }
        bytes.truncate(w);
        self.ends.truncate(row);
        self.present.truncate(row);
        self.buf = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    }
    fn reserve(&mut self, n: usize) {
        self.ends.reserve(n);
        self.present.reserve(n);
    }
    fn rows(&self) -> usize {
        self.len()
    }
    fn heap_bytes(&self) -> usize {
        self.buf.capacity() + self.ends.capacity() * 4 + self.wraps.capacity() * 8 + self.present.capacity()
    }
    /// A column left empty (a table's column it no longer keeps) stays empty. A big one is
    /// gathered on every core ([`Text::gather_on_every_core`]).
    fn gather(&self, order: &[u32]) -> Self {
        let mut out = Text::default();
        if self.is_empty() {
            return out;
        }
        if order.len() >= PAR_GATHER_ROWS {
            return self.gather_on_every_core(order);
        }
        Column::reserve(&mut out, order.len());
        out.buf.reserve(self.buf.len());
        for &i in order {
            out.push_str(self.get(i as usize));
        }
        out
    }
    fn concat(parts: Vec<Self>) -> Self {
        let mut out = Text::default();
        out.reserve(parts.iter().map(Text::len).sum());
        out.buf.reserve(parts.iter().map(|p| p.buf.len()).sum());
        let release = is_big(&parts);
        for p in parts {
            out.extend_from(&p);
            drop(p);
            if release {
                crate::memory::release_freed();
            }
        }
        out
    }
}

/// Text that is never missing (order ids): a [`Text`] whose rows are all present.
#[derive(Debug, Clone, Default)]
pub struct Ids(Text);

impl Ids {
    /// Row `i`.
    pub fn get(&self, i: usize) -> &str {
        self.0.get(i).unwrap_or_default()
    }
}

impl Column for Ids {
    type Item<'a> = Cow<'a, str>;
    fn push(&mut self, v: &Cow<'_, str>) {
        self.0.push_str(Some(v));
    }
    fn at(&self, i: usize) -> Cow<'_, str> {
        Cow::Borrowed(self.get(i))
    }
    inner_column!();
}

/// A text's first fifteen bytes (zero padded) and its length (16 for any longer) as a number
/// whose order is the texts': equal numbers are equal texts when the text is shorter than
/// sixteen bytes ([`is_whole`]); only longer texts must be compared themselves on a tie.
/// For ids that repeat (a customer's reports, [`crate::metrics::fault::units`]): their ties are
/// read from the keys alone; a dictionary's values under 16 bytes are their own key ([`Dict`]).
pub(crate) fn key15(s: &str) -> u128 {
    let b = s.as_bytes();
    let mut k = [0u8; 16];
    let n = b.len().min(15);
    k[..n].copy_from_slice(&b[..n]);
    k[15] = b.len().min(16) as u8;
    u128::from_be_bytes(k)
}

/// Whether a [`key15`] holds its whole text (so that equal keys are equal texts).
pub(crate) fn is_whole(key: u128) -> bool {
    (key as u8) < 16
}

/// Code of a missing value in a [`Dict`].
pub const NONE: u32 = u32::MAX;

/// Dictionary-encoded text: a code per row into the distinct values, in order of first
/// appearance.
#[derive(Debug, Clone, Default)]
pub struct Dict {
    codes: Vec<u32>,
    values: Vec<Box<str>>,
    index: DictIndex,
}

/// The code of each value of a [`Dict`]. Values of up to 15 bytes (branches, queues, agent
/// ids, most labels) are keys in themselves — their bytes and length in 16 bytes — so a
/// lookup reads no text beside the table: at a group's month the agents' table outgrows the
/// nearest cache, and following each key's pointer to its text was half the reading's cost
/// of interning.
#[derive(Debug, Clone, Default)]
struct DictIndex {
    short: FxHashMap<u128, u32>,
    long: FxHashMap<Box<str>, u32>,
}

impl DictIndex {
    /// The 16-byte key ([`key15`]) of a value of up to 15 bytes, which it holds whole.
    fn short_key(v: &str) -> Option<u128> {
        let k = key15(v);
        is_whole(k).then_some(k)
    }

    fn get(&self, v: &str) -> Option<u32> {
        match Self::short_key(v) {
            Some(k) => self.short.get(&k).copied(),
            None => self.long.get(v).copied(),
        }
    }

    fn insert(&mut self, v: &str, code: u32) {
        match Self::short_key(v) {
            Some(k) => self.short.insert(k, code),
            None => self.long.insert(v.into(), code),
        };
    }
}

impl Dict {
    /// Row `i`, `None` when the cell was missing.
    pub fn get(&self, i: usize) -> Option<&str> {
        self.value(self.codes[i])
    }

    /// The code of row `i` ([`NONE`] when missing).
    pub fn code(&self, i: usize) -> u32 {
        self.codes[i]
    }

    /// The text of a code.
    pub fn value(&self, code: u32) -> Option<&str> {
        if code == NONE {
            None
        } else {
            Some(&self.values[code as usize])
        }
    }

    /// The distinct values; a code indexes this list.
    pub fn values(&self) -> &[Box<str>] {
        &self.values
    }

    fn intern(&mut self, v: &str) -> u32 {
        if let Some(c) = self.index.get(v) {
            return c;
        }
        let c = self.values.len() as u32;
        self.values.push(v.into());
        self.index.insert(v, c);
        c
    }

    /// Append a value.
    pub fn push_str(&mut self, v: Option<&str>) {
        let c = match v {
            Some(v) => self.intern(v),
            None => NONE,
        };
        self.codes.push(c);
    }

    /// Replace row `i`'s value.
    pub fn set(&mut self, i: usize, v: Option<&str>) {
        self.codes[i] = match v {
            Some(v) => self.intern(v),
            None => NONE,
        };
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// No rows.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }
}

impl Column for Dict {
    type Item<'a> = Option<Cow<'a, str>>;
    fn push(&mut self, v: &Option<Cow<'_, str>>) {
        self.push_str(v.as_deref());
    }
    fn at(&self, i: usize) -> Option<Cow<'_, str>> {
        self.get(i).map(Cow::Borrowed)
    }
    fn append(&mut self, other: Self) {
        if self.is_empty() && self.values.is_empty() {
            *self = other;
            return;
        }
        let map: Vec<u32> = other.values.iter().map(|v| self.intern(v)).collect();
        self.codes.extend(other.codes.iter().map(|&c| if c == NONE { NONE } else { map[c as usize] }));
    }
    fn select(&self, keep: &[bool]) -> Self {
        Dict { codes: self.codes.select(keep), values: self.values.clone(), index: self.index.clone() }
    }
    fn retain(&mut self, keep: &[bool]) {
        retain_vec(&mut self.codes, keep);
    }
    fn reserve(&mut self, n: usize) {
        self.codes.reserve(n);
    }
    fn rows(&self) -> usize {
        self.len()
    }
    fn heap_bytes(&self) -> usize {
        let text: usize = self.values.iter().map(|v| 2 * (v.len() + 16) + 4).sum();
        self.codes.capacity() * 4 + self.values.capacity() * 16 + text
    }
    fn gather(&self, order: &[u32]) -> Self {
        Dict { codes: self.codes.gather(order), values: self.values.clone(), index: self.index.clone() }
    }
}

/// Dictionary-encoded text that is never missing (branch and product of a work order).
#[derive(Debug, Clone, Default)]
pub struct Labels(Dict);

impl Labels {
    /// Row `i`.
    pub fn get(&self, i: usize) -> &str {
        self.0.get(i).unwrap_or_default()
    }

    /// The code of row `i`.
    pub fn code(&self, i: usize) -> u32 {
        self.0.code(i)
    }

    /// The distinct values; a code indexes this list.
    pub fn values(&self) -> &[Box<str>] {
        self.0.values()
    }
}

impl Column for Labels {
    type Item<'a> = Cow<'a, str>;
    fn push(&mut self, v: &Cow<'_, str>) {
        self.0.push_str(Some(v));
    }
    fn at(&self, i: usize) -> Cow<'_, str> {
        Cow::Borrowed(self.get(i))
    }
    inner_column!();
}

/// A timestamp as nanoseconds since 1970-01-01 (exact for years 1970–2262).
fn to_nanos(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_nanos_opt().unwrap_or(i64::MAX)
}

fn from_nanos(n: i64) -> NaiveDateTime {
    DateTime::from_timestamp_nanos(n).naive_utc()
}

/// Timestamps, never missing.
#[derive(Debug, Clone, Default)]
pub struct Times(pub Vec<i64>);

impl Times {
    /// Row `i`.
    pub fn get(&self, i: usize) -> NaiveDateTime {
        from_nanos(self.0[i])
    }

    /// Row `i`'s day counted from `first` (negative before it) and minute of that day, asked
    /// of the stored integers (no calendar arithmetic per row).
    pub fn day_and_minute(&self, first: NaiveDate) -> impl Fn(usize) -> (i64, u32) + '_ {
        const DAY: i64 = 86_400 * 1_000_000_000;
        let origin = to_nanos(first.and_time(NaiveTime::MIN));
        move |i| {
            let since = self.0[i].saturating_sub(origin);
            (since.div_euclid(DAY), (since.rem_euclid(DAY) / 60_000_000_000) as u32)
        }
    }

    /// Whether row `i` falls in `times`, asked of the stored integers.
    pub fn window(&self, times: std::ops::Range<NaiveDateTime>) -> impl Fn(usize) -> bool + '_ {
        let range = to_nanos(times.start)..to_nanos(times.end);
        move |i| range.contains(&self.0[i])
    }
}

impl Column for Times {
    type Item<'a> = NaiveDateTime;
    fn push(&mut self, v: &NaiveDateTime) {
        self.0.push(to_nanos(*v));
    }
    fn at(&self, i: usize) -> NaiveDateTime {
        self.get(i)
    }
    inner_column!();
}

/// Numbers that may be missing, 8 bytes a row (an `Option<f64>` takes 16): NaN marks a
/// missing value, which the value parsers never give (they accept finite numbers only).
#[derive(Debug, Clone, Default)]
pub struct OptNums(pub Vec<f64>);

impl OptNums {
    /// Row `i`.
    pub fn get(&self, i: usize) -> Option<f64> {
        let v = self.0[i];
        (!v.is_nan()).then_some(v)
    }
}

impl Column for OptNums {
    type Item<'a> = Option<f64>;
    fn push(&mut self, v: &Option<f64>) {
        debug_assert!(v.is_none_or(|v| !v.is_nan()), "a parsed number is never NaN");
        self.0.push(v.unwrap_or(f64::NAN));
    }
    fn at(&self, i: usize) -> Option<f64> {
        self.get(i)
    }
    inner_column!();
}

/// Code of a missing timestamp in [`OptTimes`].
const NO_TIME: i64 = i64::MIN;

/// Timestamps that may be missing.
#[derive(Debug, Clone, Default)]
pub struct OptTimes(pub Vec<i64>);

impl OptTimes {
    /// Row `i`.
    pub fn get(&self, i: usize) -> Option<NaiveDateTime> {
        let n = self.0[i];
        (n != NO_TIME).then(|| from_nanos(n))
    }
}

impl Column for OptTimes {
    type Item<'a> = Option<NaiveDateTime>;
    fn push(&mut self, v: &Option<NaiveDateTime>) {
        self.0.push(v.map_or(NO_TIME, to_nanos));
    }
    fn at(&self, i: usize) -> Option<NaiveDateTime> {
        self.get(i)
    }
    inner_column!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dictionaries_merge_and_select() {
        let mut a = Dict::default();
        for v in [Some("东区"), None, Some("西区"), Some("东区")] {
            a.push_str(v);
        }
        let mut b = Dict::default();
        for v in [Some("北区"), Some("西区"), None] {
            b.push_str(v);
        }
        Column::append(&mut a, b);
        let all: Vec<Option<&str>> = (0..a.len()).map(|i| a.get(i)).collect();
        assert_eq!(all, [Some("东区"), None, Some("西区"), Some("东区"), Some("北区"), Some("西区"), None]);
        assert_eq!(a.values().len(), 3);
        let s = a.select(&[false, true, false, true, true, false, false]);
        assert_eq!((0..s.len()).map(|i| s.get(i)).collect::<Vec<_>>(), [None, Some("东区"), Some("北区")]);
    }

    #[test]
    fn text_keeps_empty_and_missing_apart() {
        let mut t = Text::default();
        for v in [Some("a1"), None, Some(""), Some("bcd")] {
            t.push_str(v);
        }
        let mut u = Text::default();
        u.push_str(Some("z"));
        Column::append(&mut t, u);
        assert_eq!(
            (0..t.len()).map(|i| t.get(i)).collect::<Vec<_>>(),
            [Some("a1"), None, Some(""), Some("bcd"), Some("z")]
        );
        let keep = [false, false, true, true, true];
        let s = t.select(&keep);
        assert_eq!((0..s.len()).map(|i| s.get(i)).collect::<Vec<_>>(), [Some(""), Some("bcd"), Some("z")]);
        t.retain(&keep);
        assert_eq!((0..t.len()).map(|i| t.get(i)).collect::<Vec<_>>(), [Some(""), Some("bcd"), Some("z")]);
        let mut t2 = Text::default();
        for v in ["甲", "乙乙", "丙"] {
            t2.push_str(Some(v));
        }
        t2.retain(&[false, true, true]);
        assert_eq!((0..t2.len()).map(|i| t2.get(i)).collect::<Vec<_>>(), [Some("乙乙"), Some("丙")]);
    }

    fn text_of(rows: &[Option<String>]) -> Text {
        let mut t = Text::default();
        for r in rows {
            t.push_str(r.as_deref());
        }
        t
    }

    fn rows_of(t: &Text) -> Vec<Option<String>> {
        (0..t.len()).map(|i| t.get(i).map(str::to_string)).collect()
    }

    proptest::proptest! {
        /// Row ends past 2^LOW_BITS (8 bytes in unit tests, 4 GiB in svcq) read back exactly,
        /// through append, concat, select and retain.
        #[test]
        fn text_rows_survive_every_column_operation(
            a in proptest::collection::vec(proptest::option::of("[a-z甲乙]{0,11}"), 0..20),
            b in proptest::collection::vec(proptest::option::of("[a-z甲乙]{0,11}"), 0..20),
            keep_seed in proptest::collection::vec(proptest::bool::ANY, 40),
        ) {
            let mut t = text_of(&a);
            proptest::prop_assert_eq!(rows_of(&t), a.clone());
            Column::append(&mut t, text_of(&b));
            let ab: Vec<Option<String>> = a.iter().chain(&b).cloned().collect();
            proptest::prop_assert_eq!(rows_of(&t), ab.clone());
            let c = Text::concat(vec![text_of(&a), text_of(&b), text_of(&a)]);
            let aba: Vec<Option<String>> = a.iter().chain(&b).chain(&a).cloned().collect();
            proptest::prop_assert_eq!(rows_of(&c), aba);
            let keep = &keep_seed[..ab.len()];
            let kept: Vec<Option<String>> = ab.iter().zip(keep).filter(|(_, k)| **k).map(|(r, _)| r.clone()).collect();
            proptest::prop_assert_eq!(rows_of(&t.select(keep)), kept.clone());
            t.retain(keep);
            proptest::prop_assert_eq!(rows_of(&t), kept);
        }

        #[test]
        fn gathering_puts_every_column_in_the_order_given(
            a in proptest::collection::vec(proptest::option::of("[a-z甲乙]{0,11}"), 0..40),
            shuffle in proptest::collection::vec(proptest::num::u32::ANY, 40),
        ) {
            // A permutation of the rows: sort positions by a random key.
            let mut order: Vec<u32> = (0..a.len() as u32).collect();
            order.sort_by_key(|&i| shuffle[i as usize]);
            let want: Vec<Option<String>> = order.iter().map(|&i| a[i as usize].clone()).collect();
            proptest::prop_assert_eq!(rows_of(&text_of(&a).gather(&order)), want.clone());
            let mut d = Dict::default();
            for v in &a {
                d.push_str(v.as_deref());
            }
            let g = d.gather(&order);
            let got: Vec<Option<String>> = (0..g.len()).map(|i| g.get(i).map(str::to_string)).collect();
            proptest::prop_assert_eq!(got, want);
            let nums: Vec<u32> = (0..a.len() as u32).map(|i| i * 7).collect();
            let gathered = nums.gather(&order);
            proptest::prop_assert_eq!(gathered, order.iter().map(|&i| i * 7).collect::<Vec<u32>>());
        }
    }

    #[test]
    fn a_column_left_empty_stays_empty() {
        // A table's column it no longer keeps (the calls' ids once ordered).
        let t = Text::default();
        assert!(t.select(&[true, false, true]).is_empty());
        assert!(t.gather(&[2, 0, 1]).is_empty());
    }

    #[test]
    fn timestamps_round_trip_to_the_nanosecond() {
        for s in ["1970-01-01 00:00:00", "2026-10-31 23:59:59.123456789", "2200-12-31 23:59:59"] {
            let t = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap();
            let mut c = OptTimes::default();
            c.push(&Some(t));
            c.push(&None);
            assert_eq!(c.get(0), Some(t));
            assert_eq!(c.get(1), None);
        }
    }
}
